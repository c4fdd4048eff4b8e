// Multi-object tracking in the world frame: a constant-velocity Kalman filter per track, Hungarian
// association on the distance between predictions and detections, birth and death rules.
#pragma once

#include <Eigen/Core>
#include <array>
#include <optional>
#include <vector>

#include "pipeline/proto/perception.pb.h"
#include "pipeline/types.h"

namespace longtail::pipeline {

class Tracker {
 public:
  explicit Tracker(const proto::TrackerOptions& options);

  // One frame, in time order. `objects` are in the vehicle frame at `stamp`; `ego` places the
  // vehicle in the world (when ego motion is unknown the tracker works in the vehicle frame, and
  // velocities then include the ego's own motion). Returns the confirmed tracks at this frame:
  // boxes in the vehicle frame, velocities with the ego motion removed.
  std::vector<Track> Update(sensors::Timestamp stamp, const std::vector<DetectedObject>& objects,
                            const EgoMotion& ego);

 private:
  // One track: Kalman state [x y vx vy] in the world frame (m, m/s) and what the output needs.
  struct State {
    int id = 0;
    Eigen::Vector4d x = Eigen::Vector4d::Zero();
    Eigen::Matrix4d covariance = Eigen::Matrix4d::Identity();
    Box3D box_world;       // last observed box moved to the world frame; size smoothed
    Box3D observed_world;  // last observed box moved to the world frame, as observed
    std::array<double, 8> class_votes{};  // decayed confidence per sensors::ObjectClass
    // The same with an unknown detection's vote given to its unsure class (Track::unsure_class).
    std::array<double, 8> candidate_votes{};
    double observations = 0;  // decayed count of observations (same decay)
    int age = 0, hits = 0, misses = 0, num_points = 0;
    double ground_z = 0;  // m, vehicle frame, of the last observation
  };

  // The steps of Update, in order (tracker.cpp says why each works as it does). Boxes and
  // positions are in the world frame; detections are indexed as Update's `objects`.
  void PredictTracks(double dt);
  std::vector<int> AssociateDetections(const std::vector<Box3D>& detected_world,
                                       const std::vector<DetectedObject>& objects) const;
  void CorrectAssociatedTracks(const std::vector<int>& detection_of_track,
                               const std::vector<Box3D>& detected_world,
                               const std::vector<DetectedObject>& objects);
  void DropLostTracks();
  void StartTracks(const std::vector<char>& detection_used,
                   const std::vector<Box3D>& detected_world,
                   const std::vector<DetectedObject>& objects);
  std::vector<Track> ReportConfirmedTracks(const Eigen::Matrix4d& world_from_vehicle,
                                           double ego_yaw);

  proto::TrackerOptions options_;
  std::vector<State> tracks_;
  int next_id_ = 1;
  std::optional<sensors::Timestamp> last_stamp_;
};

}  // namespace longtail::pipeline
