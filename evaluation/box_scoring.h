// One frame of box scoring: the frame's ground truth and predictions as they are scored, their
// matching by BEV IoU, and ScoreFrame, whose per-frame numbers BoxScoreSums adds up into the
// report's rows and precision-recall curves.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "evaluation/detection_curves.h"
#include "pipeline/perception/label_scoring.h"
#include "pipeline/proto/perception.pb.h"
#include "sensors/box3d.h"
#include "sensors/frame.h"
#include "sensors/kitti/kitti_label.h"

namespace longtail::evaluation {

using pipeline::ScoredGroup;

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

// A ground-truth box of one frame (vehicle frame).
struct ScoredTruth {
  sensors::Box3D box;
  sensors::ObjectClass object_class = sensors::ObjectClass::kUnknown;  // scored as
  ScoredGroup group = ScoredGroup::kNone;
  int track_id = -1;
  bool scored = false;  // in view, in range, enough points, a scored class
};

// A detected box or confirmed track of one frame (vehicle frame).
struct ScoredPrediction {
  sensors::Box3D box;
  sensors::ObjectClass object_class = sensors::ObjectClass::kUnknown;
  ScoredGroup group = ScoredGroup::kNone;
  double score = 0;      // [0,1]
  int track_id = -1;     // -1 for detections
  bool neutral = false;  // unmatched, it is still not a false positive (DontCare, far, few points)
  double speed_mps = 0;  // tracks: speed over ground, m/s
  // The pipeline reports it as unknown (its class is below min_confidence): ranked in the curves
  // and written as a result, left out of the rows.
  bool unsure = false;
};

// The scene of one frame as the scorer sees it.
struct FrameTruth {
  std::vector<ScoredTruth> truths;
  std::vector<Eigen::Vector4d> dont_care;  // DontCare regions, image rectangles (x0, y0, x1, y1)
};

// The frame's KITTI labels as scored truths: a truth counts when its type is scored, it is in
// scope (the image, or everywhere with options.all_around), within options.max_range_m of the
// camera on the ground and holds at least options.min_points lidar points.
FrameTruth TruthOf(const std::vector<sensors::KittiLabel>& labels,
                   const sensors::CameraModel& camera,
                   const std::vector<sensors::LidarPoint>& points,
                   const pipeline::proto::BoxEvaluationOptions& options);

// A box as a prediction, or nothing when its class is in no group or it is out of scope. It is
// neutral in a DontCare region, beyond the range or with fewer than the minimum points.
std::optional<ScoredPrediction> PredictionOf(const sensors::LabeledBox& box, int num_points,
                                             const sensors::CameraModel& camera,
                                             const std::vector<Eigen::Vector4d>& dont_care,
                                             const pipeline::proto::BoxEvaluationOptions& options);

// Greedy matching by descending BEV IoU within groups; the truth index of each prediction (-1 when
// unmatched). `locked` pairs (prediction, truth) are kept first.
std::vector<int> MatchByIoU(const std::vector<ScoredPrediction>& predictions,
                            const std::vector<ScoredTruth>& truths,
                            const pipeline::proto::BoxEvaluationOptions& options,
                            const std::vector<std::pair<int, int>>& locked = {});

// KITTI's matching for precision-recall: predictions in descending score order each take the
// unmatched truth of their group with the largest BEV IoU at or above the (strict) threshold.
std::vector<int> MatchByScore(const std::vector<ScoredPrediction>& predictions,
                              const std::vector<ScoredTruth>& truths,
                              const pipeline::proto::BoxEvaluationOptions& options, bool strict);

// The BEV IoU a prediction needs to match a truth of `group`.
double NeededIoU(ScoredGroup group, const pipeline::proto::BoxEvaluationOptions& options,
                 bool strict = false);

// Report rows: the five scored classes, the vehicle group and everything.
inline constexpr int kNumRows = 7;

// The numbers one frame adds to the report, in the order they are added (sums of floating-point
// errors depend on it).
struct FrameBoxScore {
  struct MatchedPair {
    double center_m = 0, yaw_deg = 0, size_m = 0, bev_iou = 0;
  };
  struct Row {
    int num_truth = 0, num_predicted = 0, num_false_positives = 0;
    std::vector<MatchedPair> matched;
  };
  std::vector<Row> rows = std::vector<Row>(kNumRows);
  // Per group (vehicles, pedestrians, cyclists): scored truths, and the detections that count.
  std::vector<int> num_truth = std::vector<int>(3, 0);
  std::vector<std::vector<ScoredDetection>> loose = std::vector<std::vector<ScoredDetection>>(3),
                                            strict = std::vector<std::vector<ScoredDetection>>(3);
};

// Scores one frame's detections against its truths: rows by IoU matching, curves by score order.
FrameBoxScore ScoreFrame(const std::vector<ScoredTruth>& truths,
                         const std::vector<ScoredPrediction>& predictions,
                         const pipeline::proto::BoxEvaluationOptions& options);

// The report's rows and curves summed over frames.
class BoxScoreSums {
 public:
  explicit BoxScoreSums(const pipeline::proto::BoxEvaluationOptions& options);
  void Add(const FrameBoxScore& frame);
  std::vector<ClassScore> Classes() const;  // Car, Van, Truck, Vehicle, Pedestrian, Cyclist, All
  const std::vector<GroupDetections>& Detections() const { return detections_; }

 private:
  struct RowSums {
    ClassScore score;
    double center = 0, yaw = 0, size = 0, iou = 0;
  };
  std::vector<RowSums> rows_ = std::vector<RowSums>(kNumRows);
  std::vector<GroupDetections> detections_;  // vehicles, pedestrians, cyclists
};

}  // namespace longtail::evaluation
