#include "pipeline/perception/perceive.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "pipeline/perception/box_fitting.h"
#include "pipeline/perception/classify.h"
#include "pipeline/perception/clustering.h"
#include "pipeline/perception/ground.h"

namespace longtail::pipeline {
namespace {

// Valid points in the vehicle frame; NaN/inf and out-of-range returns are only counted.
std::vector<Eigen::Vector3f> ToVehicleFrame(const sensors::LidarScan& scan,
                                            const Eigen::Isometry3d& vehicle_from_lidar,
                                            const proto::PerceptionOptions& options,
                                            std::int64_t* num_invalid) {
  const Eigen::Matrix3f rotation = vehicle_from_lidar.linear().cast<float>();
  const Eigen::Vector3f translation = vehicle_from_lidar.translation().cast<float>();
  const bool identity = vehicle_from_lidar.isApprox(Eigen::Isometry3d::Identity());
  const float min_sq = static_cast<float>(options.min_range_m() * options.min_range_m());
  const float max_sq = static_cast<float>(options.max_range_m() * options.max_range_m());
  std::vector<Eigen::Vector3f> points;
  points.reserve(scan.points.size());
  for (const sensors::LidarPoint& p : scan.points) {
    const float range_sq = p.x * p.x + p.y * p.y + p.z * p.z;
    // NaN compares false with everything, so it fails this test too.
    if (!(range_sq >= min_sq && range_sq <= max_sq)) {
      ++*num_invalid;
      continue;
    }
    const Eigen::Vector3f lidar(p.x, p.y, p.z);
    points.push_back(identity ? lidar : Eigen::Vector3f(rotation * lidar + translation));
  }
  return points;
}

// One point per occupied voxel (the first seen): a light cloud for scan registration.
// Open-addressing hash set of voxel keys, so no per-voxel allocation.
std::vector<Eigen::Vector3f> VoxelDownsample(const std::vector<Eigen::Vector3f>& points,
                                             const std::vector<std::uint8_t>& is_ground,
                                             double voxel_m) {
  std::vector<Eigen::Vector3f> out;
  if (voxel_m <= 0) return out;
  std::size_t capacity = 1024;
  while (capacity < points.size()) capacity *= 2;
  std::vector<std::uint64_t> table(capacity, 0);  // 0 = empty; keys are made non-zero
  const float inv = static_cast<float>(1 / voxel_m);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (is_ground[i]) continue;
    const auto vx = static_cast<std::int64_t>(std::floor(points[i].x() * inv)) + (1 << 20);
    const auto vy = static_cast<std::int64_t>(std::floor(points[i].y() * inv)) + (1 << 20);
    const auto vz = static_cast<std::int64_t>(std::floor(points[i].z() * inv)) + (1 << 20);
    const std::uint64_t key =
        (std::uint64_t(vx) << 42) | (std::uint64_t(vy) << 21) | std::uint64_t(vz);
    std::size_t slot = (key * 0x9E3779B97F4A7C15ull) >> 20 & (capacity - 1);
    while (table[slot] != 0 && table[slot] != key) slot = (slot + 1) & (capacity - 1);
    if (table[slot] == key) continue;
    table[slot] = key;
    out.push_back(points[i]);
  }
  return out;
}

// Whether the points between knee and waist height span at least `fraction` of the box along its
// length or across it. A vehicle's body fills its footprint down low (seen end-on, at least across
// it); a tree crown or a hedge top is wide only up high.
bool HasLowerBody(const std::vector<Eigen::Vector3f>& points, const sensors::Box3D& box,
                  double ground_z, double fraction) {
  const double c = std::cos(box.yaw), s = std::sin(box.yaw);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double min_along = kInf, max_along = -kInf, min_across = kInf, max_across = -kInf;
  for (const Eigen::Vector3f& p : points) {
    const double above = p.z() - ground_z;
    if (above < 0.3 || above > 1.0) continue;
    const double along = c * p.x() + s * p.y(), across = -s * p.x() + c * p.y();
    min_along = std::min(min_along, along), max_along = std::max(max_along, along);
    min_across = std::min(min_across, across), max_across = std::max(max_across, across);
  }
  if (max_along < min_along) return false;
  return max_along - min_along >= fraction * box.length ||
         max_across - min_across >= fraction * box.width;
}

// A vehicle seen only from its rear or front, or only a short piece of it, shows a footprint much
// shorter than the class's length. Its hidden length then runs away from the sensor: of the box's
// two axes, the one nearer the line of sight becomes the length axis.
sensors::Box3D TurnIfSeenEndOn(const sensors::Box3D& box, const TypicalSize& size,
                               const Eigen::Vector2d& sensor_xy) {
  if (box.length >= 0.7 * size.length) return box;
  const Eigen::Vector2d sight = (box.center.head<2>() - sensor_xy).normalized();
  const Eigen::Vector2d axis(std::cos(box.yaw), std::sin(box.yaw));
  if (std::abs(sight.dot(axis)) >= std::sqrt(0.5)) return box;  // already along the sight
  sensors::Box3D turned = box;
  std::swap(turned.length, turned.width);
  turned.yaw = sensors::WrapAngle(box.yaw + std::numbers::pi / 2);
  if (turned.yaw > std::numbers::pi / 2) turned.yaw -= std::numbers::pi;
  return turned;
}

// CPU time of the calling thread, so stage times stay meaningful on a machine shared with other
// work (wall time would count the time slices other processes get).
class Stopwatch {
 public:
  // Milliseconds of this thread's CPU time since the last lap (or construction).
  double Lap() {
    const double now = ThreadCpuMs();
    const double ms = now - start_;
    start_ = now;
    return ms;
  }

