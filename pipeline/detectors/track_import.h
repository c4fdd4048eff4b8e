// Bring your own perception: object lists a team already has (KITTI tracking label_02) and
// optional ego poses, turned into the FrameResults the detectors consume.
#pragma once

#include <Eigen/Geometry>
#include <filesystem>
#include <optional>
#include <vector>

#include "pipeline/proto/run.pb.h"
#include "pipeline/types.h"
#include "pipeline/windows.h"
#include "sensors/issues.h"
#include "sensors/kitti/kitti_label.h"

namespace longtail::pipeline {

// Every parsable line of a label_02 file; bad lines go to `issues` (file, byte offset, reason) and
// are skipped. Throws std::runtime_error when the file cannot be opened.
std::vector<sensors::KittiLabel> ReadLabel02File(const std::filesystem::path& file,
                                                 sensors::IssueLog& issues);

// Ego poses, one line per frame: either a KITTI oxts record (30 values; world = the devkit's
// Mercator east-north-up frame, pose of the IMU) or a KITTI odometry pose (12 values, a row-major
// 3x4 world_from_camera0; its world, a camera frame, is re-expressed in vehicle axes so that z is
// up). Returned as world_from_vehicle using `vehicle_from_imu` or `camera_from_vehicle`. Bad lines
// are reported and left as nullopt. Throws std::runtime_error when the file cannot be opened.
std::vector<std::optional<Eigen::Isometry3d>> ReadPosesFile(
    const std::filesystem::path& file, const Eigen::Isometry3d& vehicle_from_imu,
    const Eigen::Isometry3d& camera_from_vehicle, sensors::IssueLog& issues);

struct TrackListInput {
  std::vector<sensors::KittiLabel> labels;  // label_02 lines; DontCare (track -1) is ignored
  Eigen::Isometry3d camera_from_vehicle = Eigen::Isometry3d::Identity();  // rectified camera 0
  // world_from_vehicle per frame index; empty or nullopt where unknown.
  std::vector<std::optional<Eigen::Isometry3d>> poses;
  // Capture time of each frame when known (a timestamps file); frames without one are at
  // start + i / frame_rate_hz (label files carry no time).
  std::vector<std::optional<Timestamp>> stamps;
  double frame_rate_hz = 10;
  Timestamp start;
};

// One capture time per line: integer nanoseconds since the epoch, or a KITTI raw
// "YYYY-MM-DD hh:mm:ss.fffffffff" stamp. Bad lines are reported and left as nullopt. Throws
// std::runtime_error when the file cannot be opened.
std::vector<std::optional<Timestamp>> ReadFrameStamps(const std::filesystem::path& file,
                                                      sensors::IssueLog& issues);

// One FrameResult per frame from 0 to the last labelled or posed frame: tracks with boxes in the
// vehicle frame, velocities as least-squares slopes of the track's positions over 5 frames (in the
// world when the poses are known, else relative to the ego), age and hits; the ego's speed, yaw
// rate and acceleration as slopes over 11 frames of the poses (and of the speeds), so that the
// jitter of estimated poses (visual or lidar odometry) is averaged out rather than differenced.
// Labels carry no lidar points: num_points is 0.
std::vector<FrameResult> FrameResultsFromLabels(const TrackListInput& input);

// The input of `longtail detect` from files: `tracks` (label_02), `calibration` (a tracking/object
// calib file, or a KITTI raw date folder with calib_*_to_*.txt) and `poses` (empty for none; a
// file as ReadPosesFile reads, or a raw drive's oxts/data folder of one record per frame). Bad
// lines go to `issues`; throws std::runtime_error (or sensors::LogError) when a file cannot be
// used.
TrackListInput LoadTrackList(const std::filesystem::path& tracks,
                             const std::filesystem::path& calibration,
                             const std::filesystem::path& poses, double frame_rate_hz,
                             sensors::IssueLog& issues);
// As above, plus one capture time per frame from `timestamps` (empty for none).
TrackListInput LoadTrackList(const std::filesystem::path& tracks,
                             const std::filesystem::path& calibration,
                             const std::filesystem::path& poses,
                             const std::filesystem::path& timestamps, double frame_rate_hz,
                             sensors::IssueLog& issues);

// Detector options for object lists: labels carry no lidar points or images, and KITTI labels
// only cover the camera's view (a car overtaking "appears" at its edge), so unless `options` says
// otherwise the lidar and camera health and sudden-appearance detectors are left out.
proto::DetectorsOptions ForTrackLists(proto::DetectorsOptions options);

// Runs `detectors` over every frame in order, with the whole sequence as look-back and look-ahead,
// and joins their events into episodes and review windows as the streaming runner does.
struct OfflineDetection {
  std::vector<Event> episodes;        // those in the windows, in order of first firing
  std::vector<ReviewWindow> windows;  // in time order
  std::int64_t dropped_episodes = 0;  // below the severity threshold
};
OfflineDetection DetectOffline(const std::vector<FrameResult>& frames,
                               const proto::RunOptions& options);

}  // namespace longtail::pipeline
