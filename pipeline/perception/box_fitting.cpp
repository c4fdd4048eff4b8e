#include "pipeline/perception/box_fitting.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace longtail::pipeline {
namespace {

constexpr double kDeg = std::numbers::pi / 180;

// The closeness criterion for heading `theta`: each point scores 1 / its distance to the nearer of
// the two box edges the cluster hugs (chosen per axis as the edge closer overall), so the heading
// whose rectangle edges run along the visible sides scores highest.
double Closeness(const std::vector<Eigen::Vector3f>& points, int stride, double theta,
                 double floor_m) {
  const double c = std::cos(theta), s = std::sin(theta);
  double min1 = std::numeric_limits<double>::infinity(), max1 = -min1, min2 = min1, max2 = -min1;
  for (std::size_t i = 0; i < points.size(); i += stride) {
    const double a = c * points[i].x() + s * points[i].y();
    const double b = -s * points[i].x() + c * points[i].y();
    min1 = std::min(min1, a), max1 = std::max(max1, a);
    min2 = std::min(min2, b), max2 = std::max(max2, b);
  }
  // Which edge of each axis the points hug: the one with the smaller summed distance.
  double to_min1 = 0, to_max1 = 0, to_min2 = 0, to_max2 = 0;
  for (std::size_t i = 0; i < points.size(); i += stride) {
    const double a = c * points[i].x() + s * points[i].y();
    const double b = -s * points[i].x() + c * points[i].y();
    to_min1 += a - min1, to_max1 += max1 - a, to_min2 += b - min2, to_max2 += max2 - b;
  }
  const bool use_min1 = to_min1 < to_max1, use_min2 = to_min2 < to_max2;
  double score = 0;
  for (std::size_t i = 0; i < points.size(); i += stride) {
    const double a = c * points[i].x() + s * points[i].y();
    const double b = -s * points[i].x() + c * points[i].y();
    const double d1 = use_min1 ? a - min1 : max1 - a;
    const double d2 = use_min2 ? b - min2 : max2 - b;
    score += 1 / std::max(std::min(d1, d2), floor_m);
  }
  return score;
}

}  // namespace

sensors::Box3D FitBox(const std::vector<Eigen::Vector3f>& points, double ground_z,
                      const proto::BoxOptions& options) {
  const int stride =
      std::max(1, static_cast<int>(points.size()) / std::max(1, options.max_fit_points()));
  // Coarse search over [0, 90) deg, then a fine search around the best heading.
  const double coarse = std::max(0.1, options.angle_step_deg()) * kDeg;
  double best_theta = 0, best_score = -1;
  for (double theta = 0; theta < std::numbers::pi / 2; theta += coarse) {
    const double score = Closeness(points, stride, theta, options.closeness_floor_m());
    if (score > best_score) best_score = score, best_theta = theta;
  }
  const double fine = std::max(0.01, options.fine_angle_step_deg()) * kDeg;
  const double center_theta = best_theta;
  for (double theta = center_theta - coarse + fine; theta < center_theta + coarse; theta += fine) {
    const double score = Closeness(points, stride, theta, options.closeness_floor_m());
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
