// Scoring perception against KITTI object and tracking ground truth: recall, precision and box
// errors per class, and CLEAR-MOT tracking numbers (MOTA, ID switches, fragmentations).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/proto/perception.pb.h"
#include "sensors/issues.h"

namespace longtail::pipeline {

// One row of the report: the ground truth of one class (or group of classes) and the predictions
// of the same class(es).
struct ClassScore {
  std::string name;           // "Car", "Van", "Truck", "Vehicle", "Pedestrian", "Cyclist", "All"
  int num_truth = 0;          // scored ground-truth boxes (in view, in range, enough points)
  int num_matched_truth = 0;  // of those, matched by a prediction of the same group
  int num_predicted = 0;      // scored predictions of these classes (matched ones + false ones)
  int num_false_positives = 0;
  double recall = 0, precision = 0;  // [0,1]
  // Means over matched pairs:
  double center_error_m = 0;  // m, 3D distance between centres
  double yaw_error_deg = 0;   // deg, modulo 180 (box headings are ambiguous by a half turn)
  double size_error_m = 0;    // m, mean of |dl|, |dw|, |dh|
  double bev_iou = 0;
};

// CLEAR MOT over the scored ground truth, with confirmed tracks as hypotheses.
struct TrackingScore {
  std::string name;  // "Vehicle", "Pedestrian", "Cyclist", "All"
  int num_truth = 0, misses = 0, false_positives = 0, id_switches = 0, fragmentations = 0;
  double mota = 0;
  // Per ground-truth track id: the distinct predicted track ids it was matched to, in order.
  std::map<int, std::vector<int>> predicted_ids;
  // Per ground-truth track id: the mean and largest speed over ground (ego motion removed) of the
  // tracks matched to it, m/s. A parked car should stay near zero.
  std::map<int, double> mean_speed_mps, max_speed_mps;
};

struct BoxEvaluation {
  bool tracking_layout = false;
  int frames = 0;
  std::vector<ClassScore> classes;
  std::vector<TrackingScore> tracking;  // empty on object layouts
  std::size_t data_issues = 0;          // files the reader reported
};

// Runs perception (and, on tracking layouts, ego motion and tracking per sequence) over the KITTI
// object or tracking `training/` folder at `dataset` and scores it. When `write_labels_dir` is set,
// the predictions in view are written there as KITTI result files (object: <id>.txt per frame;
// tracking: <sequence>.txt with tracks), so KITTI's own tools can score them. Throws
// sensors::LogError when `dataset` is neither layout. Bad files are reported to `issues`.
BoxEvaluation EvaluateBoxes(const std::filesystem::path& dataset,
                            const proto::PerceptionOptions& perception,
                            const proto::TrackerOptions& tracker,
                            const proto::EgoMotionOptions& ego_motion,
                            const proto::BoxEvaluationOptions& options,
                            const std::optional<std::filesystem::path>& write_labels_dir,
                            sensors::IssueLog* issues);

}  // namespace longtail::pipeline
