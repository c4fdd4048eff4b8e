#include "pipeline/perception/ground.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace longtail::pipeline {

double GroundSegmentation::HeightAt(double x, double y) const {
  if (num_sectors == 0 || num_rings == 0) return 0;
  const double dx = x - sensor_xy.x(), dy = y - sensor_xy.y();
  int sector = static_cast<int>((FastAtan2(dy, dx) + std::numbers::pi) / sector_rad);
  sector = std::clamp(sector, 0, num_sectors - 1);
  const int ring = std::clamp(static_cast<int>(std::hypot(dx, dy) / ring_m), 0, num_rings - 1);
  return cell_ground_z[sector * num_rings + ring];
}

namespace {

// The median of the sectors' lowest points, NaN when fewer than a third of them saw anything.
double MedianOfSeenSectors(const std::array<float, PolarBins::kNearSectors>& lowest) {
  std::vector<float> seen;
  for (float z : lowest) {
    if (std::isfinite(z)) seen.push_back(z);
  }
  if (seen.size() * 3 < lowest.size()) return std::numeric_limits<double>::quiet_NaN();
  std::nth_element(seen.begin(), seen.begin() + seen.size() / 2, seen.end());
  return seen[seen.size() / 2];
}

}  // namespace

double EstimateGroundHeight(const std::vector<Eigen::Vector3f>& points,
                            const Eigen::Vector2d& sensor_xy) {
  // Any grid will do: only the near sectors are read.
  PolarBins bins = MakePolarBins(sensor_xy, 1, proto::GroundOptions(), points.size());
  for (const Eigen::Vector3f& p : points) bins.Add(p);
  return EstimateGroundHeight(bins);
}

double EstimateGroundHeight(const PolarBins& bins) { return MedianOfSeenSectors(bins.near_lowest); }

PolarBins MakePolarBins(const Eigen::Vector2d& sensor_xy, double max_range_m,
                        const proto::GroundOptions& options, std::size_t expected_points) {
  PolarBins bins;
  bins.sensor_xy = sensor_xy;
  bins.sector_rad = options.sector_deg() * std::numbers::pi / 180;
  bins.ring_m = options.ring_m();
  bins.num_sectors =
      std::max(1, static_cast<int>(std::ceil(2 * std::numbers::pi / bins.sector_rad)));
  bins.num_rings = std::max(1, static_cast<int>(std::ceil(max_range_m / bins.ring_m)) + 1);
  const int num_cells = bins.num_sectors * bins.num_rings;
  constexpr float kEmpty = std::numeric_limits<float>::infinity();
  bins.lowest.assign(num_cells, kEmpty);
  bins.highest.assign(num_cells, -kEmpty);
  bins.near_lowest.fill(kEmpty);
  bins.cell_of_point.reserve(expected_points);
  bins.sx_ = static_cast<float>(sensor_xy.x());
  bins.sy_ = static_cast<float>(sensor_xy.y());
  bins.inv_sector_ = static_cast<float>(1 / bins.sector_rad);
  bins.inv_ring_ = static_cast<float>(1 / bins.ring_m);
  return bins;
}

GroundSegmentation SegmentGround(const std::vector<Eigen::Vector3f>& points,
                                 const Eigen::Vector3d& sensor_origin, double expected_ground_z,
                                 double max_range_m, const proto::GroundOptions& options) {
  // 1. The lowest point of every polar cell, and each point's cell.
  PolarBins bins = MakePolarBins(sensor_origin.head<2>(), max_range_m, options, points.size());
  for (const Eigen::Vector3f& p : points) bins.Add(p);
  return SegmentGround(points, std::move(bins), expected_ground_z, options);
}

GroundSegmentation SegmentGround(const std::vector<Eigen::Vector3f>& points, PolarBins bins,
                                 double expected_ground_z, const proto::GroundOptions& options) {
  GroundSegmentation out;
  out.sensor_xy = bins.sensor_xy;
  out.sector_rad = bins.sector_rad;
  out.ring_m = bins.ring_m;
  out.num_sectors = bins.num_sectors;
  out.num_rings = bins.num_rings;
  out.cell_of_point = std::move(bins.cell_of_point);
  const std::vector<float>& lowest = bins.lowest;
  const std::vector<float>& highest = bins.highest;
  const int num_cells = out.num_sectors * out.num_rings;
  constexpr float kEmpty = std::numeric_limits<float>::infinity();

  // 2. Walk each sector outward from the sensor. A cell's lowest point continues the ground when
  // the rise from the last ground cell fits the slope limit plus a small step; otherwise the cell
  // is an object standing on the last ground height (flat extrapolation). A cell that also holds
  // something tall must sit right on the last ground: its lowest point is then likely the bottom
  // of a car or a wall with no road return under it, and a slope allowance would lift the ground.
  std::vector<float> ground(num_cells);
  std::vector<std::uint8_t> observed(num_cells, 0);  // the cell's own lowest point is ground
  for (int s = 0; s < out.num_sectors; ++s) {
    double last_z = expected_ground_z, last_r = 0;
    for (int r = 0; r < out.num_rings; ++r) {
      const int cell = s * out.num_rings + r;
      const double center_r = (r + 0.5) * out.ring_m;
      const double low = lowest[cell];
      if (low != kEmpty) {
        const double rise = low - last_z;
        const bool tall = highest[cell] - low > options.tall_cell_m();
        const double allowed =
            (tall ? 0.0 : options.max_slope() * (center_r - last_r)) + options.max_step_m();
        // Lower than the slope allows is noise (multipath returns under the road), not ground.
        if (rise <= allowed && rise >= -allowed) {
          last_z = low;
          last_r = center_r;
          observed[cell] = 1;
        }
      }
      ground[cell] = static_cast<float>(last_z);
    }
  }

  // 3. Smooth across neighbouring sectors so one sector's mistake does not leak: the median of the
  // three when all saw ground there, else the mean of those that did (a sparse far sector must not
  // be outvoted by its neighbours' flat extrapolation).
  out.cell_ground_z.resize(num_cells);
  for (int s = 0; s < out.num_sectors; ++s) {
    const int prev = (s + out.num_sectors - 1) % out.num_sectors, next = (s + 1) % out.num_sectors;
    for (int r = 0; r < out.num_rings; ++r) {
      const int a = prev * out.num_rings + r, b = s * out.num_rings + r,
                c = next * out.num_rings + r;
      const int seen = observed[a] + observed[b] + observed[c];
      float value = ground[b];
      if (seen == 3) {
        value = std::max(std::min(ground[a], ground[b]),
                         std::min(std::max(ground[a], ground[b]), ground[c]));
      } else if (seen > 0) {
        value =
            (observed[a] * ground[a] + observed[b] * ground[b] + observed[c] * ground[c]) / seen;
      }
      out.cell_ground_z[b] = value;
    }
  }

  // 4. Label points: near or below the local ground is ground.
  out.is_ground.resize(points.size());
  const float threshold = static_cast<float>(options.ground_threshold_m());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const bool ground_point = points[i].z() < out.cell_ground_z[out.cell_of_point[i]] + threshold;
    out.is_ground[i] = ground_point;
    out.num_ground += ground_point;
  }
  return out;
}

}  // namespace longtail::pipeline
