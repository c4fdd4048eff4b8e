#include "tools/commands/detection_report.h"

#include <iomanip>
#include <sstream>

namespace longtail::tools {
namespace {

using evaluation::GroupDetections;
using evaluation::ScoredDetection;

std::vector<ScoredDetection> AllLoose(const std::vector<GroupDetections>& groups) {
  std::vector<ScoredDetection> all;
  for (const GroupDetections& g : groups) all.insert(all.end(), g.loose.begin(), g.loose.end());
  return all;
}

}  // namespace

void Pool(const std::vector<GroupDetections>& more, std::vector<GroupDetections>* into) {
  if (into->empty()) {
    *into = more;
    return;
  }
  for (std::size_t g = 0; g < more.size() && g < into->size(); ++g) {
    GroupDetections& target = (*into)[g];
    target.num_truth += more[g].num_truth;
    target.loose.insert(target.loose.end(), more[g].loose.begin(), more[g].loose.end());
    target.strict.insert(target.strict.end(), more[g].strict.begin(), more[g].strict.end());
  }
}

void PrintDetectionReport(const std::vector<GroupDetections>& groups, std::ostream& out) {
  out << std::left << std::setw(12) << "scores" << std::right << std::setw(6) << "truth"
      << std::setw(6) << "dets" << std::setw(15) << "AP40 strict" << std::setw(14) << "AP40 loose"
      << std::setw(16) << "P/R @score 0.5" << std::setw(18) << "best P @R>=0.85" << std::setw(18)
      << "best R @P>=0.50\n";
  out << std::fixed << std::setprecision(3);
  for (const GroupDetections& g : groups) {
    const auto at = evaluation::AtThreshold(g.loose, g.num_truth, kDefaultScoreThreshold);
    const auto p_at_r = evaluation::BestPrecisionAtRecall(g.loose, g.num_truth, 0.85);
    const auto r_at_p = evaluation::BestRecallAtPrecision(g.loose, g.num_truth, 0.5);
    std::ostringstream strict, loose, pr, best_p, best_r;
    strict << std::fixed << std::setprecision(3)
           << evaluation::AveragePrecision40(g.strict, g.num_truth) << " @" << std::setprecision(1)
           << g.strict_iou;
    loose << std::fixed << std::setprecision(3)
          << evaluation::AveragePrecision40(g.loose, g.num_truth) << " @" << std::setprecision(1)
          << g.loose_iou;
    pr << std::fixed << std::setprecision(2) << at.precision << "/" << at.recall;
    if (p_at_r.reached) {
      best_p << std::fixed << std::setprecision(2) << p_at_r.precision
             << " (s>=" << p_at_r.score_threshold << ")";
    } else {
      best_p << "-";
    }
    if (r_at_p.reached) {
      best_r << std::fixed << std::setprecision(2) << r_at_p.recall
             << " (s>=" << r_at_p.score_threshold << ")";
    } else {
      best_r << "-";
    }
    out << std::left << std::setw(12) << g.name << std::right << std::setw(6) << g.num_truth
        << std::setw(6) << g.loose.size() << std::setw(15) << strict.str() << std::setw(14)
        << loose.str() << std::setw(16) << pr.str() << std::setw(18) << best_p.str()
        << std::setw(18) << best_r.str() << "\n";
  }
  const evaluation::Reliability reliability = evaluation::ReliabilityOf(AllLoose(groups));
  out << "reliability (all groups, loose IoU): score bin, detections, mean score, precision\n";
  for (const evaluation::ReliabilityBin& bin : reliability.bins) {
    if (bin.count == 0) continue;
    out << "  [" << std::setprecision(1) << bin.low << ", " << bin.high << ")" << std::setw(7)
        << bin.count << std::setprecision(3) << std::setw(8) << bin.mean_score << std::setw(8)
        << bin.precision << "\n";
  }
  out << "expected calibration error " << std::setprecision(3)
      << reliability.expected_calibration_error << " over " << reliability.count << " detections\n";
}

nlohmann::json DetectionReportJson(const std::vector<GroupDetections>& groups) {
  nlohmann::json rows = nlohmann::json::array();
  const auto point = [](const evaluation::OperatingPoint& p) -> nlohmann::json {
    if (!p.reached) return nullptr;
    return {
        {"precision", p.precision}, {"recall", p.recall}, {"score_threshold", p.score_threshold}};
  };
  for (const GroupDetections& g : groups) {
    rows.push_back({{"class", g.name},
                    {"truth", g.num_truth},
                    {"detections", g.loose.size()},
                    {"strict_iou", g.strict_iou},
                    {"loose_iou", g.loose_iou},
                    {"ap40_strict", evaluation::AveragePrecision40(g.strict, g.num_truth)},
                    {"ap40_loose", evaluation::AveragePrecision40(g.loose, g.num_truth)},
                    {"at_default_threshold",
                     point(evaluation::AtThreshold(g.loose, g.num_truth, kDefaultScoreThreshold))},
                    {"best_precision_at_recall_0_85",
                     point(evaluation::BestPrecisionAtRecall(g.loose, g.num_truth, 0.85))},
                    {"best_recall_at_precision_0_5",
                     point(evaluation::BestRecallAtPrecision(g.loose, g.num_truth, 0.5))}});
  }
  const evaluation::Reliability reliability = evaluation::ReliabilityOf(AllLoose(groups));
  nlohmann::json bins = nlohmann::json::array();
  for (const evaluation::ReliabilityBin& bin : reliability.bins) {
    bins.push_back({{"low", bin.low},
                    {"high", bin.high},
                    {"count", bin.count},
                    {"mean_score", bin.mean_score},
                    {"precision", bin.precision}});
  }
  return {{"groups", rows},
          {"reliability", bins},
          {"expected_calibration_error", reliability.expected_calibration_error}};
}

}  // namespace longtail::tools
