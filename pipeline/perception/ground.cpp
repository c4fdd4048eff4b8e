#include "pipeline/perception/ground.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  bins.AddRange(points.data(), points.size());
  return EstimateGroundHeight(bins);
}

double EstimateGroundHeight(const PolarBins& bins) { return MedianOfSeenSectors(bins.near_lowest); }

#if defined(__SSE2__)
namespace {

// FastAtan2 on four points: the same operations in the same order, the branches as masks.
__m128 FastAtan2x4(__m128 y, __m128 x) {
  const __m128 sign = _mm_set1_ps(-0.f);
  const __m128 ax = _mm_andnot_ps(sign, x), ay = _mm_andnot_ps(sign, y);
  // Equal absolute values are equal bits, so max/min pick the same value std::max/min do.
  const __m128 mx = _mm_max_ps(ax, ay), mn = _mm_min_ps(ax, ay);
  const __m128 a = _mm_div_ps(mn, mx);
  const __m128 s = _mm_mul_ps(a, a);
  __m128 r = _mm_add_ps(_mm_mul_ps(_mm_set1_ps(-0.0464964749f), s), _mm_set1_ps(0.15931422f));
  r = _mm_sub_ps(_mm_mul_ps(r, s), _mm_set1_ps(0.327622764f));
  r = _mm_add_ps(_mm_mul_ps(_mm_mul_ps(r, s), a), a);
  const auto select = [](__m128 mask, __m128 if_set, __m128 otherwise) {
    return _mm_or_ps(_mm_and_ps(mask, if_set), _mm_andnot_ps(mask, otherwise));
  };
  const __m128 zero = _mm_setzero_ps();
  r = select(_mm_cmpgt_ps(ay, ax), _mm_sub_ps(_mm_set1_ps(std::numbers::pi_v<float> / 2), r), r);
  r = select(_mm_cmplt_ps(x, zero), _mm_sub_ps(_mm_set1_ps(std::numbers::pi_v<float>), r), r);
  r = select(_mm_cmplt_ps(y, zero), _mm_xor_ps(sign, r), r);
  return _mm_andnot_ps(_mm_cmpeq_ps(mx, zero), r);  // FastAtan2 returns 0 when mx == 0
}

}  // namespace
#endif

void PolarBins::AddRange(const Eigen::Vector3f* points, std::size_t count) {
  std::size_t i = 0;
  const std::size_t first = cell_of_point.size();
  cell_of_point.resize(first + count);
  int* cells = cell_of_point.data() + first;
#if defined(__SSE2__)
  // The angle, ring and near sector of four points at once (the near sector's division too); the
  // cell updates stay in point order.
  alignas(16) float r2[4];
  alignas(16) std::int32_t sector[4], ring[4], near[4];
  const __m128 sx = _mm_set1_ps(sx_), sy = _mm_set1_ps(sy_);
  const __m128 inv_sector = _mm_set1_ps(inv_sector_), inv_ring = _mm_set1_ps(inv_ring_);
  const __m128 full_turn = _mm_set1_ps(2 * std::numbers::pi_v<float>);
  const __m128 near_sectors = _mm_set1_ps(static_cast<float>(kNearSectors));
  for (; i + 4 <= count; i += 4) {
    const Eigen::Vector3f* p = points + i;
    const __m128 dx = _mm_sub_ps(_mm_setr_ps(p[0].x(), p[1].x(), p[2].x(), p[3].x()), sx);
    const __m128 dy = _mm_sub_ps(_mm_setr_ps(p[0].y(), p[1].y(), p[2].y(), p[3].y()), sy);
    const __m128 r2v = _mm_add_ps(_mm_mul_ps(dx, dx), _mm_mul_ps(dy, dy));
    const __m128 anglev = _mm_add_ps(FastAtan2x4(dy, dx), _mm_set1_ps(std::numbers::pi_v<float>));
    _mm_store_ps(r2, r2v);
    _mm_store_si128(reinterpret_cast<__m128i*>(sector),
                    _mm_cvttps_epi32(_mm_mul_ps(anglev, inv_sector)));
    _mm_store_si128(reinterpret_cast<__m128i*>(ring),
                    _mm_cvttps_epi32(_mm_mul_ps(_mm_sqrt_ps(r2v), inv_ring)));
    // turn = angle / (2 pi), divided as Add does.
    _mm_store_si128(reinterpret_cast<__m128i*>(near),
                    _mm_cvttps_epi32(_mm_mul_ps(_mm_div_ps(anglev, full_turn), near_sectors)));
    for (int k = 0; k < 4; ++k) {
      const int cell =
          std::min(num_sectors - 1, sector[k]) * num_rings + std::min(num_rings - 1, ring[k]);
      const float z = p[k].z();
      cells[i + k] = cell;
      lowest[cell] = std::min(lowest[cell], z);
      highest[cell] = std::max(highest[cell], z);
      if (r2[k] >= 4.f * 4.f && r2[k] <= 20.f * 20.f) {
        const int sector_near = std::min(kNearSectors - 1, near[k]);
        near_lowest[sector_near] = std::min(near_lowest[sector_near], z);
      }
    }
  }
#endif
  cell_of_point.resize(first + i);
  for (; i < count; ++i) Add(points[i]);
}

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
  bins.AddRange(points.data(), points.size());
  return SegmentGround(points, std::move(bins), expected_ground_z, options);
}

GroundSegmentation SegmentGround(const std::vector<Eigen::Vector3f>& points, PolarBins bins,
                                 double expected_ground_z, const proto::GroundOptions& options,
                                 double low_point_height_m) {
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
  out.non_ground.reserve(points.size());
  const float threshold = static_cast<float>(options.ground_threshold_m());
  // No point is higher than +inf above the ground: no low points when they are not asked for.
  const float low_height = low_point_height_m > 0 ? FloatAtMost(low_point_height_m)
                                                  : std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const float z = points[i].z(), ground_z = out.cell_ground_z[out.cell_of_point[i]];
    const bool ground_point = z < ground_z + threshold;
    out.is_ground[i] = ground_point;
    if (!ground_point) {
      out.non_ground.push_back(static_cast<int>(i));
    } else if (z - ground_z > low_height) {
      out.low_ground.push_back(static_cast<int>(i));
    }
  }
  out.num_ground = static_cast<std::int64_t>(points.size() - out.non_ground.size());
  return out;
}

}  // namespace longtail::pipeline
