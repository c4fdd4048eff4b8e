// Scoring perception against KITTI object and tracking ground truth: recall, precision and box
// errors per class, and CLEAR-MOT tracking numbers (MOTA, ID switches, fragmentations).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// How a ground-truth label type (KITTI's names, or an Argoverse 2 category) is scored: its group,
// and whether missing it counts (unscored truths make the predictions matched to them neutral).
// KITTI: Car, Van, Truck -> vehicles, Tram a neutral vehicle, Pedestrian, Person_sitting (neutral),
// Cyclist; Misc matches nothing. AV2: REGULAR_VEHICLE, LARGE_VEHICLE, BUS, SCHOOL_BUS,
// ARTICULATED_BUS, BOX_TRUCK, TRUCK, TRUCK_CAB -> vehicles (VEHICULAR_TRAILER neutral);
// PEDESTRIAN (STROLLER, WHEELCHAIR neutral); BICYCLIST, MOTORCYCLIST, WHEELED_RIDER -> cyclists
// (a BICYCLE or MOTORCYCLE without rider is a neutral cyclist); the rest match nothing.
enum class ScoredGroup { kVehicle = 0, kPedestrian = 1, kCyclist = 2, kNone = 3 };
struct LabelScoring {
  ScoredGroup group = ScoredGroup::kNone;
  bool scored = false;
};
LabelScoring ScoringOfLabelType(std::string_view type);

struct BoxEvaluation {
  bool tracking_layout = false;
  int frames = 0;
  std::vector<ClassScore> classes;
  std::vector<GroupDetections> detections;  // vehicles, pedestrians, cyclists
  std::vector<TrackingScore> tracking;      // empty on object layouts
  std::size_t data_issues = 0;              // files the reader reported
};

// Runs perception (and, on tracking layouts, ego motion and tracking per sequence) over the KITTI
// object or tracking `training/` folder at `dataset` and scores it. When `write_labels_dir` is set,
// the predictions in view are written there as KITTI result files (object: <id>.txt per frame;
// tracking: <sequence>.txt with tracks), so KITTI's own tools can score them. `options.only`
// restricts scoring to some frames (held-out folds). Throws
// sensors::LogError when `dataset` is neither layout. Bad files are reported to `issues`.
BoxEvaluation EvaluateBoxes(const std::filesystem::path& dataset,
                            const proto::PerceptionOptions& perception,
                            const proto::TrackerOptions& tracker,
                            const proto::EgoMotionOptions& ego_motion,
                            const proto::BoxEvaluationOptions& options,
                            const std::optional<std::filesystem::path>& write_labels_dir,
                            sensors::IssueLog* issues);

}  // namespace longtail::pipeline
