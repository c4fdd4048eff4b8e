// Ground segmentation on a polar grid with a per-sector outward walk (a local line fit per sector):
// robust to slopes, curbs and range, unlike one global plane.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "pipeline/proto/perception.pb.h"

namespace longtail::pipeline {

struct GroundSegmentation {
  std::vector<std::uint8_t> is_ground;  // one per input point: 1 = ground (or below-ground noise)
  std::int64_t num_ground = 0;          // points with is_ground = 1

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

// `points` are in the vehicle frame; `sensor_origin` is the lidar's position in it, m, and
// `expected_ground_z` the road height right under the sensor, m (origin z - mounting height).
GroundSegmentation SegmentGround(const std::vector<Eigen::Vector3f>& points,
                                 const Eigen::Vector3d& sensor_origin, double expected_ground_z,
                                 double max_range_m, const proto::GroundOptions& options);

// The road height near the sensor read from the scan itself, m, vehicle frame: the median over
// 10-degree sectors of each sector's lowest point between 4 and 20 m (horizontally) from
// `sensor_xy`. NaN when fewer than a third of the sectors see anything there. For sensors whose
// mounting the calibration does not state (points in a vehicle frame whose origin is not on the
// road, such as Argoverse 2's rear axle).
double EstimateGroundHeight(const std::vector<Eigen::Vector3f>& points,
                            const Eigen::Vector2d& sensor_xy);

// atan2 to about 2e-4 rad, several times faster than std::atan2 (the per-point hot path).
float FastAtan2(float y, float x);

}  // namespace longtail::pipeline
