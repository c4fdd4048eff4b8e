// Precision-recall over scored detections: KITTI's 40-point average precision, operating points
// and the reliability of the scores.
#pragma once

#include <string>
#include <vector>

namespace longtail::evaluation {

// One detection on a precision-recall curve: its score and whether it matched a scored truth.
struct ScoredDetection {
  double score = 0;  // [0,1]
  bool true_positive = false;
};

// The detections of one group (vehicles, pedestrians, cyclists) that count, matched in descending
// score order (KITTI's rule) at a loose and a strict BEV IoU. Detections matched to an unscored
// truth, or unmatched and neutral (DontCare, far, few points), are left out.
struct GroupDetections {
  std::string name;  // "Vehicle", "Pedestrian", "Cyclist"
  int num_truth = 0;
  double loose_iou = 0, strict_iou = 0;  // [0,1]
  std::vector<ScoredDetection> loose, strict;
};

// KITTI-style average precision: precision interpolated (the best at any larger recall) at the 40
// recall points 1/40 .. 1, averaged, [0,1].
double AveragePrecision40(std::vector<ScoredDetection> detections, int num_truth);
// The best precision over score thresholds whose recall is at least `min_recall` (0 when no
// threshold reaches it), and the score threshold that gives it.
struct OperatingPoint {
  double precision = 0, recall = 0, score_threshold = 1;
  bool reached = false;
};
OperatingPoint BestPrecisionAtRecall(std::vector<ScoredDetection> detections, int num_truth,
                                     double min_recall);
OperatingPoint BestRecallAtPrecision(std::vector<ScoredDetection> detections, int num_truth,
                                     double min_precision);
// Precision and recall of the detections scored at least `threshold`.
OperatingPoint AtThreshold(const std::vector<ScoredDetection>& detections, int num_truth,
                           double threshold);

// Scores against observed precision, in equal-width score bins; the expected calibration error is
// the detection-weighted mean of |mean score - precision| over the bins.
struct ReliabilityBin {
  double low = 0, high = 0;  // score range [low, high)
  int count = 0;
  double mean_score = 0, precision = 0;
};
struct Reliability {
  std::vector<ReliabilityBin> bins;
  double expected_calibration_error = 0;
  int count = 0;
};
Reliability ReliabilityOf(const std::vector<ScoredDetection>& detections, int num_bins = 10);

}  // namespace longtail::evaluation
