#include "pipeline/perception/ground.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace longtail::pipeline {

float FastAtan2(float y, float x) {
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

double GroundSegmentation::HeightAt(double x, double y) const {
  if (num_sectors == 0 || num_rings == 0) return 0;
  const double dx = x - sensor_xy.x(), dy = y - sensor_xy.y();
  int sector = static_cast<int>((FastAtan2(dy, dx) + std::numbers::pi) / sector_rad);
  sector = std::clamp(sector, 0, num_sectors - 1);
  const int ring = std::clamp(static_cast<int>(std::hypot(dx, dy) / ring_m), 0, num_rings - 1);
  return cell_ground_z[sector * num_rings + ring];
}

double EstimateGroundHeight(const std::vector<Eigen::Vector3f>& points,
                            const Eigen::Vector2d& sensor_xy) {
  constexpr int kSectors = 36;
  constexpr float kNear = 4 * 4, kFar = 20 * 20;  // m^2
  std::array<float, kSectors> lowest;
  lowest.fill(std::numeric_limits<float>::infinity());
  const auto sx = static_cast<float>(sensor_xy.x()), sy = static_cast<float>(sensor_xy.y());
  for (const Eigen::Vector3f& p : points) {
    const float dx = p.x() - sx, dy = p.y() - sy, r2 = dx * dx + dy * dy;
    if (r2 < kNear || r2 > kFar) continue;
    const float turn =
        (FastAtan2(dy, dx) + std::numbers::pi_v<float>) / (2 * std::numbers::pi_v<float>);
    const int sector = std::min(kSectors - 1, static_cast<int>(turn * kSectors));
    lowest[sector] = std::min(lowest[sector], p.z());
  }
  std::vector<float> seen;
  for (float z : lowest) {
    if (std::isfinite(z)) seen.push_back(z);
  }
  if (seen.size() * 3 < kSectors) return std::numeric_limits<double>::quiet_NaN();
  std::nth_element(seen.begin(), seen.begin() + seen.size() / 2, seen.end());
  return seen[seen.size() / 2];
}

GroundSegmentation SegmentGround(const std::vector<Eigen::Vector3f>& points,
                                 const Eigen::Vector3d& sensor_origin, double expected_ground_z,
                                 double max_range_m, const proto::GroundOptions& options) {
  GroundSegmentation out;
  out.sensor_xy = sensor_origin.head<2>();
  out.sector_rad = options.sector_deg() * std::numbers::pi / 180;
  out.ring_m = options.ring_m();
  out.num_sectors = std::max(1, static_cast<int>(std::ceil(2 * std::numbers::pi / out.sector_rad)));
  out.num_rings = std::max(1, static_cast<int>(std::ceil(max_range_m / out.ring_m)) + 1);
  const int num_cells = out.num_sectors * out.num_rings;
  constexpr float kEmpty = std::numeric_limits<float>::infinity();

  // 1. The lowest point of every polar cell, and each point's cell.
  std::vector<float> lowest(num_cells, kEmpty), highest(num_cells, -kEmpty);
  out.cell_of_point.resize(points.size());
  const float sx = static_cast<float>(out.sensor_xy.x()),
              sy = static_cast<float>(out.sensor_xy.y());
  const float inv_sector = static_cast<float>(1 / out.sector_rad);
  const float inv_ring = static_cast<float>(1 / out.ring_m);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const float dx = points[i].x() - sx, dy = points[i].y() - sy;
    const int sector =
        std::min(out.num_sectors - 1,
                 static_cast<int>((FastAtan2(dy, dx) + std::numbers::pi_v<float>)*inv_sector));
    const int ring =
        std::min(out.num_rings - 1, static_cast<int>(std::sqrt(dx * dx + dy * dy) * inv_ring));
    const int cell = sector * out.num_rings + ring;
    out.cell_of_point[i] = cell;
    lowest[cell] = std::min(lowest[cell], points[i].z());
    highest[cell] = std::max(highest[cell], points[i].z());
  }

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
