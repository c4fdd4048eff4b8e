#include "pipeline/perception/box_evaluation.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <numbers>
#include <tuple>

#include "pipeline/ego_motion/ego_motion.h"
#include "pipeline/perception/perceive.h"
#include "pipeline/tracking/tracker.h"
#include "sensors/kitti/kitti_object_reader.h"

namespace longtail::pipeline {
namespace {

namespace fs = std::filesystem;
using sensors::ObjectClass;

// Classes are matched within groups: any vehicle class matches any vehicle.
enum Group { kVehicles = 0, kPedestrians = 1, kCyclists = 2, kNoGroup = 3 };

Group GroupOf(ObjectClass c) {
  if (sensors::IsVehicle(c)) return kVehicles;
  if (c == ObjectClass::kPedestrian) return kPedestrians;
  if (c == ObjectClass::kCyclist) return kCyclists;
  return kNoGroup;
}

// Report rows: the five scored classes, the vehicle group and everything.
enum Row {
  kCarRow,
  kVanRow,
  kTruckRow,
  kVehicleRow,
  kPedestrianRow,
  kCyclistRow,
  kAllRow,
  kNumRows
};
constexpr const char* kRowNames[kNumRows] = {"Car",        "Van",     "Truck", "Vehicle",
                                             "Pedestrian", "Cyclist", "All"};

std::vector<int> RowsOf(ObjectClass c) {
  switch (c) {
    case ObjectClass::kCar:
      return {kCarRow, kVehicleRow, kAllRow};
    case ObjectClass::kVan:
      return {kVanRow, kVehicleRow, kAllRow};
    case ObjectClass::kTruck:
      return {kTruckRow, kVehicleRow, kAllRow};
    case ObjectClass::kTram:
      return {kVehicleRow, kAllRow};
    case ObjectClass::kPedestrian:
      return {kPedestrianRow, kAllRow};
    case ObjectClass::kCyclist:
      return {kCyclistRow, kAllRow};
    default:
      return {};
  }
}

struct Truth {
  sensors::Box3D box;
  ObjectClass object_class = ObjectClass::kUnknown;
  Group group = kNoGroup;
  int track_id = -1;
  bool scored = false;  // in view, in range, enough points, a scored class
};

struct Prediction {
  sensors::Box3D box;
  ObjectClass object_class = ObjectClass::kUnknown;
  Group group = kNoGroup;
  double score = 0;
  int track_id = -1;
  bool neutral = false;  // unmatched, it is still not a false positive (DontCare, far, few points)
  double speed_mps = 0;  // tracks: speed over ground, m/s
};

// Distance on the ground from the camera, m: what KITTI users measure from label_2 locations
// (hypot(x, z) in the camera frame), so "within 40 m" means the same here as in their scripts.
double GroundRange(const sensors::CameraModel& camera, const Eigen::Vector3d& p) {
  const Eigen::Vector3d in_camera = camera.camera_from_vehicle * p;
  return std::hypot(in_camera.x(), in_camera.z());
}

bool InView(const sensors::CameraModel& camera, const Eigen::Vector3d& p) {
  const auto pixel = sensors::ProjectToPixel(camera, p);
  return pixel && sensors::InImage(camera, *pixel);
}

// Whether an object at `p` is scored: in the camera image, or anywhere when the labels cover every
// direction (Argoverse 2's cuboids do; KITTI's only the image).
bool InScope(const sensors::CameraModel& camera, const Eigen::Vector3d& p,
             const proto::BoxEvaluationOptions& options) {
  return options.all_around() || InView(camera, p);
}

int PointsInside(const sensors::Box3D& box, const std::vector<sensors::LidarPoint>& points) {
  const double reach = std::hypot(box.length, box.width) / 2;
  int count = 0;
  for (const sensors::LidarPoint& p : points) {
    if (std::abs(p.x - box.center.x()) > reach || std::abs(p.y - box.center.y()) > reach) continue;
    count += sensors::Contains(box, Eigen::Vector3d(p.x, p.y, p.z));
  }
  return count;
}

double YawErrorDeg(double a, double b) {
  const double d = std::fmod(std::abs(a - b), std::numbers::pi);
  return std::min(d, std::numbers::pi - d) * 180 / std::numbers::pi;
}

// Greedy matching by descending BEV IoU within groups; returns the truth index of each
// prediction (-1 when unmatched). `locked` pairs (prediction, truth) are kept first.
std::vector<int> Match(const std::vector<Prediction>& predictions, const std::vector<Truth>& truths,
                       const proto::BoxEvaluationOptions& options,
                       const std::vector<std::pair<int, int>>& locked = {}) {
  std::vector<int> truth_of(predictions.size(), -1);
  std::vector<char> truth_used(truths.size(), false);
  for (const auto& [p, t] : locked) truth_of[p] = t, truth_used[t] = true;
  std::vector<std::tuple<double, int, int>> pairs;  // (-iou, prediction, truth): sorts best first
  for (std::size_t p = 0; p < predictions.size(); ++p) {
    if (truth_of[p] >= 0) continue;
    for (std::size_t t = 0; t < truths.size(); ++t) {
      if (truth_used[t] || predictions[p].group != truths[t].group) continue;
      const double iou = sensors::BevIoU(predictions[p].box, truths[t].box);
      const double needed =
          truths[t].group == kVehicles ? options.vehicle_iou() : options.vulnerable_iou();
      if (iou >= needed) pairs.emplace_back(-iou, static_cast<int>(p), static_cast<int>(t));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [negative_iou, p, t] : pairs) {
    if (truth_of[p] >= 0 || truth_used[t]) continue;
    truth_of[p] = t;
    truth_used[t] = true;
  }
  return truth_of;
}

// The class a truth is scored as: KITTI's own, or the group's class for other label sets.
ObjectClass ScoredClassOf(const std::string& type, ObjectClass parsed, ScoredGroup group) {
  if (sensors::ParseObjectClass(type)) return parsed;
  switch (group) {
    case ScoredGroup::kVehicle:
      return ObjectClass::kCar;
    case ScoredGroup::kPedestrian:
      return ObjectClass::kPedestrian;
    case ScoredGroup::kCyclist:
      return ObjectClass::kCyclist;
    default:
      return ObjectClass::kMisc;
  }
}

// KITTI's matching for precision-recall: predictions in descending score order each take the
// unmatched truth of their group with the largest BEV IoU at or above the threshold.
std::vector<int> MatchByScore(const std::vector<Prediction>& predictions,
                              const std::vector<Truth>& truths,
                              const proto::BoxEvaluationOptions& options, bool strict) {
  std::vector<std::size_t> order(predictions.size());
  for (std::size_t p = 0; p < order.size(); ++p) order[p] = p;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return predictions[a].score > predictions[b].score;
  });
  std::vector<int> truth_of(predictions.size(), -1);
  std::vector<char> used(truths.size(), false);
  for (std::size_t p : order) {
    const Group group = predictions[p].group;
    const double needed =
        group == kVehicles ? (strict ? options.vehicle_strict_iou() : options.vehicle_iou())
                           : (strict ? options.vulnerable_strict_iou() : options.vulnerable_iou());
    double best = needed;
    for (std::size_t t = 0; t < truths.size(); ++t) {
      if (used[t] || truths[t].group != group) continue;
      const double iou = sensors::BevIoU(predictions[p].box, truths[t].box);
      if (iou >= best) best = iou, truth_of[p] = static_cast<int>(t);
    }
    if (truth_of[p] >= 0) used[truth_of[p]] = true;
  }
  return truth_of;
}

struct RowSums {
  ClassScore score;
  double center = 0, yaw = 0, size = 0, iou = 0;
};

struct TruthTrackState {
  int last_hypothesis = -1;
  bool ever_matched = false, matched_last_time = false;
};

void WriteAtomically(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, path);
}

}  // namespace

