// Ground segmentation on a polar grid with a per-sector outward walk (a local line fit per sector):
// robust to slopes, curbs and range, unlike one global plane.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <vector>

#include "pipeline/proto/perception.pb.h"

namespace longtail::pipeline {

struct GroundSegmentation {
  std::vector<std::uint8_t> is_ground;  // one per input point: 1 = ground (or below-ground noise)
  std::int64_t num_ground = 0;          // points with is_ground = 1
  std::vector<int> non_ground;          // indices of the points with is_ground = 0, increasing
  // Indices of the ground points that stand more than SegmentGround's `low_point_height_m` above
  // their local ground (low obstacles' candidates), increasing; empty when that height is 0.
  std::vector<int> low_ground;

  // The local ground height, m, vehicle frame, under the vehicle-frame point (x, y), m.
  double HeightAt(double x, double y) const;
  // The same under input point i, without recomputing its cell (the clustering hot path).
  float HeightUnderPoint(std::size_t i) const { return cell_ground_z[cell_of_point[i]]; }

  // The polar grid around the sensor, kept so later stages can ask for the local ground height.
  Eigen::Vector2d sensor_xy = Eigen::Vector2d::Zero();  // m, vehicle frame
  double sector_rad = 0, ring_m = 0;                    // rad, m
  int num_sectors = 0, num_rings = 0;
  std::vector<float> cell_ground_z;  // m, vehicle frame, num_sectors x num_rings (sector-major)
  std::vector<int> cell_of_point;    // one per input point: its cell in cell_ground_z
};

// The largest float not above `threshold`: for every float d, `d > FloatAtMost(t)` is exactly
// `static_cast<double>(d) > t` (NaN fails both), so per-point height tests can stay in float.
inline float FloatAtMost(double threshold) {
  const auto f = static_cast<float>(threshold);
  return static_cast<double>(f) > threshold
             ? std::nextafter(f, -std::numeric_limits<float>::infinity())
             : f;
}

// atan2 to about 2e-4 rad, several times faster than std::atan2 (the per-point hot path).
inline float FastAtan2(float y, float x) {
  // A cubic-in-a^2 polynomial for atan on [0, 1] (max error ~1.5e-4 rad), then octant reduction.
  const float ax = std::abs(x), ay = std::abs(y);
  const float mx = std::max(ax, ay), mn = std::min(ax, ay);
  if (mx == 0) return 0;
  const float a = mn / mx;
  const float s = a * a;
  float r = ((-0.0464964749f * s + 0.15931422f) * s - 0.327622764f) * s * a + a;
  if (ay > ax) r = std::numbers::pi_v<float> / 2 - r;
  if (x < 0) r = std::numbers::pi_v<float> - r;
  return y < 0 ? -r : r;
}

// The first step of SegmentGround, filled one point at a time so that the pass which moves the
// points to the vehicle frame bins them too (one atan2 per point for the ground grid and the
// mounting-height check): each point's polar cell, each cell's lowest and highest point, and the
// lowest point of each of EstimateGroundHeight's sectors.
struct PolarBins {
  static constexpr int kNearSectors = 36;               // EstimateGroundHeight's 10-degree sectors
  Eigen::Vector2d sensor_xy = Eigen::Vector2d::Zero();  // m, vehicle frame
  double sector_rad = 0, ring_m = 0;                    // rad, m
  int num_sectors = 0, num_rings = 0;
  std::vector<int> cell_of_point;               // one per added point
  std::vector<float> lowest, highest;           // m, per cell; +inf / -inf when empty
  std::array<float, kNearSectors> near_lowest;  // m; +inf when empty

  // Appends point p (vehicle frame, m) as the next point.
  void Add(const Eigen::Vector3f& p) {
    const float dx = p.x() - sx_, dy = p.y() - sy_, r2 = dx * dx + dy * dy;
    const float angle = FastAtan2(dy, dx) + std::numbers::pi_v<float>;
    const int sector = std::min(num_sectors - 1, static_cast<int>(angle * inv_sector_));
    const int ring = std::min(num_rings - 1, static_cast<int>(std::sqrt(r2) * inv_ring_));
    const int cell = sector * num_rings + ring;
    cell_of_point.push_back(cell);
    lowest[cell] = std::min(lowest[cell], p.z());
    highest[cell] = std::max(highest[cell], p.z());
    if (r2 >= 4.f * 4.f && r2 <= 20.f * 20.f) {
      const float turn = angle / (2 * std::numbers::pi_v<float>);
      const int near = std::min(kNearSectors - 1, static_cast<int>(turn * kNearSectors));
      near_lowest[near] = std::min(near_lowest[near], p.z());
    }
  }

  // Add on each of points[0, count), in order; four points at a time where SSE2 is available
  // (the same results to the bit).
  void AddRange(const Eigen::Vector3f* points, std::size_t count);

  float sx_ = 0, sy_ = 0, inv_sector_ = 0, inv_ring_ = 0;  // Add's precomputed constants
};

// An empty grid around `sensor_xy` (m, vehicle frame) reaching `max_range_m`, room reserved for
// `expected_points`.
PolarBins MakePolarBins(const Eigen::Vector2d& sensor_xy, double max_range_m,
                        const proto::GroundOptions& options, std::size_t expected_points);

// `points` are in the vehicle frame; `sensor_origin` is the lidar's position in it, m, and
// `expected_ground_z` the road height right under the sensor, m (origin z - mounting height).
GroundSegmentation SegmentGround(const std::vector<Eigen::Vector3f>& points,
                                 const Eigen::Vector3d& sensor_origin, double expected_ground_z,
                                 double max_range_m, const proto::GroundOptions& options);
// The same from `bins`, filled by PolarBins::Add with `points` in order (and the same options),
// listing the ground points higher than `low_point_height_m` above their local ground when it is
// positive (they are labelled in the same pass).
GroundSegmentation SegmentGround(const std::vector<Eigen::Vector3f>& points, PolarBins bins,
                                 double expected_ground_z, const proto::GroundOptions& options,
                                 double low_point_height_m = 0);

// The road height near the sensor read from the scan itself, m, vehicle frame: the median over
// 10-degree sectors of each sector's lowest point between 4 and 20 m (horizontally) from
// `sensor_xy`. NaN when fewer than a third of the sectors see anything there. For sensors whose
// mounting the calibration does not state (points in a vehicle frame whose origin is not on the
// road, such as Argoverse 2's rear axle).
double EstimateGroundHeight(const std::vector<Eigen::Vector3f>& points,
                            const Eigen::Vector2d& sensor_xy);
// The same from the sectors PolarBins::Add filled.
double EstimateGroundHeight(const PolarBins& bins);

}  // namespace longtail::pipeline
