#include "evaluation/box_scoring.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>
#include <tuple>

namespace longtail::evaluation {
namespace {

using pipeline::proto::BoxEvaluationOptions;
using sensors::ObjectClass;

ScoredGroup GroupOf(ObjectClass c) {
  if (sensors::IsVehicle(c)) return ScoredGroup::kVehicle;
  if (c == ObjectClass::kPedestrian) return ScoredGroup::kPedestrian;
  if (c == ObjectClass::kCyclist) return ScoredGroup::kCyclist;
  return ScoredGroup::kNone;
}

enum Row { kCarRow, kVanRow, kTruckRow, kVehicleRow, kPedestrianRow, kCyclistRow, kAllRow };
constexpr const char* kRowNames[kNumRows] = {"Car",        "Van",     "Truck", "Vehicle",
                                             "Pedestrian", "Cyclist", "All"};
constexpr const char* kGroupNames[3] = {"Vehicle", "Pedestrian", "Cyclist"};

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
             const BoxEvaluationOptions& options) {
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

FrameBoxScore::MatchedPair ErrorsOf(const sensors::Box3D& a, const sensors::Box3D& b) {
  return {(a.center - b.center).norm(), YawErrorDeg(a.yaw, b.yaw),
          (std::abs(a.length - b.length) + std::abs(a.width - b.width) +
           std::abs(a.height - b.height)) /
              3,
          sensors::BevIoU(a, b)};
}

// The precision-recall detections of one frame, matched in descending score order at both IoUs.
void AddCurves(const std::vector<ScoredTruth>& truths,
               const std::vector<ScoredPrediction>& predictions,
               const BoxEvaluationOptions& options, FrameBoxScore& out) {
  for (const bool strict : {false, true}) {
    const std::vector<int> matched = MatchByScore(predictions, truths, options, strict);
    for (std::size_t p = 0; p < predictions.size(); ++p) {
      const int t = matched[p];
      if (t >= 0 ? !truths[t].scored : predictions[p].neutral) continue;
      const int group = static_cast<int>(predictions[p].group);
      (strict ? out.strict : out.loose)[group].push_back({predictions[p].score, t >= 0});
    }
  }
  for (const ScoredTruth& truth : truths) {
    if (truth.scored && truth.group != ScoredGroup::kNone) ++out.num_truth[int(truth.group)];
  }
}

// The report rows of one frame: truths matched by IoU, their box errors, false positives.
void AddRows(const std::vector<ScoredTruth>& truths,
             const std::vector<ScoredPrediction>& predictions, const BoxEvaluationOptions& options,
             FrameBoxScore& out) {
  const std::vector<int> truth_of = MatchByIoU(predictions, truths, options);
  std::vector<int> prediction_of(truths.size(), -1);
  for (std::size_t p = 0; p < predictions.size(); ++p) {
    if (truth_of[p] >= 0) prediction_of[truth_of[p]] = static_cast<int>(p);
  }
  for (std::size_t t = 0; t < truths.size(); ++t) {
    if (!truths[t].scored) continue;
    for (int row : RowsOf(truths[t].object_class)) {
      ++out.rows[row].num_truth;
      if (prediction_of[t] < 0) continue;
      out.rows[row].matched.push_back(ErrorsOf(predictions[prediction_of[t]].box, truths[t].box));
    }
  }
  for (std::size_t p = 0; p < predictions.size(); ++p) {
    const int t = truth_of[p];
    const bool true_positive = t >= 0 && truths[t].scored;
    const bool false_positive = t < 0 && !predictions[p].neutral;
    if (!true_positive && !false_positive) continue;
    for (int row : RowsOf(predictions[p].object_class)) {
      ++out.rows[row].num_predicted;
      out.rows[row].num_false_positives += false_positive;
    }
  }
}

}  // namespace

double NeededIoU(ScoredGroup group, const BoxEvaluationOptions& options, bool strict) {
  if (group == ScoredGroup::kVehicle) {
    return strict ? options.vehicle_strict_iou() : options.vehicle_iou();
  }
  return strict ? options.vulnerable_strict_iou() : options.vulnerable_iou();
}

FrameTruth TruthOf(const std::vector<sensors::KittiLabel>& labels,
                   const sensors::CameraModel& camera,
                   const std::vector<sensors::LidarPoint>& points,
                   const BoxEvaluationOptions& options) {
  FrameTruth out;
  for (const sensors::KittiLabel& label : labels) {
    if (label.type == "DontCare") {
      out.dont_care.push_back(label.bbox);
      continue;
    }
    const sensors::LabeledBox box = sensors::KittiLabelToBox(label, camera.camera_from_vehicle);
    ScoredTruth truth;
    truth.box = box.box;
    const pipeline::LabelScoring scoring = pipeline::ScoringOfLabelType(label.type);
    truth.object_class = ScoredClassOf(label.type, box.object_class, scoring.group);
    truth.track_id = label.track_id;
    truth.group = scoring.group;
    truth.scored = scoring.scored && InScope(camera, truth.box.center, options) &&
                   GroundRange(camera, truth.box.center) <= options.max_range_m() &&
                   PointsInside(truth.box, points) >= options.min_points();
    out.truths.push_back(truth);
  }
  return out;
}

std::optional<ScoredPrediction> PredictionOf(const sensors::LabeledBox& box, int num_points,
                                             const sensors::CameraModel& camera,
                                             const std::vector<Eigen::Vector4d>& dont_care,
                                             const BoxEvaluationOptions& options) {
  const ScoredGroup group = GroupOf(box.object_class);
  if (group == ScoredGroup::kNone || !InScope(camera, box.box.center, options)) {
    return std::nullopt;
  }
  ScoredPrediction p{box.box, box.object_class, group, box.score, box.track_id, false};
  if (const auto pixel = sensors::ProjectToPixel(camera, box.box.center)) {
    for (const Eigen::Vector4d& r : dont_care) {
      p.neutral |=
          pixel->x() >= r[0] && pixel->x() <= r[2] && pixel->y() >= r[1] && pixel->y() <= r[3];
    }
  }
  p.neutral |= GroundRange(camera, box.box.center) > options.max_range_m();
  p.neutral |= num_points < options.min_points();
  return p;
}

std::vector<int> MatchByIoU(const std::vector<ScoredPrediction>& predictions,
                            const std::vector<ScoredTruth>& truths,
                            const BoxEvaluationOptions& options,
                            const std::vector<std::pair<int, int>>& locked) {
  std::vector<int> truth_of(predictions.size(), -1);
  std::vector<char> truth_used(truths.size(), false);
  for (const auto& [p, t] : locked) truth_of[p] = t, truth_used[t] = true;
  std::vector<std::tuple<double, int, int>> pairs;  // (-iou, prediction, truth): sorts best first
  for (std::size_t p = 0; p < predictions.size(); ++p) {
    if (truth_of[p] >= 0) continue;
    for (std::size_t t = 0; t < truths.size(); ++t) {
      if (truth_used[t] || predictions[p].group != truths[t].group) continue;
      const double iou = sensors::BevIoU(predictions[p].box, truths[t].box);
      if (iou >= NeededIoU(truths[t].group, options)) {
        pairs.emplace_back(-iou, static_cast<int>(p), static_cast<int>(t));
      }
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

std::vector<int> MatchByScore(const std::vector<ScoredPrediction>& predictions,
                              const std::vector<ScoredTruth>& truths,
                              const BoxEvaluationOptions& options, bool strict) {
  std::vector<std::size_t> order(predictions.size());
  for (std::size_t p = 0; p < order.size(); ++p) order[p] = p;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return predictions[a].score > predictions[b].score;
  });
  std::vector<int> truth_of(predictions.size(), -1);
  std::vector<char> used(truths.size(), false);
  for (std::size_t p : order) {
    const ScoredGroup group = predictions[p].group;
    double best = NeededIoU(group, options, strict);
    for (std::size_t t = 0; t < truths.size(); ++t) {
      if (used[t] || truths[t].group != group) continue;
      const double iou = sensors::BevIoU(predictions[p].box, truths[t].box);
      if (iou >= best) best = iou, truth_of[p] = static_cast<int>(t);
    }
    if (truth_of[p] >= 0) used[truth_of[p]] = true;
  }
  return truth_of;
}

FrameBoxScore ScoreFrame(const std::vector<ScoredTruth>& truths,
                         const std::vector<ScoredPrediction>& predictions,
                         const BoxEvaluationOptions& options) {
  FrameBoxScore out;
  AddCurves(truths, predictions, options, out);
  // The rows score what the pipeline reports; unsure candidates only extend the curves.
  std::vector<ScoredPrediction> reported;
  std::copy_if(predictions.begin(), predictions.end(), std::back_inserter(reported),
               [](const ScoredPrediction& p) { return !p.unsure; });
  AddRows(truths, reported, options, out);
  return out;
}

BoxScoreSums::BoxScoreSums(const BoxEvaluationOptions& options) : detections_(3) {
  for (int g = 0; g < 3; ++g) {
    detections_[g].name = kGroupNames[g];
    detections_[g].loose_iou = NeededIoU(static_cast<ScoredGroup>(g), options);
    detections_[g].strict_iou = NeededIoU(static_cast<ScoredGroup>(g), options, true);
  }
}

void BoxScoreSums::Add(const FrameBoxScore& frame) {
  for (int g = 0; g < 3; ++g) {
    GroupDetections& group = detections_[g];
    group.loose.insert(group.loose.end(), frame.loose[g].begin(), frame.loose[g].end());
    group.strict.insert(group.strict.end(), frame.strict[g].begin(), frame.strict[g].end());
    group.num_truth += frame.num_truth[g];
  }
  for (int row = 0; row < kNumRows; ++row) {
    RowSums& sums = rows_[row];
    const FrameBoxScore::Row& add = frame.rows[row];
    sums.score.num_truth += add.num_truth;
    sums.score.num_predicted += add.num_predicted;
    sums.score.num_false_positives += add.num_false_positives;
    for (const FrameBoxScore::MatchedPair& pair : add.matched) {
      ++sums.score.num_matched_truth;
      sums.center += pair.center_m;
      sums.yaw += pair.yaw_deg;
      sums.size += pair.size_m;
      sums.iou += pair.bev_iou;
    }
  }
}

std::vector<ClassScore> BoxScoreSums::Classes() const {
  std::vector<ClassScore> out;
  for (int row = 0; row < kNumRows; ++row) {
    ClassScore score = rows_[row].score;
    score.name = kRowNames[row];
    const int matched = score.num_matched_truth;
    score.recall = score.num_truth > 0 ? double(matched) / score.num_truth : 0;
    score.precision =
        score.num_predicted > 0
            ? double(score.num_predicted - score.num_false_positives) / score.num_predicted
            : 0;
    if (matched > 0) {
      score.center_error_m = rows_[row].center / matched;
      score.yaw_error_deg = rows_[row].yaw / matched;
      score.size_error_m = rows_[row].size / matched;
      score.bev_iou = rows_[row].iou / matched;
    }
    out.push_back(score);
  }
  return out;
}

}  // namespace longtail::evaluation