BoxEvaluation EvaluateBoxes(const fs::path& dataset,
                            const proto::PerceptionOptions& perception_options,
                            const proto::TrackerOptions& tracker_options,
                            const proto::EgoMotionOptions& ego_options,
                            const proto::BoxEvaluationOptions& options,
                            const std::optional<fs::path>& write_labels_dir,
                            sensors::IssueLog* issues) {
  const sensors::KittiBenchmark benchmark = sensors::KittiBenchmark::Open(dataset, issues);
  BoxEvaluation result;
  result.tracking_layout = benchmark.is_tracking();
  if (write_labels_dir) fs::create_directories(*write_labels_dir);

  std::vector<RowSums> rows(kNumRows);
  std::vector<GroupDetections> detections(3);
  detections[kVehicles].name = "Vehicle";
  detections[kPedestrians].name = "Pedestrian";
  detections[kCyclists].name = "Cyclist";
  for (int g = kVehicles; g <= kCyclists; ++g) {
    detections[g].loose_iou = g == kVehicles ? options.vehicle_iou() : options.vulnerable_iou();
    detections[g].strict_iou =
        g == kVehicles ? options.vehicle_strict_iou() : options.vulnerable_strict_iou();
  }
  // Tracking rows: one per group, then all.
  std::vector<TrackingScore> tracking(4);
  tracking[kVehicles].name = "Vehicle", tracking[kPedestrians].name = "Pedestrian";
  tracking[kCyclists].name = "Cyclist", tracking[3].name = "All";

  std::string current_sequence = "\x01";
  std::optional<Tracker> tracker;
  std::optional<EgoMotionEstimator> ego_estimator;
  std::map<int, TruthTrackState> truth_states;
  std::array<std::map<int, double>, 4> speed_sums;  // per tracking row, per truth track id
  std::array<std::map<int, int>, 4> speed_counts;
  std::string sequence_labels;
  const auto flush_sequence = [&] {
    if (write_labels_dir && result.tracking_layout && current_sequence != "\x01") {
      WriteAtomically(*write_labels_dir / (current_sequence + ".txt"), sequence_labels);
    }
    sequence_labels.clear();
  };

  for (std::size_t i = 0; i < benchmark.size(); ++i) {
    sensors::LabeledFrame labeled = benchmark.Load(i);
    if (!options.only().empty() &&
        std::find(options.only().begin(), options.only().end(),
                  labeled.sequence.empty() ? labeled.id : labeled.sequence) ==
            options.only().end()) {
      continue;
    }
    sensors::Frame& frame = labeled.frame;
    if (!frame.calibration || frame.calibration->cameras.empty()) continue;
    const sensors::CameraModel& camera = frame.calibration->cameras.front();
    ++result.frames;
    if (result.tracking_layout && labeled.sequence != current_sequence) {
      flush_sequence();
      current_sequence = labeled.sequence;
      tracker.emplace(tracker_options);
      ego_estimator.emplace(ego_options);
      truth_states.clear();
    }
    frame.lidar.stamp =
        sensors::Timestamp(sensors::FromSeconds(options.frame_period_s() * frame.index));

    // Ground truth in the vehicle frame; DontCare regions as image rectangles.
    std::vector<Truth> truths;
    std::vector<Eigen::Vector4d> dont_care;
    for (const sensors::KittiLabel& label : labeled.labels) {
      if (label.type == "DontCare") {
        dont_care.push_back(label.bbox);
        continue;
      }
      const sensors::LabeledBox box = sensors::KittiLabelToBox(label, camera.camera_from_vehicle);
      Truth truth;
      truth.box = box.box;
      const LabelScoring scoring = ScoringOfLabelType(label.type);
      truth.object_class = ScoredClassOf(label.type, box.object_class, scoring.group);
      truth.track_id = label.track_id;
      truth.group = static_cast<Group>(scoring.group);
      truth.scored = scoring.scored && InScope(camera, truth.box.center, options) &&
                     GroundRange(camera, truth.box.center) <= options.max_range_m() &&
                     PointsInside(truth.box, frame.lidar.points) >= options.min_points();
      truths.push_back(truth);
    }

    const Perception perception = Perceive(frame, perception_options);
    const auto to_prediction = [&](const sensors::Box3D& box, ObjectClass c, double score,
                                   int num_points, int track_id) -> std::optional<Prediction> {
      if (GroupOf(c) == kNoGroup || !InScope(camera, box.center, options)) return std::nullopt;
      Prediction p{box, c, GroupOf(c), score, track_id, false};
      if (const auto pixel = sensors::ProjectToPixel(camera, box.center)) {
        for (const Eigen::Vector4d& r : dont_care) {
          p.neutral |=
              pixel->x() >= r[0] && pixel->x() <= r[2] && pixel->y() >= r[1] && pixel->y() <= r[3];
        }
      }
      p.neutral |= GroundRange(camera, box.center) > options.max_range_m();
      p.neutral |= num_points < options.min_points();
      return p;
    };

    // Detection scores.
    std::vector<Prediction> predictions;
    for (const DetectedObject& object : perception.objects) {
      if (auto p = to_prediction(object.box, object.object_class, object.class_confidence,
                                 object.num_points, -1)) {
        predictions.push_back(*p);
      }
    }
    // Precision-recall curves: matched in descending score order at both IoUs.
    for (const bool strict : {false, true}) {
      const std::vector<int> matched = MatchByScore(predictions, truths, options, strict);
      for (std::size_t p = 0; p < predictions.size(); ++p) {
        const int t = matched[p];
        if (t >= 0 ? !truths[t].scored : predictions[p].neutral) continue;
        GroupDetections& group = detections[predictions[p].group];
        (strict ? group.strict : group.loose).push_back({predictions[p].score, t >= 0});
      }
    }
    for (const Truth& truth : truths) {
      if (truth.scored && truth.group != kNoGroup) ++detections[truth.group].num_truth;
    }

    const std::vector<int> truth_of = Match(predictions, truths, options);
    std::vector<int> prediction_of(truths.size(), -1);
    for (std::size_t p = 0; p < predictions.size(); ++p) {
      if (truth_of[p] >= 0) prediction_of[truth_of[p]] = static_cast<int>(p);
    }
    for (std::size_t t = 0; t < truths.size(); ++t) {
      if (!truths[t].scored) continue;
      for (int row : RowsOf(truths[t].object_class)) {
        RowSums& sums = rows[row];
        ++sums.score.num_truth;
        if (prediction_of[t] < 0) continue;
        const sensors::Box3D& a = predictions[prediction_of[t]].box;
        const sensors::Box3D& b = truths[t].box;
        ++sums.score.num_matched_truth;
        sums.center += (a.center - b.center).norm();
        sums.yaw += YawErrorDeg(a.yaw, b.yaw);
        sums.size += (std::abs(a.length - b.length) + std::abs(a.width - b.width) +
                      std::abs(a.height - b.height)) /
                     3;
        sums.iou += sensors::BevIoU(a, b);
      }
    }
    for (std::size_t p = 0; p < predictions.size(); ++p) {
      const int t = truth_of[p];
      const bool true_positive = t >= 0 && truths[t].scored;
      const bool false_positive = t < 0 && !predictions[p].neutral;
      if (!true_positive && !false_positive) continue;
      for (int row : RowsOf(predictions[p].object_class)) {
        ++rows[row].score.num_predicted;
        rows[row].score.num_false_positives += false_positive;
      }
    }

    std::vector<Prediction> track_predictions;
    if (result.tracking_layout) {
      // Tracking: CLEAR MOT with correspondences kept while they still overlap.
      const EgoMotion ego = ego_estimator->Update(frame, perception);
      for (const Track& track : tracker->Update(frame.lidar.stamp, perception.objects, ego)) {
        if (auto p = to_prediction(track.box, track.object_class, track.class_confidence,
                                   track.num_points, track.id)) {
          p->speed_mps = track.velocity_world.norm();
          track_predictions.push_back(*p);
        }
      }
      std::vector<std::pair<int, int>> locked;
      for (std::size_t t = 0; t < truths.size(); ++t) {
        if (!truths[t].scored || truths[t].track_id < 0) continue;
        const int last = truth_states[truths[t].track_id].last_hypothesis;
        for (std::size_t p = 0; p < track_predictions.size(); ++p) {
          const Prediction& h = track_predictions[p];
          const double needed =
              truths[t].group == kVehicles ? options.vehicle_iou() : options.vulnerable_iou();
          if (h.track_id == last && h.group == truths[t].group &&
              sensors::BevIoU(h.box, truths[t].box) >= needed) {
            locked.emplace_back(static_cast<int>(p), static_cast<int>(t));
          }
        }
      }
      const std::vector<int> hypothesis_truth = Match(track_predictions, truths, options, locked);
      std::vector<int> hypothesis_of(truths.size(), -1);
      for (std::size_t p = 0; p < track_predictions.size(); ++p) {
        if (hypothesis_truth[p] >= 0) hypothesis_of[hypothesis_truth[p]] = static_cast<int>(p);
      }
      for (std::size_t t = 0; t < truths.size(); ++t) {
        if (!truths[t].scored || truths[t].group == kNoGroup) continue;
        TruthTrackState& state = truth_states[truths[t].track_id];
        for (int row : {static_cast<int>(truths[t].group), 3}) {
          TrackingScore& score = tracking[row];
          ++score.num_truth;
          if (hypothesis_of[t] < 0) {
            ++score.misses;
            continue;
          }
          const int id = track_predictions[hypothesis_of[t]].track_id;
          score.id_switches += state.last_hypothesis >= 0 && state.last_hypothesis != id;
          score.fragmentations += state.ever_matched && !state.matched_last_time;
          std::vector<int>& ids = score.predicted_ids[truths[t].track_id];
          if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
          const double speed = track_predictions[hypothesis_of[t]].speed_mps;
          speed_sums[row][truths[t].track_id] += speed;
          ++speed_counts[row][truths[t].track_id];
          double& largest = score.max_speed_mps[truths[t].track_id];
          largest = std::max(largest, speed);
        }
        if (hypothesis_of[t] >= 0) {
          state.last_hypothesis = track_predictions[hypothesis_of[t]].track_id;
          state.ever_matched = true;
          state.matched_last_time = true;
        } else {
          state.matched_last_time = false;
        }
      }
      for (std::size_t p = 0; p < track_predictions.size(); ++p) {
        if (hypothesis_truth[p] >= 0 || track_predictions[p].neutral) continue;
        ++tracking[track_predictions[p].group].false_positives;
        ++tracking[3].false_positives;
      }
    }

    // KITTI result files.
    if (write_labels_dir) {
      const std::vector<Prediction>& written =
          result.tracking_layout ? track_predictions : predictions;
      std::string text;
      for (const Prediction& p : written) {
        sensors::KittiLabel label = sensors::BoxToKittiLabel(
            sensors::LabeledBox{p.box, p.object_class, p.track_id, std::clamp(p.score, 0.0, 0.999)},
            camera);
        label.frame = static_cast<int>(frame.index);
        text += sensors::FormatKittiLabel(label, result.tracking_layout) + "\n";
      }
      if (result.tracking_layout) {
        sequence_labels += text;
      } else {
        WriteAtomically(*write_labels_dir / (labeled.id + ".txt"), text);
      }
    }
  }
  flush_sequence();

  for (int row = 0; row < kNumRows; ++row) {
    ClassScore score = rows[row].score;
    score.name = kRowNames[row];
    const int matched = score.num_matched_truth;
    score.recall = score.num_truth > 0 ? double(matched) / score.num_truth : 0;
    score.precision =
        score.num_predicted > 0
            ? double(score.num_predicted - score.num_false_positives) / score.num_predicted
            : 0;
    if (matched > 0) {
      score.center_error_m = rows[row].center / matched;
      score.yaw_error_deg = rows[row].yaw / matched;
      score.size_error_m = rows[row].size / matched;
      score.bev_iou = rows[row].iou / matched;
    }
    result.classes.push_back(score);
  }
  if (result.tracking_layout) {
    for (int row = 0; row < 4; ++row) {
      for (const auto& [truth_id, sum] : speed_sums[row]) {
        tracking[row].mean_speed_mps[truth_id] = sum / speed_counts[row][truth_id];
      }
    }
    for (TrackingScore& score : tracking) {
      score.mota = score.num_truth > 0
                       ? 1.0 - double(score.misses + score.false_positives + score.id_switches) /
                                   score.num_truth
                       : 0;
    }
    result.tracking = tracking;
  }
  result.detections = detections;
  result.data_issues = issues ? issues->count() : 0;
  return result;
}

