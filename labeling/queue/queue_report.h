// What reviewers' verdicts say about the detectors and the pre-labeller: `longtail queue report`.
// Pure functions over resolved tasks, so the numbers have tests without a database.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "labeling/queue/queue_types.h"

namespace longtail::labeling {

// Episodes of one detector and type in reviewed tasks: the share people accepted (the detector's
// precision as judged by people) and why the rest were rejected.
struct DetectorPrecision {
  std::string detector, type;
  std::int64_t episodes = 0, accepted = 0, rejected = 0;  // accepted includes corrected
  double precision = 0;                                   // accepted / episodes
  std::map<std::string, std::int64_t> reject_reasons;     // "false_alarm", ..., "unspecified"
};

// Pre-label quality of one class, from what reviewers changed in accepted and corrected tasks.
struct ClassQuality {
  std::string object_class;
  std::int64_t prelabelled = 0;  // pre-labelled boxes in reviewed frames
  std::int64_t kept = 0;         // left exactly as they were
  std::int64_t deleted = 0, added = 0, moved = 0, relabelled = 0;
  // Over moved boxes: mean centre shift (m), mean |size change| summed over length, width and
  // height (m), mean |yaw change| (rad, wrapped).
  double mean_center_shift_m = 0, mean_size_change_m = 0, mean_yaw_change_rad = 0;
};

struct ReviewerReport {
  std::string reviewer;
  std::int64_t reviews = 0;        // submitted, gold checks included
  double median_s_per_task = 0;    // claim to submit
  std::int64_t compared = 0;       // reviews compared with co-reviewers (k >= 2)
  double agreement_rate = 0;       // agreed / compared
  std::int64_t gold_checks = 0;    // submitted gold checks
  double gold_agreement_rate = 0;  // agreed with gold / gold checks
};

// For one number a detector's episodes carry ("severity" or a value such as "ttc_s"): the
// threshold that keeps at least 95 % of the accepted episodes while dropping the most rejected.
struct ThresholdSuggestion {
  std::string detector, value;
  bool keep_above = true;  // keep episodes with value >= threshold (else <=)
  double threshold = 0;
  std::int64_t accepted = 0, accepted_kept = 0, rejected = 0, rejected_dropped = 0;
};

struct QueueReport {
  std::int64_t tasks_reviewed = 0;  // accepted, corrected or rejected
  std::vector<DetectorPrecision> detectors;
  std::vector<ClassQuality> classes;
  std::vector<ReviewerReport> reviewers;
  std::vector<ThresholdSuggestion> thresholds;
};

// `tasks`: every task of the queue (unresolved and skipped ones count only for throughput);
// `reviewers`: ReviewQueue::ReviewerAgreement().
QueueReport BuildQueueReport(const std::vector<TaskDetail>& tasks,
                             const std::vector<ReviewerStats>& reviewers);

// The share of accepted episodes to keep when suggesting a threshold.
inline constexpr double kKeepAcceptedShare = 0.95;
// Threshold for one number given its values on accepted and rejected episodes (both non-empty).
ThresholdSuggestion SuggestThreshold(std::vector<double> accepted, std::vector<double> rejected);

nlohmann::json ReportToJson(const QueueReport& report);
std::string ReportToText(const QueueReport& report);

}  // namespace longtail::labeling
