#include "pipeline/perception/perceive.h"

#include <time.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#include "pipeline/perception/box_fitting.h"
#include "pipeline/perception/class_model.h"
#include "pipeline/perception/classify.h"
#include "pipeline/perception/clustering.h"
#include "pipeline/perception/ground.h"

namespace longtail::pipeline {
namespace {

// Valid points in the vehicle frame, with their reflectance divided by the scan's mean (sensors
// report 0..1 or 0..255; the ratio means the same on both), binned on the ground's polar grid in
// the same pass; NaN/inf and out-of-range returns are only counted.
struct VehicleFramePoints {
  std::vector<Eigen::Vector3f> points;
  std::vector<float> reflectance;
  PolarBins bins;
};
constexpr std::size_t kBinBlock = 256;  // input points filtered and binned at a time, a few kB
VehicleFramePoints ToVehicleFrame(const sensors::LidarScan& scan,
                                  const Eigen::Isometry3d& vehicle_from_lidar,
                                  const proto::PerceptionOptions& options,
                                  std::int64_t* num_invalid) {
  const Eigen::Matrix3f rotation = vehicle_from_lidar.linear().cast<float>();
  const Eigen::Vector3f translation = vehicle_from_lidar.translation().cast<float>();
  const bool identity = vehicle_from_lidar.isApprox(Eigen::Isometry3d::Identity());
  const float min_sq = static_cast<float>(options.min_range_m() * options.min_range_m());
  const float max_sq = static_cast<float>(options.max_range_m() * options.max_range_m());
  const std::size_t n = scan.points.size();
  VehicleFramePoints out;
  // Sized once and written by index: no per-point growth checks in the loop.
  out.points.resize(n);
  out.reflectance.resize(n);
  out.bins = MakePolarBins(vehicle_from_lidar.translation().head<2>(), options.max_range_m(),
                           options.ground(), n);
  std::size_t kept = 0;
  double reflectance_sum = 0;
  const auto keep = [&](const sensors::LidarPoint& p) {
    const Eigen::Vector3f lidar(p.x, p.y, p.z);
    out.points[kept] = identity ? lidar : Eigen::Vector3f(rotation * lidar + translation);
    out.reflectance[kept] = p.intensity;
    reflectance_sum += p.intensity;
    ++kept;
  };
  // Blocks of input points: filter and move them, then bin the kept ones while in cache.
  for (std::size_t start = 0; start < n; start += kBinBlock) {
    const std::size_t end = std::min(n, start + kBinBlock), block_first = kept;
    std::size_t i = start;
#if defined(__SSE2__)
    // The range and finiteness tests four points at once, as the loop below computes them.
    const __m128 vmin_sq = _mm_set1_ps(min_sq), vmax_sq = _mm_set1_ps(max_sq);
    const __m128 abs_mask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    const __m128 inf = _mm_set1_ps(std::numeric_limits<float>::infinity());
    for (; i + 4 <= end; i += 4) {
      const sensors::LidarPoint* p = scan.points.data() + i;
      __m128 x = _mm_loadu_ps(&p[0].x), y = _mm_loadu_ps(&p[1].x);
      __m128 z = _mm_loadu_ps(&p[2].x), intensity = _mm_loadu_ps(&p[3].x);
      _MM_TRANSPOSE4_PS(x, y, z, intensity);
      const __m128 range_sq =
          _mm_add_ps(_mm_add_ps(_mm_mul_ps(x, x), _mm_mul_ps(y, y)), _mm_mul_ps(z, z));
      const __m128 valid =
          _mm_and_ps(_mm_and_ps(_mm_cmpge_ps(range_sq, vmin_sq), _mm_cmple_ps(range_sq, vmax_sq)),
                     _mm_cmplt_ps(_mm_and_ps(intensity, abs_mask), inf));
      const int mask = _mm_movemask_ps(valid);
      for (int k = 0; k < 4; ++k) {
        if (mask & (1 << k)) keep(p[k]);
      }
    }
#endif
    for (; i < end; ++i) {
      const sensors::LidarPoint& p = scan.points[i];
      const float range_sq = p.x * p.x + p.y * p.y + p.z * p.z;
      // NaN compares false with everything, so it fails this test too.
      if (range_sq >= min_sq && range_sq <= max_sq && std::isfinite(p.intensity)) keep(p);
    }
    out.bins.AddRange(out.points.data() + block_first, kept - block_first);
  }
  *num_invalid += static_cast<std::int64_t>(n - kept);
  out.points.resize(kept);
  out.reflectance.resize(kept);
  if (reflectance_sum > 0) {
    const auto scale = static_cast<float>(out.reflectance.size() / reflectance_sum);
    for (float& r : out.reflectance) r *= scale;
  }
  return out;
}

// floor() for the voxel keys, without a libm call: exact for the |v| < 2^31 a scan's ranges give.
inline std::int64_t FloorToInt(float v) {
  const auto t = static_cast<std::int64_t>(v);
  return t - (v < static_cast<float>(t));
}

// A set of non-zero 64-bit keys: open addressing, linear probing, kept at most half full. It
// grows with what it holds (a scan's non-ground points fill a few thousand voxels), so the table
// stays in cache; each thread keeps its table and clears only the slots it filled.
class KeySet {
 public:
  KeySet() : table_(thread_table_) {
    if (table_.empty()) table_.assign(std::size_t(1) << kFirstBits, 0);
    bits_ = std::countr_zero(table_.size());
  }
  ~KeySet() {
    for (const std::size_t slot : filled_) table_[slot] = 0;
  }
  KeySet(const KeySet&) = delete;
  KeySet& operator=(const KeySet&) = delete;

