#include "pipeline/perception/box_fitting.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace longtail::pipeline {
namespace {

constexpr double kDeg = std::numbers::pi / 180;
constexpr int kMaxFitPoints = 256;  // cap of max_fit_points: the search works on a stack buffer

// The footprint the heading search works on: at most kMaxFitPoints evenly strided points.
struct Footprint {
  std::array<float, kMaxFitPoints> x, y;
  int size = 0;
};

// The closeness criterion for heading `theta`: each point scores 1 / its distance to the nearer of
// the two box edges the cluster hugs (chosen per axis as the edge closer overall), so the heading
// whose rectangle edges run along the visible sides scores highest. The element-wise steps are
// separate loops the compiler vectorises; the two running sums stay in point order, so the score
// is the same to the bit as a plain loop's.
float Closeness(const Footprint& f, double theta, float floor_m) {
  const float c = static_cast<float>(std::cos(theta)), s = static_cast<float>(std::sin(theta));
  const int n = f.size;
  alignas(16) std::array<float, kMaxFitPoints> a, b;
  for (int i = 0; i < n; ++i) {
    a[i] = c * f.x[i] + s * f.y[i];
    b[i] = -s * f.x[i] + c * f.y[i];
  }
  // Minima and maxima in four lanes (order does not change a minimum).
  constexpr float kInf = std::numeric_limits<float>::infinity();
  alignas(16) std::array<float, 4> lo1, hi1, lo2, hi2;
  int i = 0;
#if defined(__SSE2__)
  // _mm_min_ps(x, y) is (x < y ? x : y): with the arguments swapped it is std::min to the bit.
  __m128 vlo1 = _mm_set1_ps(kInf), vhi1 = _mm_set1_ps(-kInf), vlo2 = vlo1, vhi2 = vhi1;
  for (; i + 4 <= n; i += 4) {
    const __m128 va = _mm_load_ps(&a[i]), vb = _mm_load_ps(&b[i]);
    vlo1 = _mm_min_ps(va, vlo1), vhi1 = _mm_max_ps(va, vhi1);
    vlo2 = _mm_min_ps(vb, vlo2), vhi2 = _mm_max_ps(vb, vhi2);
  }
  _mm_store_ps(lo1.data(), vlo1), _mm_store_ps(hi1.data(), vhi1);
  _mm_store_ps(lo2.data(), vlo2), _mm_store_ps(hi2.data(), vhi2);
#else
  lo1.fill(kInf), hi1.fill(-kInf), lo2.fill(kInf), hi2.fill(-kInf);
#endif
  for (; i < n; ++i) {
    lo1[0] = std::min(lo1[0], a[i]), hi1[0] = std::max(hi1[0], a[i]);
    lo2[0] = std::min(lo2[0], b[i]), hi2[0] = std::max(hi2[0], b[i]);
  }
  float min1 = kInf, max1 = -kInf, min2 = kInf, max2 = -kInf;
  for (int l = 0; l < 4; ++l) {
    min1 = std::min(min1, lo1[l]), max1 = std::max(max1, hi1[l]);
    min2 = std::min(min2, lo2[l]), max2 = std::max(max2, hi2[l]);
  }
  float sum1 = 0, sum2 = 0;
  for (int k = 0; k < n; ++k) sum1 += a[k], sum2 += b[k];
  // Which edge of each axis the points hug: the one with the smaller summed distance. The
  // distance to it is sign * coordinate + offset (exactly a - min or max - a).
  const bool use_min1 = sum1 - n * min1 < n * max1 - sum1;
  const bool use_min2 = sum2 - n * min2 < n * max2 - sum2;
  const float sign1 = use_min1 ? 1.f : -1.f, offset1 = use_min1 ? -min1 : max1;
  const float sign2 = use_min2 ? 1.f : -1.f, offset2 = use_min2 ? -min2 : max2;
  alignas(16) std::array<float, kMaxFitPoints> inverse;
  int k = 0;
#if defined(__SSE2__)
  const __m128 vsign1 = _mm_set1_ps(sign1), voffset1 = _mm_set1_ps(offset1);
  const __m128 vsign2 = _mm_set1_ps(sign2), voffset2 = _mm_set1_ps(offset2);
  const __m128 vfloor = _mm_set1_ps(floor_m), one = _mm_set1_ps(1.f);
  for (; k + 4 <= n; k += 4) {
    const __m128 d1 = _mm_add_ps(_mm_mul_ps(vsign1, _mm_load_ps(&a[k])), voffset1);
    const __m128 d2 = _mm_add_ps(_mm_mul_ps(vsign2, _mm_load_ps(&b[k])), voffset2);
    // std::max(std::min(d1, d2), floor), argument order as above.
    _mm_store_ps(&inverse[k], _mm_div_ps(one, _mm_max_ps(vfloor, _mm_min_ps(d2, d1))));
  }
#endif
  for (; k < n; ++k) {
    const float d1 = sign1 * a[k] + offset1, d2 = sign2 * b[k] + offset2;
    inverse[k] = 1 / std::max(std::min(d1, d2), floor_m);
  }
  float score = 0;
  for (int j = 0; j < n; ++j) score += inverse[j];
  return score;
}

}  // namespace