LabelScoring ScoringOfLabelType(std::string_view type) {
  using G = ScoredGroup;
  struct Entry {
    std::string_view type;
    LabelScoring scoring;
  };
  static constexpr Entry kTable[] = {
      {"Car", {G::kVehicle, true}},
      {"Van", {G::kVehicle, true}},
      {"Truck", {G::kVehicle, true}},
      {"Tram", {G::kVehicle, false}},
      {"Pedestrian", {G::kPedestrian, true}},
      {"Person_sitting", {G::kPedestrian, false}},
      {"Cyclist", {G::kCyclist, true}},
      {"REGULAR_VEHICLE", {G::kVehicle, true}},
      {"LARGE_VEHICLE", {G::kVehicle, true}},
      {"BUS", {G::kVehicle, true}},
      {"SCHOOL_BUS", {G::kVehicle, true}},
      {"ARTICULATED_BUS", {G::kVehicle, true}},
      {"BOX_TRUCK", {G::kVehicle, true}},
      {"TRUCK", {G::kVehicle, true}},
      {"TRUCK_CAB", {G::kVehicle, true}},
      {"VEHICULAR_TRAILER", {G::kVehicle, false}},
      {"PEDESTRIAN", {G::kPedestrian, true}},
      {"STROLLER", {G::kPedestrian, false}},
      {"WHEELCHAIR", {G::kPedestrian, false}},
      {"BICYCLIST", {G::kCyclist, true}},
      {"MOTORCYCLIST", {G::kCyclist, true}},
      {"WHEELED_RIDER", {G::kCyclist, true}},
      {"BICYCLE", {G::kCyclist, false}},
      {"MOTORCYCLE", {G::kCyclist, false}},
  };
  for (const Entry& entry : kTable) {
    if (entry.type == type) return entry.scoring;
  }
  return {};
}

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

}  // namespace longtail::pipeline