  // Adds `key`; false when it was there already.
  bool Insert(std::uint64_t key) {
    std::size_t slot = SlotOf(key);
    if (table_[slot] == key) return false;
    if (2 * (filled_.size() + 1) > table_.size()) {
      Grow();
      slot = SlotOf(key);
    }
    table_[slot] = key;
    filled_.push_back(slot);
    return true;
  }

 private:
  static constexpr int kFirstBits = 12;

  // The slot holding `key`, or the empty slot where it would go.
  std::size_t SlotOf(std::uint64_t key) const {
    // Fibonacci hashing: the product's top bits depend on every bit of the key (its middle bits
    // would ignore x, and whole rows of voxels would collide).
    const std::size_t mask = table_.size() - 1;
    std::size_t slot = (key * 0x9E3779B97F4A7C15ull) >> (64 - bits_);
    while (table_[slot] != 0 && table_[slot] != key) slot = (slot + 1) & mask;
    return slot;
  }

  void Grow() {
    std::vector<std::uint64_t> keys;
    keys.reserve(filled_.size());
    for (const std::size_t slot : filled_) keys.push_back(table_[slot]);
    table_.assign(table_.size() * 2, 0);
    ++bits_;
    filled_.clear();
    for (const std::uint64_t key : keys) {
      const std::size_t slot = SlotOf(key);
      table_[slot] = key;
      filled_.push_back(slot);
    }
  }