 private:
  static double ThreadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
  }
  double start_ = ThreadCpuMs();
};

// A vehicle is sometimes cut into a big cluster and a few small ones (a mirror, a roof rack, a
// wheel arch behind a gap in the returns). A small object whose centre lies inside a vehicle's
// (size-prior extended) box is a part of it, not an object of its own.
std::vector<DetectedObject> DropFragmentsOfVehicles(std::vector<DetectedObject> objects) {
  std::vector<char> fragment(objects.size(), false);
  for (std::size_t v = 0; v < objects.size(); ++v) {
    if (!sensors::IsVehicle(objects[v].object_class)) continue;
    for (std::size_t o = 0; o < objects.size(); ++o) {
      if (o == v || objects[o].num_points >= objects[v].num_points) continue;
      fragment[o] = fragment[o] || sensors::Contains(objects[v].box, objects[o].box.center, 0.1);
    }
  }
  std::vector<DetectedObject> kept;
  for (std::size_t o = 0; o < objects.size(); ++o) {
    if (!fragment[o]) kept.push_back(std::move(objects[o]));
  }
  return kept;
}

// Debris about as tall as the ground threshold is ground to the main pass. Its points above
// `min_height_m` are clustered on their own; a short cluster clear of every object is an unknown
// object (next to an object they are its lower body, and a long one is a kerb).
void AddLowObstacles(const std::vector<Eigen::Vector3f>& points, const GroundSegmentation& ground,
                     const proto::PerceptionOptions& options,
                     std::vector<DetectedObject>* objects) {
  const proto::LowObstacleOptions& low = options.low_obstacles();
  if (low.min_height_m() <= 0) return;
  std::vector<std::uint8_t> not_low(points.size());
  bool any = false;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const bool low_point =
        ground.is_ground[i] && points[i].z() - ground.HeightUnderPoint(i) > low.min_height_m();
    not_low[i] = !low_point;
    any |= low_point;
  }
  if (!any) return;
  const Clusters clusters = ClusterPoints(points, ground, options.cluster(), &not_low);
  const std::size_t num_objects = objects->size();
  std::vector<Eigen::Vector3f> cluster_points;
  for (int c = 0; c < clusters.size(); ++c) {
    cluster_points.clear();
    for (int k = clusters.begin[c]; k < clusters.begin[c + 1]; ++k) {
      cluster_points.push_back(points[clusters.point_indices[k]]);
    }
    const Eigen::Vector3f first = cluster_points.front();
    DetectedObject object;
    object.ground_z = ground.HeightAt(first.x(), first.y());
    object.num_points = static_cast<int>(cluster_points.size());
    object.box = FitBox(cluster_points, object.ground_z, options.box());
    if (std::max(object.box.length, object.box.width) > low.max_extent_m() ||
        std::min(object.box.length, object.box.width) < low.min_depth_m() ||
        (object.box.center.head<2>() - ground.sensor_xy).norm() > options.max_object_range_m()) {
      continue;
    }
    // Clear of every object: no point of it comes near one (checked last: it is the costly test).
    const bool beside_object = std::any_of(
        objects->begin(), objects->begin() + num_objects, [&](const DetectedObject& other) {
          return std::any_of(cluster_points.begin(), cluster_points.end(), [&](const auto& p) {
            return sensors::Contains(other.box, p.template cast<double>(), low.clearance_m());
          });
        });
    if (beside_object) continue;
    objects->push_back(object);
  }
}

}  // namespace

