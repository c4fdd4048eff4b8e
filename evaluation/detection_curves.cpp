#include "evaluation/detection_curves.h"

#include <algorithm>
#include <cmath>

namespace longtail::evaluation {

double AveragePrecision40(std::vector<ScoredDetection> detections, int num_truth) {
  if (num_truth <= 0) return 0;
  std::stable_sort(detections.begin(), detections.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });
  // Precision and recall after each detection, then precision made non-increasing in recall.
  std::vector<double> recall, precision;
  int true_positives = 0;
  for (std::size_t k = 0; k < detections.size(); ++k) {
    true_positives += detections[k].true_positive;
    recall.push_back(double(true_positives) / num_truth);
    precision.push_back(double(true_positives) / double(k + 1));
  }
  for (std::size_t k = precision.size(); k-- > 1;) {
    precision[k - 1] = std::max(precision[k - 1], precision[k]);
  }
  double sum = 0;
  for (int r = 1; r <= 40; ++r) {
    const double needed = r / 40.0;
    const auto it = std::lower_bound(recall.begin(), recall.end(), needed - 1e-12);
    if (it != recall.end()) sum += precision[it - recall.begin()];
  }
  return sum / 40;
}

OperatingPoint AtThreshold(const std::vector<ScoredDetection>& detections, int num_truth,
                           double threshold) {
  OperatingPoint point;
  point.score_threshold = threshold;
  int kept = 0, true_positives = 0;
  for (const ScoredDetection& d : detections) {
    if (d.score < threshold) continue;
    ++kept;
    true_positives += d.true_positive;
  }
  point.precision = kept > 0 ? double(true_positives) / kept : 0;
  point.recall = num_truth > 0 ? double(true_positives) / num_truth : 0;
  point.reached = kept > 0;
  return point;
}

namespace {

// Every distinct-score operating point, best score first.
std::vector<OperatingPoint> Curve(std::vector<ScoredDetection> detections, int num_truth) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });
  std::vector<OperatingPoint> curve;
  int true_positives = 0;
  for (std::size_t k = 0; k < detections.size(); ++k) {
    true_positives += detections[k].true_positive;
    if (k + 1 < detections.size() && detections[k + 1].score == detections[k].score) continue;
    OperatingPoint point;
    point.precision = double(true_positives) / double(k + 1);
    point.recall = num_truth > 0 ? double(true_positives) / num_truth : 0;
    point.score_threshold = detections[k].score;
    point.reached = true;
    curve.push_back(point);
  }
  return curve;
}

}  // namespace

OperatingPoint BestPrecisionAtRecall(std::vector<ScoredDetection> detections, int num_truth,
                                     double min_recall) {
  OperatingPoint best;
  for (const OperatingPoint& point : Curve(std::move(detections), num_truth)) {
    if (point.recall >= min_recall && (!best.reached || point.precision > best.precision)) {
      best = point;
    }
  }
  return best;
}

OperatingPoint BestRecallAtPrecision(std::vector<ScoredDetection> detections, int num_truth,
                                     double min_precision) {
  OperatingPoint best;
  for (const OperatingPoint& point : Curve(std::move(detections), num_truth)) {
    if (point.precision >= min_precision && (!best.reached || point.recall > best.recall)) {
      best = point;
    }
  }
  return best;
}

Reliability ReliabilityOf(const std::vector<ScoredDetection>& detections, int num_bins) {
  Reliability out;
  out.bins.resize(num_bins);
  std::vector<int> true_positives(num_bins, 0);
  std::vector<double> score_sums(num_bins, 0);
  for (int b = 0; b < num_bins; ++b) {
    out.bins[b].low = double(b) / num_bins, out.bins[b].high = double(b + 1) / num_bins;
  }
  for (const ScoredDetection& d : detections) {
    const int b = std::clamp(static_cast<int>(d.score * num_bins), 0, num_bins - 1);
    ++out.bins[b].count;
    true_positives[b] += d.true_positive;
    score_sums[b] += d.score;
  }
  double weighted_gap = 0;
  for (int b = 0; b < num_bins; ++b) {
    ReliabilityBin& bin = out.bins[b];
    if (bin.count == 0) continue;
    bin.mean_score = score_sums[b] / bin.count;
    bin.precision = double(true_positives[b]) / bin.count;
    weighted_gap += bin.count * std::abs(bin.mean_score - bin.precision);
    out.count += bin.count;
  }
  out.expected_calibration_error = out.count > 0 ? weighted_gap / out.count : 0;
  return out;
}

}  // namespace longtail::evaluation
