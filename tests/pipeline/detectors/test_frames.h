// Hand-built FrameResults for detector tests: a few literal tracks at known places.
#pragma once

#include <Eigen/Geometry>
#include <vector>

#include "pipeline/types.h"

namespace longtail::pipeline::testing {

// A car-sized box (4.5 x 1.8 x 1.5 m) centred at (x, y) in the vehicle frame, heading along +x.
inline sensors::Box3D CarBox(double x, double y, double yaw = 0) {
  sensors::Box3D box;
  box.center = {x, y, -0.9};
  box.length = 4.5;
  box.width = 1.8;
  box.height = 1.5;
  box.yaw = yaw;
  return box;
}

inline sensors::Box3D SizedBox(double x, double y, double length, double width, double height) {
  sensors::Box3D box;
  box.center = {x, y, -1.73 + height / 2};
  box.length = length;
  box.width = width;
  box.height = height;
  return box;
}

inline Track MakeTrack(int id, sensors::ObjectClass object_class, const sensors::Box3D& box,
                       Eigen::Vector2d velocity_vehicle = Eigen::Vector2d::Zero(), int hits = 5) {
  Track track;
  track.id = id;
  track.object_class = object_class;
  track.class_confidence = 0.9;
  track.box = box;
  track.velocity_vehicle = velocity_vehicle;
  track.velocity_world = velocity_vehicle;
  track.age = hits;
  track.hits = hits;
  track.num_points = 100;
  return track;
}

// Frame `index` at 10 Hz from t = 1000 s.
inline FrameResult MakeFrame(std::int64_t index, std::vector<Track> tracks = {}) {
  FrameResult frame;
  frame.index = index;
  frame.stamp = sensors::FromNanos(1'000'000'000'000 + index * 100'000'000);
  frame.tracks = std::move(tracks);
  return frame;
}

// Known ego motion: at `position` (m, world) heading `yaw` (rad), driving at `speed` (m/s).
inline EgoMotion MovingEgo(Eigen::Vector2d position, double yaw, double speed, double yaw_rate = 0,
                           double acceleration = 0) {
  EgoMotion ego;
  ego.known = true;
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.translate(Eigen::Vector3d(position.x(), position.y(), 0));
  pose.rotate(Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()));
  ego.world_from_vehicle = pose.matrix();
  ego.speed = speed;
  ego.yaw_rate = yaw_rate;
  ego.acceleration = acceleration;
  return ego;
}

// `frames_back` frames at 10 Hz before a judged frame holding `tracks`, with the tracks where
// constant motion relative to the ego (its speed along +x) puts them; the judged frame is last.
inline std::vector<FrameResult> WithHistory(const std::vector<Track>& tracks,
                                            const EgoMotion& ego = {}, int frames_back = 5) {
  std::vector<FrameResult> frames;
  const double ego_speed = ego.known ? ego.speed : 0.0;
  for (int back = frames_back; back >= 0; --back) {
    FrameResult frame = MakeFrame(20 - back);
    frame.ego = ego;
    for (Track track : tracks) {
      const Eigen::Vector2d relative = track.velocity_vehicle - Eigen::Vector2d(ego_speed, 0);
      track.box.center.head<2>() -= relative * 0.1 * back;
      frame.tracks.push_back(track);
    }
    frames.push_back(std::move(frame));
  }
  return frames;
}

}  // namespace longtail::pipeline::testing
