#include "pipeline/perception/box_fitting.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace longtail::pipeline {
namespace {

constexpr double kDeg = std::numbers::pi / 180;
constexpr int kMaxFitPoints = 256;  // cap of max_fit_points: the search works on a stack buffer
constexpr int kLanes = 8;           // headings scored together

// The footprint the heading search works on: at most kMaxFitPoints evenly strided points.
struct Footprint {
  std::array<float, kMaxFitPoints> x, y;
  int size = 0;
};

// Headings to try, rad, with the cosine and sine the score uses; c and s are padded with copies
// of the last heading to a whole number of lanes.
struct Headings {
  std::vector<double> theta;
  std::vector<float> c, s;
};

// theta = first, first + step, ... while theta < end, accumulated as the search always did.
Headings MakeHeadings(double first, double end, double step) {
  Headings h;
  for (double theta = first; theta < end; theta += step) {
    h.theta.push_back(theta);
    h.c.push_back(static_cast<float>(std::cos(theta)));
    h.s.push_back(static_cast<float>(std::sin(theta)));
  }
  while (!h.c.empty() && h.c.size() % kLanes != 0)
    h.c.push_back(h.c.back()), h.s.push_back(h.s.back());
  return h;
}

// Every cluster searches the same coarse headings, and around the best one the same fine ones:
// their sines and cosines are computed once per thread (and per step sizes).
struct HeadingTable {
  double coarse = -1, fine = -1;
  Headings coarse_headings;
  std::vector<std::optional<Headings>> fine_around;  // by coarse index, filled when first used