  static thread_local std::vector<std::uint64_t> thread_table_;  // 0 = empty
  std::vector<std::uint64_t>& table_;
  int bits_ = kFirstBits;
  std::vector<std::size_t> filled_;
};
thread_local std::vector<std::uint64_t> KeySet::thread_table_;

// One point per occupied voxel (the first seen): a light cloud for scan registration.
std::vector<Eigen::Vector3f> VoxelDownsample(const std::vector<Eigen::Vector3f>& points,
                                             const GroundSegmentation& ground, double voxel_m) {
  std::vector<Eigen::Vector3f> out;
  if (voxel_m <= 0) return out;
  KeySet seen;
  const float inv = static_cast<float>(1 / voxel_m);
  for (const int i : ground.non_ground) {
    const std::int64_t vx = FloorToInt(points[i].x() * inv) + (1 << 20);
    const std::int64_t vy = FloorToInt(points[i].y() * inv) + (1 << 20);
    const std::int64_t vz = FloorToInt(points[i].z() * inv) + (1 << 20);
    const std::uint64_t key =
        (std::uint64_t(vx) << 42) | (std::uint64_t(vy) << 21) | std::uint64_t(vz);
    if (seen.Insert(key)) out.push_back(points[i]);
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
// two axes, the one nearer the line of sight becomes the length axis. A footprint longer than
// kMaxWidthFactor times the class's width is no end view (in the KITTI labels 99.9% of cars are
// at most 1.25 times the car's typical width wide): it is a piece of the vehicle's side and keeps
// its axes.
constexpr double kMaxWidthFactor = 1.25;

sensors::Box3D TurnIfSeenEndOn(const sensors::Box3D& box, const TypicalSize& size,
                               const Eigen::Vector2d& sensor_xy) {
  if (box.length >= 0.7 * size.length || box.length > kMaxWidthFactor * size.width) return box;
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

// sensors::Contains(box, point, margin) with the box's sine and cosine computed once, and a circle
// around the box that rejects far points with one distance (the test runs for every object
// against every vehicle, and for every low point against every object).
class NearBox {
 public:
  NearBox(const sensors::Box3D& box, double margin)
      : center_(box.center),
        c_(std::cos(box.yaw)),
        s_(std::sin(box.yaw)),
        half_length_(box.length / 2 + margin),
        half_width_(box.width / 2 + margin),
        half_height_(box.height / 2 + margin),
        // Slightly larger than the half diagonal, so rounding never rejects a point inside.
        reach_sq_((half_length_ * half_length_ + half_width_ * half_width_) * (1 + 1e-9) + 1e-9) {}

  bool Contains(const Eigen::Vector3f& point) const {
    return Contains(Eigen::Vector3d(point.cast<double>()));
  }
  bool Contains(const Eigen::Vector3d& point) const {
    const Eigen::Vector3d d = point - center_;
    if (d.x() * d.x() + d.y() * d.y() > reach_sq_) return false;
    const double local_x = c_ * d.x() + s_ * d.y();
    const double local_y = -s_ * d.x() + c_ * d.y();
    return std::abs(local_x) <= half_length_ && std::abs(local_y) <= half_width_ &&
           std::abs(d.z()) <= half_height_;
  }

 private:
  Eigen::Vector3d center_;
  double c_, s_, half_length_, half_width_, half_height_, reach_sq_;
};

// A vehicle is sometimes cut into a big cluster and a few small ones (a mirror, a roof rack, a
// wheel arch behind a gap in the returns). A small object whose centre lies inside a vehicle's
// (size-prior extended) box is a part of it, not an object of its own.
// Which objects to keep (1) and which are fragments of a vehicle (0): a smaller object whose tight
// box centre (before any size prior moved it away from the sensor) lies in a vehicle's box.
std::vector<char> NotFragmentsOfVehicles(const std::vector<DetectedObject>& objects,
                                         const std::vector<sensors::Box3D>& tight_boxes) {
  std::vector<char> keep(objects.size(), true);
  for (std::size_t v = 0; v < objects.size(); ++v) {
    if (!sensors::IsVehicle(objects[v].object_class)) continue;
    const NearBox vehicle(objects[v].box, 0.3);
    for (std::size_t o = 0; o < objects.size(); ++o) {
      if (o == v || objects[o].num_points >= objects[v].num_points) continue;
      if (vehicle.Contains(tight_boxes[o].center)) keep[o] = false;
    }
  }
  return keep;
}

// The largest-vote non-background class and its probability; vehicles get their kind (car, van,
// truck) from their size.
ClassGuess MostLikelyClass(const ClassProbabilities& probabilities, const sensors::Box3D& box) {
  int best = static_cast<int>(ModelClass::kVehicle);
  for (int c = best + 1; c < kNumModelClasses; ++c) {
    if (probabilities.p[c] > probabilities.p[best]) best = c;
  }
  const double confidence = probabilities.p[best];
  switch (static_cast<ModelClass>(best)) {
    case ModelClass::kPedestrian:
      return {ObjectClass::kPedestrian, confidence};
    case ModelClass::kCyclist:
      return {ObjectClass::kCyclist, confidence};
    default:
      return {VehicleKind(box), confidence};
  }
}

// Debris about as tall as the ground threshold is ground to the main pass. Its points above
// `min_height_m` are clustered on their own; a short cluster clear of every object is an unknown
// object (next to an object they are its lower body, and a long one is a kerb).
void AddLowObstacles(const std::vector<Eigen::Vector3f>& points, const GroundSegmentation& ground,
                     const proto::PerceptionOptions& options,
                     std::vector<DetectedObject>* objects) {
  const proto::LowObstacleOptions& low = options.low_obstacles();
  // Ground segmentation lists no low points when min_height_m is 0 (the pass is off).
  if (ground.low_ground.empty()) return;
  const Clusters clusters = ClusterPoints(points, ground.low_ground, ground, options.cluster());
  std::vector<NearBox> near_boxes;
  for (const DetectedObject& object : *objects)
    near_boxes.emplace_back(object.box, low.clearance_m());
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
    const bool beside_object =
        std::any_of(near_boxes.begin(), near_boxes.end(), [&](const NearBox& near) {
          return std::any_of(cluster_points.begin(), cluster_points.end(),
                             [&](const Eigen::Vector3f& p) { return near.Contains(p); });
        });
    if (beside_object) continue;
    objects->push_back(object);
  }
}

// The road height under the vehicle origin, m, vehicle frame, with the lidar at `sensor`.
double ExpectedGroundZ(const sensors::Frame& frame, const Eigen::Vector3d& sensor,
                       const PolarBins& bins) {
  // The mounting height is the log's (its calibration); a frame without one has none, and the
  // road height is then read from the scan, the sensor layer's default only if it cannot.
  const double lidar_height =
      (frame.calibration ? *frame.calibration : sensors::Calibration()).lidar_height_m;
  double expected_ground_z = sensor.z() - lidar_height;
  // A mounting height half a metre off what the scan shows belongs to another sensor or frame
  // (Argoverse 2 points are in a frame whose origin is the rear axle, 0.35 m above the road): the
  // scan is right.
  const double measured_ground_z = EstimateGroundHeight(bins);
  if (std::isfinite(measured_ground_z) &&
      (!frame.calibration || std::abs(measured_ground_z - expected_ground_z) > 0.5)) {
    expected_ground_z = measured_ground_z;
  }
  return expected_ground_z;
}

// One tight box per cluster within range and not too long to be an object, before any class
// decision, with what the class decision needs of the cluster's points (they are not kept).
struct BoxedClusters {
  std::vector<DetectedObject> objects;    // box, ground height, point count; class not set
  std::vector<ClusterFeatures> features;  // per object, when a class model or evidence needs them
  std::vector<char> has_lower_body;       // per object, for the size rule when there is no model
  double boxes_ms = 0, features_ms = 0;   // CPU time of box fitting and of the features
};

BoxedClusters BoxClusters(const VehicleFramePoints& valid, const Clusters& clusters,
                          const GroundSegmentation& ground, const Eigen::Vector2d& sensor_xy,
                          bool need_features, bool use_size_rule,
                          const proto::PerceptionOptions& options, Stopwatch& clock) {
  const std::vector<Eigen::Vector3f>& points = valid.points;
  BoxedClusters out;
  // Reused across clusters: one allocation for the scan.
  std::vector<Eigen::Vector3f> cluster_points;
  std::vector<float> cluster_reflectance;
  const auto gather = [&](int c) {
    cluster_points.resize(clusters.count(c));
    for (int k = clusters.begin[c], j = 0; k < clusters.begin[c + 1]; ++k, ++j) {
      cluster_points[j] = points[clusters.point_indices[k]];
    }
  };
  // Boxes first, then the features of the clusters kept, so each is timed with two clock reads
  // per scan (a thread CPU clock read is a system call, too costly per cluster).
  std::vector<int> kept;  // cluster of each object
  for (int c = 0; c < clusters.size(); ++c) {
    gather(c);
    Eigen::Vector3f centroid = Eigen::Vector3f::Zero();
    for (const Eigen::Vector3f& p : cluster_points) centroid += p;
    centroid /= static_cast<float>(cluster_points.size());
    if ((centroid.head<2>().cast<double>() - sensor_xy).norm() > options.max_object_range_m()) {
      continue;
    }
    DetectedObject object;
    object.ground_z = ground.HeightAt(centroid.x(), centroid.y());
    object.num_points = static_cast<int>(cluster_points.size());
    object.box = FitBox(cluster_points, object.ground_z, options.box());
    if (object.box.length > options.cluster().max_extent_m()) continue;
    out.objects.push_back(object);
    kept.push_back(c);
  }
  out.boxes_ms = clock.Lap();
  if (!need_features && !use_size_rule) return out;
  for (std::size_t o = 0; o < out.objects.size(); ++o) {
    const int c = kept[o];
    gather(c);
    cluster_reflectance.resize(cluster_points.size());
    for (int k = clusters.begin[c], j = 0; k < clusters.begin[c + 1]; ++k, ++j) {
      cluster_reflectance[j] = valid.reflectance[clusters.point_indices[k]];
    }
    const DetectedObject& object = out.objects[o];
    if (need_features) {
      out.features.push_back(ComputeClusterFeatures(
          {&cluster_points, &cluster_reflectance, object.box, object.ground_z, sensor_xy}));
    }
    if (use_size_rule) {
      out.has_lower_body.push_back(
          HasLowerBody(cluster_points, object.box, object.ground_z,
                       options.classes().min_vehicle_lower_body_fraction()));
    }
  }
  out.features_ms = clock.Lap();
  return out;
}

// The objects with their classes, and their boxes as fitted (before a vehicle's box grows to its
// class's typical size: fragments of vehicles are found on the tight boxes).
struct ClassifiedObjects {
  std::vector<DetectedObject> objects;
  std::vector<sensors::Box3D> tight_boxes;
};

// Whether an object at least `height_m` tall stands within 2 m of object `o`: a car seen from
// behind splits into its rear face and its cabin where no beam meets the boot lid between them.
bool BesideATallerObject(const std::vector<DetectedObject>& objects, std::size_t o,
                         double height_m) {
  const Eigen::Vector3d& centre = objects[o].box.center;
  return std::any_of(objects.begin(), objects.end(), [&](const DetectedObject& other) {
    return other.box.height >= height_m &&
           (other.box.center.head<2>() - centre.head<2>()).norm() < 2.0;
  });
}

// Classes: the learned model's calibrated probabilities, or the size rule without a model.
ClassifiedObjects DecideClasses(const BoxedClusters& boxed, const ClassModel& model,
                                const Eigen::Vector2d& sensor_xy,
                                const proto::PerceptionOptions& options) {
  std::vector<ClassProbabilities> probabilities;
  if (!model.empty()) probabilities = model.Predict(boxed.features);
  ClassifiedObjects out;
  out.objects = boxed.objects;
  for (std::size_t o = 0; o < out.objects.size(); ++o) {
    DetectedObject& object = out.objects[o];
    out.tight_boxes.push_back(object.box);
    ClassGuess guess;
    if (!model.empty()) {
      if (TooLowForAVehicle(boxed.features[o], options.classes()) &&
          !BesideATallerObject(boxed.objects, o, options.classes().min_vehicle_height_m())) {
        probabilities[o].p[static_cast<int>(ModelClass::kVehicle)] = 0;
      }
      guess = MostLikelyClass(probabilities[o], object.box);
      if (guess.confidence < options.classes().min_confidence()) {
        object.unsure_class = guess.object_class;
        guess.object_class = sensors::ObjectClass::kUnknown;
      }
    } else {
      guess = GuessClass(object.box, object.num_points, options.classes());
      if (sensors::IsVehicle(guess.object_class) && !boxed.has_lower_body[o]) {
        guess = {sensors::ObjectClass::kUnknown, guess.confidence};
      }
    }
    object.object_class = guess.object_class;
    object.class_confidence = guess.confidence;
    if (options.box().extend_to_size_prior()) {
      object.box = SizePriorBox(object.box, guess.object_class, sensor_xy);
    }
  }
  return out;
}

// The pass over one scan. `evidence`, when set, receives each object's features. Times are CPU
// times; the features and the class decision count in both the boxes' and the classes' times.
Perception PerceiveAll(const sensors::Frame& frame, const proto::PerceptionOptions& options,
                       PerceptionTimes* times,
                       std::vector<std::optional<ObjectEvidence>>* evidence) {
  Stopwatch clock;
  Perception out;
  const Eigen::Isometry3d vehicle_from_lidar =
      frame.calibration ? frame.calibration->vehicle_from_lidar : Eigen::Isometry3d::Identity();

  // 1. Valid points in the vehicle frame.
  VehicleFramePoints valid =
      ToVehicleFrame(frame.lidar, vehicle_from_lidar, options, &out.num_invalid_points);
  const std::vector<Eigen::Vector3f>& points = valid.points;
  out.num_points = static_cast<std::int64_t>(points.size());
  times->transform_ms = clock.Lap();

  // 2. Ground, with the local ground height kept for object heights.
  const Eigen::Vector3d sensor = vehicle_from_lidar.translation();
  const double expected_ground_z = ExpectedGroundZ(frame, sensor, valid.bins);
  const GroundSegmentation ground =
      SegmentGround(points, std::move(valid.bins), expected_ground_z, options.ground(),
                    options.low_obstacles().min_height_m());
  out.num_ground_points = ground.num_ground;
  times->ground_ms = clock.Lap();

  // 3. Objects: clusters of what stands on the ground.
  const Clusters clusters = ClusterPoints(points, ground.non_ground, ground, options.cluster());
  times->clustering_ms = clock.Lap();

  // 4. One tight box and feature vector per cluster.
  const ClassModel& model = ClassModel::ForOptions(options.classes());
  const Eigen::Vector2d sensor_xy = sensor.head<2>();
  const BoxedClusters boxed =
      BoxClusters(valid, clusters, ground, sensor_xy, !model.empty() || evidence, model.empty(),
                  options, clock);
  double boxes_ms = boxed.boxes_ms + boxed.features_ms;
  double classes_ms = boxed.features_ms;

  // 5. Classes, then vehicle fragments merge into their vehicles.
  boxes_ms += clock.Lap();
  const ClassifiedObjects classified = DecideClasses(boxed, model, sensor_xy, options);
  const double decide_ms = clock.Lap();
  classes_ms += decide_ms, boxes_ms += decide_ms;
  times->classes_ms = classes_ms;

  const std::vector<char> keep = NotFragmentsOfVehicles(classified.objects, classified.tight_boxes);
  for (std::size_t o = 0; o < classified.objects.size(); ++o) {
    if (!keep[o]) continue;
    out.objects.push_back(classified.objects[o]);
    if (evidence) {
      evidence->push_back(ObjectEvidence{boxed.features[o], classified.tight_boxes[o]});
    }
  }
  AddLowObstacles(points, ground, options, &out.objects);
  if (evidence) evidence->resize(out.objects.size());
  times->boxes_ms = boxes_ms + clock.Lap();

  // 6. A light cloud for lidar ego motion.
  out.registration_points = VoxelDownsample(points, ground, options.registration_voxel_m());
  times->registration_ms = clock.Lap();
  return out;
}

}  // namespace

sensors::Box3D SizePriorBox(const sensors::Box3D& tight_box, sensors::ObjectClass object_class,
                            const Eigen::Vector2d& sensor_xy) {
  if (!sensors::IsVehicle(object_class)) return tight_box;
  const TypicalSize size = TypicalSizeOf(object_class);
  return ExtendAwayFromSensor(TurnIfSeenEndOn(tight_box, size, sensor_xy), size.length, size.width,
                              sensor_xy);
}

sensors::Box3D LabelBox(const sensors::Box3D& box, sensors::ObjectClass object_class,
                        const Eigen::Vector2d& sensor_xy) {
  if (object_class != sensors::ObjectClass::kPedestrian) {
    return SizePriorBox(box, object_class, sensor_xy);
  }
  // A person's points lie on the side facing the lidar and the body reaches past them: the fitted
  // box often overlaps the labelled one by less than 0.3. (Growing a cyclist's box, whose points
  // span the bicycle, made it less accurate.)
  const TypicalSize size = TypicalSizeOf(object_class);
  return ExtendAwayFromSensor(box, size.length, size.width, sensor_xy);
}

Perception Perceive(const sensors::Frame& frame, const proto::PerceptionOptions& options) {
  return PerceiveWithTimes(frame, options).perception;
}

TimedPerception PerceiveWithTimes(const sensors::Frame& frame,
                                  const proto::PerceptionOptions& options) {
  TimedPerception timed;
  timed.perception = PerceiveAll(frame, options, &timed.times, nullptr);
  return timed;
}

PerceptionWithEvidence PerceiveWithEvidence(const sensors::Frame& frame,
                                            const proto::PerceptionOptions& options) {
  PerceptionWithEvidence out;
  PerceptionTimes times;
  out.perception = PerceiveAll(frame, options, &times, &out.evidence);
  return out;
}

}  // namespace longtail::pipeline