Perception Perceive(const sensors::Frame& frame, const proto::PerceptionOptions& options) {
  return PerceiveWithTimes(frame, options).perception;
}

TimedPerception PerceiveWithTimes(const sensors::Frame& frame,
                                  const proto::PerceptionOptions& options) {
  TimedPerception timed;
  Stopwatch clock;
  Perception& out = timed.perception;
  const Eigen::Isometry3d vehicle_from_lidar =
      frame.calibration ? frame.calibration->vehicle_from_lidar : Eigen::Isometry3d::Identity();
  const double lidar_height = frame.calibration ? frame.calibration->lidar_height_m : 1.73;

  // 1. Valid points in the vehicle frame.
  const std::vector<Eigen::Vector3f> points =
      ToVehicleFrame(frame.lidar, vehicle_from_lidar, options, &out.num_invalid_points);
  out.num_points = static_cast<std::int64_t>(points.size());
  timed.times.transform_ms = clock.Lap();

  // 2. Ground, with the local ground height kept for object heights.
  const Eigen::Vector3d sensor = vehicle_from_lidar.translation();
  const GroundSegmentation ground = SegmentGround(points, sensor, sensor.z() - lidar_height,
                                                  options.max_range_m(), options.ground());
  out.num_ground_points = ground.num_ground;
  timed.times.ground_ms = clock.Lap();

  // 3. Objects: clusters of what stands on the ground.
  const Clusters clusters = ClusterPoints(points, ground, options.cluster());
  timed.times.clustering_ms = clock.Lap();

  // 4. One oriented box and class guess per cluster.
  std::vector<Eigen::Vector3f> cluster_points;
  const Eigen::Vector2d sensor_xy = sensor.head<2>();
  for (int c = 0; c < clusters.size(); ++c) {
    cluster_points.clear();
    Eigen::Vector3f centroid = Eigen::Vector3f::Zero();
    for (int k = clusters.begin[c]; k < clusters.begin[c + 1]; ++k) {
      cluster_points.push_back(points[clusters.point_indices[k]]);
      centroid += cluster_points.back();
    }
    centroid /= static_cast<float>(cluster_points.size());
    if ((centroid.head<2>().cast<double>() - sensor_xy).norm() > options.max_object_range_m()) {
      continue;
    }
    DetectedObject object;
    object.ground_z = ground.HeightAt(centroid.x(), centroid.y());
    object.num_points = static_cast<int>(cluster_points.size());
    sensors::Box3D box = FitBox(cluster_points, object.ground_z, options.box());
    if (box.length > options.cluster().max_extent_m()) continue;
    ClassGuess guess = GuessClass(box, object.num_points, options.classes());
    if (sensors::IsVehicle(guess.object_class) &&
        !HasLowerBody(cluster_points, box, object.ground_z,
                      options.classes().min_vehicle_lower_body_fraction())) {
      guess = {sensors::ObjectClass::kUnknown, guess.confidence};
    }
    object.object_class = guess.object_class;
    object.class_confidence = guess.confidence;
    if (options.box().extend_to_size_prior() && sensors::IsVehicle(guess.object_class)) {
      const TypicalSize size = TypicalSizeOf(guess.object_class);
      box = TurnIfSeenEndOn(box, size, sensor_xy);
      box = ExtendAwayFromSensor(box, size.length, size.width, sensor_xy);
    }
    object.box = box;
    out.objects.push_back(object);
  }

  out.objects = DropFragmentsOfVehicles(std::move(out.objects));
  AddLowObstacles(points, ground, options, &out.objects);
  timed.times.boxes_ms = clock.Lap();

  // 5. A light cloud for lidar ego motion.
  out.registration_points =
      VoxelDownsample(points, ground.is_ground, options.registration_voxel_m());
  timed.times.registration_ms = clock.Lap();
  return timed;
}

}  // namespace longtail::pipeline