  const Headings& Fine(std::size_t coarse_index) {
    std::optional<Headings>& h = fine_around[coarse_index];
    if (!h) {
      const double center = coarse_headings.theta[coarse_index];
      h = MakeHeadings(center - coarse + fine, center + coarse, fine);
    }
    return *h;
  }
};

HeadingTable& HeadingsFor(double coarse, double fine) {
  thread_local HeadingTable table;
  if (table.coarse != coarse || table.fine != fine) {
    table.coarse = coarse, table.fine = fine;
    table.coarse_headings = MakeHeadings(0, std::numbers::pi / 2, coarse);
    table.fine_around.assign(table.coarse_headings.theta.size(), std::nullopt);
  }
  return table;
}

// The closeness criterion for headings (c[l], s[l]), l < kLanes, written to score[l]: each point
// scores 1 / its distance to the nearer of the two box edges the cluster hugs (chosen per axis as
// the edge closer overall), so the heading whose rectangle edges run along the visible sides
// scores highest. Each heading is one SIMD lane that runs the plain loop's operations in the same
// order (its sums stay in point order), so each score is the same to the bit as one heading at a
// time; the lanes hide the latency of those serial sums.
void Closeness(const Footprint& f, const float* c, const float* s, float floor_m, float* score) {
  const int n = f.size;
  const auto nf = static_cast<float>(n);
  constexpr float kInf = std::numeric_limits<float>::infinity();
#if defined(__SSE2__)
  constexpr int kGroups = kLanes / 4;
  const __m128 sign = _mm_set1_ps(-0.f);
  __m128 vc[kGroups], vs[kGroups], vns[kGroups];
  __m128 lo1[kGroups], hi1[kGroups], lo2[kGroups], hi2[kGroups], sum1[kGroups], sum2[kGroups];
  for (int g = 0; g < kGroups; ++g) {
    vc[g] = _mm_loadu_ps(c + 4 * g), vs[g] = _mm_loadu_ps(s + 4 * g);
    vns[g] = _mm_xor_ps(sign, vs[g]);
    lo1[g] = lo2[g] = _mm_set1_ps(kInf), hi1[g] = hi2[g] = _mm_set1_ps(-kInf);
    sum1[g] = sum2[g] = _mm_setzero_ps();
  }
  for (int k = 0; k < n; ++k) {
    const __m128 x = _mm_set1_ps(f.x[k]), y = _mm_set1_ps(f.y[k]);
    for (int g = 0; g < kGroups; ++g) {
      const __m128 a = _mm_add_ps(_mm_mul_ps(vc[g], x), _mm_mul_ps(vs[g], y));
      const __m128 b = _mm_add_ps(_mm_mul_ps(vns[g], x), _mm_mul_ps(vc[g], y));
      // _mm_min_ps(x, y) is (x < y ? x : y): with the arguments swapped it is std::min.
      lo1[g] = _mm_min_ps(a, lo1[g]), hi1[g] = _mm_max_ps(a, hi1[g]);
      lo2[g] = _mm_min_ps(b, lo2[g]), hi2[g] = _mm_max_ps(b, hi2[g]);
      sum1[g] = _mm_add_ps(sum1[g], a), sum2[g] = _mm_add_ps(sum2[g], b);
    }
  }
  // Which edge of each axis the points hug: the one with the smaller summed distance. The
  // distance to it is sign * coordinate + offset (exactly a - min or max - a).
  const __m128 vn = _mm_set1_ps(nf), one = _mm_set1_ps(1.f), vfloor = _mm_set1_ps(floor_m);
  const auto select = [](__m128 mask, __m128 if_set, __m128 otherwise) {
    return _mm_or_ps(_mm_and_ps(mask, if_set), _mm_andnot_ps(mask, otherwise));
  };
  __m128 sign1[kGroups], offset1[kGroups], sign2[kGroups], offset2[kGroups], total[kGroups];
  for (int g = 0; g < kGroups; ++g) {
    const __m128 use_min1 = _mm_cmplt_ps(_mm_sub_ps(sum1[g], _mm_mul_ps(vn, lo1[g])),
                                         _mm_sub_ps(_mm_mul_ps(vn, hi1[g]), sum1[g]));
    const __m128 use_min2 = _mm_cmplt_ps(_mm_sub_ps(sum2[g], _mm_mul_ps(vn, lo2[g])),
                                         _mm_sub_ps(_mm_mul_ps(vn, hi2[g]), sum2[g]));
    sign1[g] = select(use_min1, one, _mm_xor_ps(sign, one));
    offset1[g] = select(use_min1, _mm_xor_ps(sign, lo1[g]), hi1[g]);
    sign2[g] = select(use_min2, one, _mm_xor_ps(sign, one));
    offset2[g] = select(use_min2, _mm_xor_ps(sign, lo2[g]), hi2[g]);
    total[g] = _mm_setzero_ps();
  }
  for (int k = 0; k < n; ++k) {
    const __m128 x = _mm_set1_ps(f.x[k]), y = _mm_set1_ps(f.y[k]);
    for (int g = 0; g < kGroups; ++g) {
      const __m128 a = _mm_add_ps(_mm_mul_ps(vc[g], x), _mm_mul_ps(vs[g], y));
      const __m128 b = _mm_add_ps(_mm_mul_ps(vns[g], x), _mm_mul_ps(vc[g], y));
      const __m128 d1 = _mm_add_ps(_mm_mul_ps(sign1[g], a), offset1[g]);
      const __m128 d2 = _mm_add_ps(_mm_mul_ps(sign2[g], b), offset2[g]);
      // std::max(std::min(d1, d2), floor), argument order as above.
      total[g] = _mm_add_ps(total[g], _mm_div_ps(one, _mm_max_ps(vfloor, _mm_min_ps(d2, d1))));
    }
  }
  for (int g = 0; g < kGroups; ++g) _mm_storeu_ps(score + 4 * g, total[g]);
#else
  for (int l = 0; l < kLanes; ++l) {
    float min1 = kInf, max1 = -kInf, min2 = kInf, max2 = -kInf, sum1 = 0, sum2 = 0;
    for (int k = 0; k < n; ++k) {
      const float a = c[l] * f.x[k] + s[l] * f.y[k], b = -s[l] * f.x[k] + c[l] * f.y[k];
      min1 = std::min(min1, a), max1 = std::max(max1, a), sum1 += a;
      min2 = std::min(min2, b), max2 = std::max(max2, b), sum2 += b;
    }
    const bool use_min1 = sum1 - nf * min1 < nf * max1 - sum1;
    const bool use_min2 = sum2 - nf * min2 < nf * max2 - sum2;
    const float sign1 = use_min1 ? 1.f : -1.f, offset1 = use_min1 ? -min1 : max1;
    const float sign2 = use_min2 ? 1.f : -1.f, offset2 = use_min2 ? -min2 : max2;
    float total = 0;
    for (int k = 0; k < n; ++k) {
      const float a = c[l] * f.x[k] + s[l] * f.y[k], b = -s[l] * f.x[k] + c[l] * f.y[k];
      total += 1 / std::max(std::min(sign1 * a + offset1, sign2 * b + offset2), floor_m);
    }
    score[l] = total;
  }
#endif
}

// The first heading of `headings` that scores above `best_score` and every earlier one, as a
// loop over the headings in order would find it; best_* are kept when none does.
void SearchHeadings(const Footprint& f, const Headings& headings, float floor_m, double* best_theta,
                    float* best_score, std::size_t* best_index) {
  std::array<float, kLanes> score;
  for (std::size_t first = 0; first < headings.theta.size(); first += kLanes) {
    Closeness(f, &headings.c[first], &headings.s[first], floor_m, score.data());
    const std::size_t count = std::min<std::size_t>(kLanes, headings.theta.size() - first);
    for (std::size_t l = 0; l < count; ++l) {
      if (score[l] > *best_score) {
        *best_score = score[l], *best_theta = headings.theta[first + l];
        *best_index = first + l;
      }
    }
  }
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
  const double fine = std::max(0.01, options.fine_angle_step_deg()) * kDeg;
  HeadingTable& table = HeadingsFor(coarse, fine);
  double best_theta = 0;
  float best_score = -1;
  std::size_t best_coarse = 0;
  SearchHeadings(footprint, table.coarse_headings, floor_m, &best_theta, &best_score, &best_coarse);
  std::size_t best_fine = 0;
  SearchHeadings(footprint, table.Fine(best_coarse), floor_m, &best_theta, &best_score, &best_fine);

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
