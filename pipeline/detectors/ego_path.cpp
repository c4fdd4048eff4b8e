#include "pipeline/detectors/ego_path.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>

namespace longtail::pipeline {
namespace {

using Polygon = std::vector<Eigen::Vector2d>;  // (s, d) vertices

double Cross(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return a.x() * b.y() - a.y() * b.x();
}

void AppendPoint(EgoPath& path, const Eigen::Vector2d& point) {
  const double step = path.points.empty() ? 0.0 : (point - path.points.back()).norm();
  path.arc_length.push_back(path.arc_length.empty() ? 0.0 : path.arc_length.back() + step);
  path.points.push_back(point);
}

// Continues the path straight along its last segment until it is `length_m` long.
void ExtendStraight(EgoPath& path, double length_m, double spacing_m) {
  const std::size_t n = path.points.size();
  const Eigen::Vector2d direction = (path.points[n - 1] - path.points[n - 2]).normalized();
  while (path.arc_length.back() < length_m) {
    AppendPoint(path, path.points.back() + direction * spacing_m);
  }
}

// The ego's positions at the look-ahead frames, in the judged frame's vehicle frame, thinned to
// about one point per `spacing_m`.
EgoPath FuturePath(const FrameWindow& window, double length_m, const proto::EgoPathOptions& options,
                   double spacing_m) {
  EgoPath path;
  path.source = PathSource::kFuturePoses;
  AppendPoint(path, Eigen::Vector2d::Zero());
  const Eigen::Matrix4d vehicle_now_from_world = window.now().ego.world_from_vehicle.inverse();
  const std::size_t end =
      std::min(window.frames.size(),
               window.current + 1 + static_cast<std::size_t>(std::max(0, options.future_frames())));
  for (std::size_t i = window.current + 1; i < end; ++i) {
    const EgoMotion& ego = window.frames[i].ego;
    if (!ego.known) continue;
    const Eigen::Vector2d position =
        (vehicle_now_from_world * ego.world_from_vehicle).block<2, 1>(0, 3);
    if ((position - path.points.back()).norm() < spacing_m) continue;
    AppendPoint(path, position);
    if (path.arc_length.back() >= length_m) break;
  }
  return path;
}

// Sutherland-Hodgman against one half-plane sign * (s - limit) >= 0.
Polygon ClipS(const Polygon& polygon, double limit, double sign) {
  Polygon output;
  for (std::size_t i = 0; i < polygon.size(); ++i) {
    const Eigen::Vector2d& p = polygon[i];
    const Eigen::Vector2d& q = polygon[(i + 1) % polygon.size()];
    const double fp = sign * (p.x() - limit), fq = sign * (q.x() - limit);
    if (fp >= 0) output.push_back(p);
    if ((fp >= 0) != (fq >= 0)) output.push_back(p + (q - p) * (fp / (fp - fq)));
  }
  return output;
}

}  // namespace

std::string_view ToString(PathSource source) {
  switch (source) {
    case PathSource::kStraight:
      return "straight";
    case PathSource::kYawRate:
      return "yaw rate";
    case PathSource::kFuturePoses:
      return "future poses";
  }
  return "?";
}

EgoPath ArcPath(double curvature, double length_m, double spacing_m) {
  EgoPath path;
  path.source = curvature == 0 ? PathSource::kStraight : PathSource::kYawRate;
  path.curvature = curvature;
  const int steps = std::max(1, static_cast<int>(std::ceil(length_m / spacing_m)));
  for (int i = 0; i <= steps; ++i) {
    const double s = i * spacing_m;
    // The exact arc of a constant-curvature path starting along +x; a straight line in the limit.
    const Eigen::Vector2d point = std::abs(curvature) < 1e-9
                                      ? Eigen::Vector2d(s, 0)
                                      : Eigen::Vector2d(std::sin(curvature * s) / curvature,
                                                        (1 - std::cos(curvature * s)) / curvature);
    path.points.push_back(point);
    path.arc_length.push_back(s);
  }
  return path;
}

EgoPath PredictEgoPath(const FrameWindow& window, double length_m,
                       const proto::EgoPathOptions& options) {
  const double spacing_m = std::max(0.1, options.sample_spacing_m());
  const EgoMotion& ego = window.now().ego;
  if (options.use_future_poses() && ego.known) {
    EgoPath path = FuturePath(window, length_m, options, spacing_m);
    // A standing ego has no future path to follow; its prediction below is straight ahead.
    if (path.points.size() >= 2) {
      ExtendStraight(path, length_m, spacing_m);
      return path;
    }
  }
  if (ego.known && std::abs(ego.speed) >= options.min_speed_for_curvature_mps()) {
    const double limit = options.max_curvature_per_m();
    const double curvature = std::clamp(ego.yaw_rate / ego.speed, -limit, limit);
    return ArcPath(curvature, length_m, spacing_m);
  }
  return ArcPath(0, length_m, spacing_m);
}

PathPoint ToPathCoordinates(const EgoPath& path, const Eigen::Vector2d& point) {
  if (path.points.size() < 2) return {point.x(), point.y(), Eigen::Vector2d::UnitX()};
  const std::size_t segments = path.points.size() - 1;
  PathPoint best;
  double best_distance = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < segments; ++i) {
    const Eigen::Vector2d a = path.points[i];
    const Eigen::Vector2d segment = path.points[i + 1] - a;
    const double length = segment.norm();
    if (length <= 0) continue;
    const Eigen::Vector2d tangent = segment / length;
    double t = (point - a).dot(tangent);
    // The end segments extend beyond the path's ends so that every point has coordinates.
    if (i > 0) t = std::max(t, 0.0);
    if (i + 1 < segments) t = std::min(t, length);
    const double distance = (point - (a + tangent * t)).norm();
    if (distance < best_distance) {
      best_distance = distance;
      best = {path.arc_length[i] + t, Cross(tangent, point - a), tangent};
    }
  }
  return best;
}

FootprintOnPath ProjectFootprint(const EgoPath& path, const sensors::Box3D& box, double s_begin,
                                 double s_end) {
  const auto corners = sensors::Corners(box);
  Polygon polygon;
  for (int i = 0; i < 4; ++i) {
    const PathPoint p = ToPathCoordinates(path, corners[i].head<2>());
    polygon.emplace_back(p.s, p.d);
  }
  FootprintOnPath result;
  result.center_d = ToPathCoordinates(path, box.center.head<2>()).d;
  polygon = ClipS(ClipS(polygon, s_begin, 1), s_end, -1);
  if (polygon.empty()) return result;
  result.in_range = true;
  result.s_min = result.d_min = std::numeric_limits<double>::infinity();
  result.s_max = result.d_max = -std::numeric_limits<double>::infinity();
  for (const Eigen::Vector2d& v : polygon) {
    result.s_min = std::min(result.s_min, v.x());
    result.s_max = std::max(result.s_max, v.x());
    result.d_min = std::min(result.d_min, v.y());
    result.d_max = std::max(result.d_max, v.y());
  }
  result.lateral_gap = result.d_min > 0 ? result.d_min : result.d_max < 0 ? -result.d_max : 0.0;
  return result;
}

Eigen::Vector2d ToPathVelocity(const PathPoint& at, const Eigen::Vector2d& velocity_vehicle) {
  return {velocity_vehicle.dot(at.tangent), Cross(at.tangent, velocity_vehicle)};
}

}  // namespace longtail::pipeline
