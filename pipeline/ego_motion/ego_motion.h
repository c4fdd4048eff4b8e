// The ego vehicle's motion at each frame: from the log's poses (oxts) when it has them, otherwise
// estimated by registering each scan's downsampled non-ground points against the previous scan's.
#pragma once

#include <optional>
#include <vector>

#include "pipeline/ego_motion/scan_registration.h"
#include "pipeline/proto/perception.pb.h"
#include "pipeline/types.h"
#include "sensors/frame.h"

namespace longtail::pipeline {

// The grid the next frame's scan will be registered against: what Update builds from a frame
// whose motion comes from the lidar. nullopt when it will not (the log has a pose for the frame,
// lidar odometry is off, or perception kept no registration points). Pure, so any thread may call
// it.
std::optional<PointGrid2D> ScanGrid(const sensors::Frame& frame, const Perception& perception,
                                    const proto::EgoMotionOptions& options);

class EgoMotionEstimator {
 public:
  explicit EgoMotionEstimator(const proto::EgoMotionOptions& options);

  // One frame, in time order. Uses `frame.ego` when present; otherwise, when the options allow,
  // registers `perception.registration_points` against the previous frame's (the first frame of a
  // lidar-only log is the world origin). Returns known = false when neither is possible.
  EgoMotion Update(const sensors::Frame& frame, const Perception& perception);
  // The same, with the frame's scan grid built beforehand by ScanGrid (e.g. in parallel, while
  // earlier frames are still being updated in order); nullopt builds it here when needed.
  EgoMotion Update(const sensors::Frame& frame, const Perception& perception,
                   std::optional<PointGrid2D> scan_grid);

 private:
  proto::EgoMotionOptions options_;
  std::optional<sensors::Timestamp> last_stamp_;
  Eigen::Matrix4d last_world_from_vehicle_ = Eigen::Matrix4d::Identity();
  Eigen::Matrix4d last_motion_ = Eigen::Matrix4d::Identity();  // previous_from_current, last frame
  double last_speed_ = 0;
  bool have_speed_ = false;  // last_speed_ was measured (not the first frame)
  bool have_last_ = false;
  std::optional<PointGrid2D> last_grid_;  // previous scan's points, for registration
};

}  // namespace longtail::pipeline
