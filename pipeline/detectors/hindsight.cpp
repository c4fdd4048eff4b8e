#include "pipeline/detectors/hindsight.h"

#include <cmath>
#include <limits>

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {
namespace {

// Farther than this past the look-ahead, the ego's last speed says nothing about its arrival, s.
constexpr double kMaxExtrapolationS = 6.0;
// Slower than this the ego is stopping or stopped: it is not on its way, m/s.
constexpr double kMinMovingSpeedMps = 0.5;

// vehicle(now)_from_vehicle(frame i), when both poses are known. Poses are rigid: the inverse is
// the transposed rotation.
std::optional<Eigen::Matrix4d> NowFrom(const FrameWindow& window, std::size_t i) {
  const EgoMotion& now = window.now().ego;
  const EgoMotion& then = window.frames[i].ego;
  if (!now.known || !then.known) return std::nullopt;
  Eigen::Matrix4d now_from_world = Eigen::Matrix4d::Identity();
  const Eigen::Matrix3d rotation_t = now.world_from_vehicle.block<3, 3>(0, 0).transpose();
  now_from_world.block<3, 3>(0, 0) = rotation_t;
  now_from_world.block<3, 1>(0, 3) = -rotation_t * now.world_from_vehicle.block<3, 1>(0, 3);
  return Eigen::Matrix4d(now_from_world * then.world_from_vehicle);
}

sensors::Box3D InNowFrame(const sensors::Box3D& box, const Eigen::Matrix4d& now_from_then) {
  sensors::Box3D moved = box;
  moved.center = now_from_then.block<3, 3>(0, 0) * box.center + now_from_then.block<3, 1>(0, 3);
  moved.yaw = box.yaw + std::atan2(now_from_then(1, 0), now_from_then(0, 0));
  return moved;
}

}  // namespace

double SecondsAfterNow(const FrameWindow& window, std::size_t i) {
  return sensors::ToSeconds(window.frames[i].stamp - window.now().stamp);
}

std::optional<sensors::Box3D> BoxInNowFrame(const FrameWindow& window, std::size_t i, int id) {
  const Track* track = FindTrack(window.frames[i], id);
  const auto now_from_then = NowFrom(window, i);
  if (track == nullptr || !now_from_then) return std::nullopt;
  return InNowFrame(track->box, *now_from_then);
}

bool HasHindsight(const FrameWindow& window) {
  return window.now().ego.known && window.current + 1 < window.frames.size() &&
         window.frames[window.current + 1].ego.known;
}

std::optional<double> EgoArrival(const FrameWindow& window, const EgoPath& path, double s_m,
                                 double front_m) {
  if (!window.now().ego.known) return std::nullopt;
  const double target = s_m - front_m;  // where the vehicle origin is when the front gets there
  if (target <= 0) return 0.0;
  double last_t = 0, last_s = 0, last_speed = window.now().ego.speed;
  for (std::size_t i = window.current + 1; i < window.frames.size(); ++i) {
    const auto now_from_then = NowFrom(window, i);
    if (!now_from_then) continue;
    const double t = SecondsAfterNow(window, i);
    const double s = ToPathCoordinates(path, now_from_then->block<2, 1>(0, 3)).s;
    if (s >= target) {
      return s > last_s ? last_t + (t - last_t) * (target - last_s) / (s - last_s) : t;
    }
    last_t = t;
    last_s = std::max(last_s, s);
    last_speed = window.frames[i].ego.speed;
  }
  if (last_speed < kMinMovingSpeedMps) return std::nullopt;
  const double beyond = (target - last_s) / last_speed;
  if (beyond > kMaxExtrapolationS) return std::nullopt;
  return last_t + beyond;
}

std::optional<PathEntry> FuturePathEntry(const FrameWindow& window, int id, const EgoPath& path,
                                         double half_width_m, double front_m, double horizon_s,
                                         bool by_center) {
  std::optional<PathEntry> entry;
  for (std::size_t i = window.current + 1; i < window.frames.size(); ++i) {
    const double t = SecondsAfterNow(window, i);
    if (t > horizon_s) break;
    const auto box = BoxInNowFrame(window, i, id);
    if (!box) continue;
    // Cheap test first: a box whose centre is farther from the strip than its half diagonal is
    // outside it, without projecting its corners.
    const double reach = 0.5 * std::hypot(box->length, box->width);
    const PathPoint center = ToPathCoordinates(path, box->center.head<2>());
    if (std::abs(center.d) > half_width_m + reach || center.s + reach < front_m) {
      if (entry) break;
      continue;
    }
    const FootprintOnPath on_path =
        ProjectFootprint(path, *box, front_m, std::numeric_limits<double>::max());
    const bool inside = on_path.in_range && on_path.lateral_gap <= half_width_m &&
                        (!by_center || std::abs(on_path.center_d) <= half_width_m);
    if (!inside) {
      if (entry) break;  // it has crossed (or left the strip again)
      continue;
    }
    if (!entry || std::abs(on_path.center_d) < std::abs(entry->center_d_m)) {
      const auto now_from_then = NowFrom(window, i);
      const double ego_s = ToPathCoordinates(path, now_from_then->block<2, 1>(0, 3)).s;
      entry = PathEntry{
          t, on_path.s_min, on_path.s_min - ego_s, on_path.center_d, std::nullopt, std::nullopt};
    }
  }
  if (!entry) return std::nullopt;
  entry->ego_arrival_s = EgoArrival(window, path, entry->s_m, front_m);
  if (entry->ego_arrival_s)
    entry->time_gap_s = std::abs(*entry->ego_arrival_s - entry->actor_time_s);
  return entry;
}

std::optional<double> FuturePathExit(const FrameWindow& window, int id, const EgoPath& path,
                                     double half_width_m, double horizon_s) {
  const auto inside = [&](std::size_t i) -> std::optional<bool> {
    const auto box = BoxInNowFrame(window, i, id);
    if (!box) return std::nullopt;
    return std::abs(ToPathCoordinates(path, box->center.head<2>()).d) <= half_width_m;
  };
  if (inside(window.current) != true) return std::nullopt;
  double last_inside = 0;
  for (std::size_t i = window.current + 1; i < window.frames.size(); ++i) {
    const double t = SecondsAfterNow(window, i);
    if (t > horizon_s) break;
    const auto in = inside(i);
    if (!in) continue;
    if (!*in) return last_inside;
    last_inside = t;
  }
  return horizon_s;
}

std::optional<ClosestPass> FutureClosestPass(const FrameWindow& window, int id,
                                             const sensors::Box3D& ego_footprint,
                                             double horizon_s) {
  std::optional<ClosestPass> closest;
  for (std::size_t i = window.current; i < window.frames.size(); ++i) {
    const double t = SecondsAfterNow(window, i);
    if (t > horizon_s) break;
    const Track* track = FindTrack(window.frames[i], id);
    if (track == nullptr) continue;
    // Both in the vehicle frame of frame i: the ego's footprint is where the ego was then.
    const double distance = FootprintDistance(ego_footprint, track->box);
    if (!closest || distance < closest->distance_m) {
      closest = ClosestPass{distance, t, window.frames[i].ego.speed};
    }
  }
  return closest;
}

}  // namespace longtail::pipeline
