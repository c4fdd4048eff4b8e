// The Argoverse 2 scenario-mining metrics (the official scorer's tracking path, as
// ../shared/data/av2-scenario-mining/README.md describes it): HOTA-Temporal and HOTA-Track with
// the scorer's score-threshold tuning, timestamp balanced accuracy and log balanced accuracy.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace longtail::evaluation::av2 {

inline constexpr int kReferred = 0;  // label of a referred object; 1 related, 2 other

// One box of a scenario-mining frame, in the challenge's form.
struct ScenarioObject {
  int track_id = 0;
  int label = 2;
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();  // box centre, m, city frame
  double score = 1;                                       // predictions only
  bool in_roi = true;  // any box corner in the drivable area dilated by 5 m
};

struct ScenarioFrame {
  std::int64_t timestamp_ns = 0;
  Eigen::Vector3d ego_translation = Eigen::Vector3d::Zero();  // m, city frame
  std::vector<ScenarioObject> objects;
};

// The frames of one (log, prompt), at the scored (2 Hz) timestamps.
struct ScenarioSequence {
  std::string log_id;
  std::string prompt;
  std::vector<ScenarioFrame> frames;
};

struct MetricOptions {
  double max_range_m = 50;  // objects farther from the ego (xy) are dropped
  bool use_roi = true;      // drop objects with in_roi false (the scorer given dataset_dir)
};

struct Confusion {
  std::int64_t tp = 0, fp = 0, tn = 0, fn = 0;
};
// (TPR + TNR) / 2, where 0/0 counts as 1.
double BalancedAccuracy(const Confusion& c);

struct PromptScore {
  std::string prompt;
  double hota_temporal = 0, hota_track = 0;
  double threshold_temporal = 0, threshold_track = 0;  // the chosen score thresholds
  double timestamp_ba = 0, log_ba = 0;
  Confusion timestamps, logs;
};

struct Scores {
  double hota_temporal = 0, hota_track = 0, timestamp_ba = 0, log_ba = 0;  // mean over prompts
  std::vector<PromptScore> by_prompt;                                      // sorted by prompt
};

// Scores `predictions` against `ground_truth` (paired by log id and prompt; frames by index,
// with the same timestamps). Throws std::invalid_argument when a pair is missing or its frames
// differ.
Scores Score(const std::vector<ScenarioSequence>& predictions,
             const std::vector<ScenarioSequence>& ground_truth, const MetricOptions& options = {});

// Minimum-cost assignment of rows to columns (every row of the smaller side is assigned):
// result[r] = the column of row r, or -1. Exposed for tests.
std::vector<int> MinCostAssignment(const std::vector<std::vector<double>>& cost);

}  // namespace longtail::evaluation::av2
