// Bring your own perception: object lists a team already has (KITTI tracking label_02) and
// optional ego poses, turned into the FrameResults the detectors consume.
#pragma once

#include <Eigen/Geometry>
#include <filesystem>
#include <optional>
#include <vector>

#include "pipeline/types.h"
#include "sensors/issues.h"
#include "sensors/kitti/kitti_label.h"

namespace longtail::pipeline {

// Every parsable line of a label_02 file; bad lines go to `issues` (file, byte offset, reason) and
// are skipped. Throws std::runtime_error when the file cannot be opened.
std::vector<sensors::KittiLabel> ReadLabel02File(const std::filesystem::path& file,
                                                 sensors::IssueLog& issues);

// Ego poses, one line per frame: either a KITTI oxts record (30 values; world = the devkit's
// Mercator east-north-up frame, pose of the IMU) or a KITTI odometry pose (12 values, a row-major
// 3x4 world_from_camera0). Returned as world_from_vehicle using `vehicle_from_imu` or
// `camera_from_vehicle`. Bad lines are reported and left as nullopt. Throws std::runtime_error when
// the file cannot be opened.
std::vector<std::optional<Eigen::Isometry3d>> ReadPosesFile(
    const std::filesystem::path& file, const Eigen::Isometry3d& vehicle_from_imu,
    const Eigen::Isometry3d& camera_from_vehicle, sensors::IssueLog& issues);

struct TrackListInput {
  std::vector<sensors::KittiLabel> labels;  // label_02 lines; DontCare (track -1) is ignored
  Eigen::Isometry3d camera_from_vehicle = Eigen::Isometry3d::Identity();  // rectified camera 0
  // world_from_vehicle per frame index; empty or nullopt where unknown.
  std::vector<std::optional<Eigen::Isometry3d>> poses;
  double frame_rate_hz = 10;  // label files carry no time: frame i is at start + i / rate
  Timestamp start;
};

// One FrameResult per frame from 0 to the last labelled or posed frame: tracks with boxes in the
// vehicle frame, velocities from central differences of the track's positions (in the world when
// the poses are known, else relative to the ego), age and hits; the ego's speed, acceleration and
// yaw rate from the poses. Labels carry no lidar points: num_points is 0.
std::vector<FrameResult> FrameResultsFromLabels(const TrackListInput& input);

}  // namespace longtail::pipeline
