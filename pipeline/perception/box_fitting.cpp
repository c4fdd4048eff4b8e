#include "pipeline/perception/box_fitting.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

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
// whose rectangle edges run along the visible sides scores highest.
float Closeness(const Footprint& f, double theta, float floor_m) {
  const float c = static_cast<float>(std::cos(theta)), s = static_cast<float>(std::sin(theta));
  std::array<float, kMaxFitPoints> a, b;
  float min1 = std::numeric_limits<float>::infinity(), max1 = -min1, min2 = min1, max2 = -min1;
  float sum1 = 0, sum2 = 0;
  for (int i = 0; i < f.size; ++i) {
    a[i] = c * f.x[i] + s * f.y[i];
    b[i] = -s * f.x[i] + c * f.y[i];
    min1 = std::min(min1, a[i]), max1 = std::max(max1, a[i]);
    min2 = std::min(min2, b[i]), max2 = std::max(max2, b[i]);
    sum1 += a[i], sum2 += b[i];
  }
  // Which edge of each axis the points hug: the one with the smaller summed distance.
  const bool use_min1 = sum1 - f.size * min1 < f.size * max1 - sum1;
  const bool use_min2 = sum2 - f.size * min2 < f.size * max2 - sum2;
  float score = 0;
  for (int i = 0; i < f.size; ++i) {
    const float d1 = use_min1 ? a[i] - min1 : max1 - a[i];
    const float d2 = use_min2 ? b[i] - min2 : max2 - b[i];
    score += 1 / std::max(std::min(d1, d2), floor_m);
  }
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
