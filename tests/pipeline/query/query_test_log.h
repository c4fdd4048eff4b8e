// The synthetic log the query tests share: an ego driving straight at 10 m/s past a parked car
// with a bicycle beside it, a crossing pedestrian, an object that starts rolling toward the road
// and an oncoming car.
#pragma once

#include <cmath>
#include <vector>

#include "pipeline/types.h"

namespace longtail::query::testlog {

using pipeline::FrameResult;
using pipeline::Track;
using sensors::ObjectClass;

constexpr double kRateHz = 10;
constexpr int kFrames = 80;

inline Track MakeTrack(int id, ObjectClass c, Eigen::Vector2d world, Eigen::Vector2d velocity,
                       double yaw, Eigen::Vector3d size, double ego_x) {
  Track track;
  track.id = id;
  track.object_class = c;
  track.box.center = {world.x() - ego_x, world.y(), size.z() / 2};
  track.box.length = size.x();
  track.box.width = size.y();
  track.box.height = size.z();
  track.box.yaw = yaw;
  track.velocity_world = velocity;
  track.velocity_vehicle = velocity;  // the ego drives along the world's x axis
  track.hits = 10;
  track.age = 10;
  return track;
}

// The ego drives along x at 10 m/s. Track 1: a car parked in its lane 100 m on; 4: a bicycle
// parked 2.5 m to that car's right; 2: a pedestrian crossing the road 70 m on at 1.5 m/s; 3: an
// object of unknown class 50 m on, 6 m left, that stands for 3 s and then rolls toward the road
// at 0.8 m/s; 5: an oncoming car in the next lane.
inline std::vector<FrameResult> SyntheticLog(int frames = kFrames) {
  std::vector<FrameResult> log;
  const Eigen::Vector3d car(4.5, 1.8, 1.5);
  for (int i = 0; i < frames; ++i) {
    const double t = i / kRateHz;
    const double ego_x = 10 * t;
    FrameResult frame;
    frame.index = i;
    frame.stamp =
        pipeline::Timestamp(std::chrono::nanoseconds(1'000'000'000LL + i * 100'000'000LL));
    frame.ego.known = true;
    frame.ego.speed = 10;
    frame.ego.world_from_vehicle(0, 3) = ego_x;
    const bool rolling = t > 3.0;
    frame.tracks = {
        MakeTrack(1, ObjectClass::kCar, {100, 0}, {0, 0}, 0, car, ego_x),
        MakeTrack(2, ObjectClass::kPedestrian, {70, -6 + 1.5 * t}, {0, 1.5}, M_PI / 2,
                  {0.6, 0.6, 1.7}, ego_x),
        MakeTrack(3, ObjectClass::kUnknown, {50, rolling ? 6 - 0.8 * (t - 3) : 6.0},
                  {0, rolling ? -0.8 : 0}, 0, {1.0, 0.6, 1.0}, ego_x),
        MakeTrack(4, ObjectClass::kCyclist, {100, -2.5}, {0, 0}, 0, {1.8, 0.6, 1.7}, ego_x),
        MakeTrack(5, ObjectClass::kCar, {150 - 10 * t, 3.5}, {-10, 0}, M_PI, car, ego_x),
    };
    log.push_back(frame);
  }
  return log;
}

}  // namespace longtail::query::testlog