sensors::Box3D FitBox(const std::vector<Eigen::Vector3f>& points, double ground_z,
                      const proto::BoxOptions& options) {
  Footprint footprint;
  const int wanted = std::clamp(options.max_fit_points(), 1, kMaxFitPoints);
  const double stride = std::max(1.0, static_cast<double>(points.size()) / wanted);
  for (double k = 0; k < points.size() && footprint.size < wanted; k += stride) {
    const Eigen::Vector3f& p = points[static_cast<std::size_t>(k)];
    footprint.x[footprint.size] = p.x(), footprint.y[footprint.size] = p.y();
    ++footprint.size;
  }
  const auto floor_m = static_cast<float>(options.closeness_floor_m());
  // Coarse search over [0, 90) deg, then a fine search around the best heading.
  const double coarse = std::max(0.1, options.angle_step_deg()) * kDeg;
  double best_theta = 0;
  float best_score = -1;
  for (double theta = 0; theta < std::numbers::pi / 2; theta += coarse) {
    const float score = Closeness(footprint, theta, floor_m);
    if (score > best_score) best_score = score, best_theta = theta;
  }
  const double fine = std::max(0.01, options.fine_angle_step_deg()) * kDeg;
  const double center_theta = best_theta;
  for (double theta = center_theta - coarse + fine; theta < center_theta + coarse; theta += fine) {
    const float score = Closeness(footprint, theta, floor_m);
    if (score > best_score) best_score = score, best_theta = theta;
  }

  // The tight rectangle at the best heading, over all points (not only the strided ones).
  const double c = std::cos(best_theta), s = std::sin(best_theta);
  double min1 = std::numeric_limits<double>::infinity(), max1 = -min1, min2 = min1, max2 = -min1;
  double top = -std::numeric_limits<double>::infinity();
  for (const Eigen::Vector3f& p : points) {
    const double a = c * p.x() + s * p.y(), b = -s * p.x() + c * p.y();
    min1 = std::min(min1, a), max1 = std::max(max1, a);
    min2 = std::min(min2, b), max2 = std::max(max2, b);
    top = std::max(top, static_cast<double>(p.z()));
  }
  const double mid1 = (min1 + max1) / 2, mid2 = (min2 + max2) / 2;
  sensors::Box3D box;
  box.center.x() = c * mid1 - s * mid2;
  box.center.y() = s * mid1 + c * mid2;
  const double bottom = std::min(ground_z, top);
  box.center.z() = (bottom + top) / 2;
  box.height = top - bottom;
  double yaw = best_theta;
  box.length = max1 - min1;
  box.width = max2 - min2;
  if (box.width > box.length) {
    std::swap(box.length, box.width);
    yaw += std::numbers::pi / 2;
  }
  // Heading is ambiguous by pi; report it in (-pi/2, pi/2].
  yaw = sensors::WrapAngle(yaw);
  if (yaw > std::numbers::pi / 2) yaw -= std::numbers::pi;
  if (yaw <= -std::numbers::pi / 2) yaw += std::numbers::pi;
  box.yaw = yaw;
  return box;
}

sensors::Box3D ExtendAwayFromSensor(const sensors::Box3D& box, double min_length, double min_width,
                                    const Eigen::Vector2d& sensor_xy) {
  sensors::Box3D out = box;
  const Eigen::Vector2d axis_length(std::cos(box.yaw), std::sin(box.yaw));
  const Eigen::Vector2d axis_width(-axis_length.y(), axis_length.x());
  const Eigen::Vector2d away = box.center.head<2>() - sensor_xy;
  Eigen::Vector2d center = box.center.head<2>();
  if (box.length < min_length) {
    const double grow = min_length - box.length;
    center += axis_length * (away.dot(axis_length) >= 0 ? grow / 2 : -grow / 2);
    out.length = min_length;
  }
  if (box.width < min_width) {
    const double grow = min_width - box.width;
    center += axis_width * (away.dot(axis_width) >= 0 ? grow / 2 : -grow / 2);
    out.width = min_width;
  }
  out.center.head<2>() = center;
  return out;
}

}  // namespace longtail::pipeline
