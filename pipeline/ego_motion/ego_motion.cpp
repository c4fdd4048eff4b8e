#include "pipeline/ego_motion/ego_motion.h"

#include <cmath>

namespace longtail::pipeline {
namespace {

double YawOf(const Eigen::Matrix4d& transform) {
  return std::atan2(transform(1, 0), transform(0, 0));
}

}  // namespace

std::optional<PointGrid2D> ScanGrid(const sensors::Frame& frame, const Perception& perception,
                                    const proto::EgoMotionOptions& options) {
  if (frame.ego || !options.estimate_from_lidar() || perception.registration_points.empty()) {
    return std::nullopt;
  }
  return PointGrid2D(perception.registration_points, options.correspondence_cell_m(),
                     options.registration_half_size_m());
}

EgoMotionEstimator::EgoMotionEstimator(const proto::EgoMotionOptions& options)
    : options_(options) {}

EgoMotion EgoMotionEstimator::Update(const sensors::Frame& frame, const Perception& perception) {
  return Update(frame, perception, std::nullopt);
}

EgoMotion EgoMotionEstimator::Update(const sensors::Frame& frame, const Perception& perception,
                                     std::optional<PointGrid2D> scan_grid) {
  const sensors::Timestamp stamp = frame.lidar.stamp;
  const double dt = last_stamp_ ? sensors::ToSeconds(stamp - *last_stamp_) : 0.0;
  EgoMotion ego;

  if (frame.ego) {
    // Poses from the log: the motion is the difference of consecutive poses.
    ego.known = true;
    ego.world_from_vehicle = frame.ego->world_from_vehicle.matrix();
  } else if (options_.estimate_from_lidar() && !perception.registration_points.empty()) {
    // Lidar odometry: register this scan against the previous one, starting from the last motion
    // (constant velocity). The first scan of the log is the world origin.
    ego.known = true;
    ego.estimated = true;
    Eigen::Matrix4d previous_from_current = Eigen::Matrix4d::Identity();
    if (have_last_ && last_grid_ && dt > 0) {
      RegistrationOptions registration;
      registration.max_iterations = options_.max_iterations();
      registration.convergence_m = options_.convergence_m();
      registration.robust_kernel_m = options_.robust_kernel_m();
      registration.max_source_points = options_.max_source_points();
      const RegistrationResult result = RegisterScan(perception.registration_points, *last_grid_,
                                                     Eigen::Isometry3d(last_motion_), registration);
      const double speed = result.target_from_source.translation().head<2>().norm() / dt;
      previous_from_current = result.valid && speed <= options_.max_speed_mps()
                                  ? result.target_from_source.matrix()
                                  : last_motion_;
    }
    ego.world_from_vehicle = last_world_from_vehicle_ * previous_from_current;
    last_grid_ = scan_grid ? std::move(scan_grid) : ScanGrid(frame, perception, options_);
  } else {
    last_stamp_ = stamp;
    have_last_ = have_speed_ = false;
    return ego;  // unknown
  }

  // Speed, acceleration and yaw rate from the motion since the previous frame, in its axes.
  if (have_last_ && dt > 0) {
    const Eigen::Matrix4d motion = last_world_from_vehicle_.inverse() * ego.world_from_vehicle;
    const double forward = motion(0, 3);
    ego.speed = (forward >= 0 ? 1 : -1) * motion.block<2, 1>(0, 3).norm() / dt;
    ego.yaw_rate = YawOf(motion) / dt;
    if (have_speed_) ego.acceleration = (ego.speed - last_speed_) / dt;
    last_motion_ = motion;
    have_speed_ = true;
  }
  if (frame.ego && frame.ego->velocity) ego.speed = frame.ego->velocity->x();
  last_speed_ = ego.speed;
  last_world_from_vehicle_ = ego.world_from_vehicle;
  last_stamp_ = stamp;
  have_last_ = true;
  return ego;
}

}  // namespace longtail::pipeline
