// Hindsight and the detectors that use it, on small drives laid out in the world: the ego's actual
// future path and an actor's actual future track decide what is rare.
#include "pipeline/detectors/hindsight.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "pipeline/detectors/cut_in.h"
#include "pipeline/detectors/roadway_incursion.h"
#include "pipeline/detectors/vulnerable_road_user.h"
#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::MakeFrame;
using testing::MakeTrack;
using testing::MovingEgo;
using testing::SizedBox;

using Trajectory = std::function<Eigen::Vector2d(double t)>;  // world position at t (s)

struct Actor {
  int id;
  ObjectClass object_class;
  Trajectory at;
  double length, width;
};

// `count` frames at 10 Hz: the ego along `ego` (heading along its motion), the actors where their
// trajectories put them, in the ego's vehicle frame, with their velocities.
std::vector<FrameResult> Drive(const Trajectory& ego, const std::vector<Actor>& actors, int count) {
  std::vector<FrameResult> frames;
  for (int i = 0; i < count; ++i) {
    const double t = i * 0.1;
    const Eigen::Vector2d step = ego(t + 0.05) - ego(t - 0.05);
    const double yaw = step.norm() > 1e-9 ? std::atan2(step.y(), step.x()) : 0.0;
    const Eigen::Rotation2Dd vehicle_from_world(-yaw);
    FrameResult frame = MakeFrame(i);
    frame.ego = MovingEgo(ego(t), yaw, step.norm() / 0.1);
    for (const Actor& a : actors) {
      const Eigen::Vector2d position = vehicle_from_world * (a.at(t) - ego(t));
      const Eigen::Vector2d velocity_world = (a.at(t + 0.05) - a.at(t - 0.05)) / 0.1;
      sensors::Box3D box = SizedBox(position.x(), position.y(), a.length, a.width, 1.6);
      const double heading = std::atan2(velocity_world.y(), velocity_world.x());
      box.yaw = velocity_world.norm() > 0.1 ? heading - yaw : 0.0;
      Track track = MakeTrack(a.id, a.object_class, box, vehicle_from_world * velocity_world, 10);
      track.velocity_world = velocity_world;
      frame.tracks.push_back(track);
    }
    frames.push_back(std::move(frame));
  }
  return frames;
}

Trajectory Straight(double speed, double y = 0) {
  return [=](double t) { return Eigen::Vector2d(speed * t, y); };
}

// A lane change from y0 to y1 between t0 and t0 + duration, at `speed` along x from x0.
Trajectory LaneChange(double x0, double speed, double y0, double y1, double t0, double duration) {
  return [=](double t) {
    const double u = std::clamp((t - t0) / duration, 0.0, 1.0);
    return Eigen::Vector2d(x0 + speed * t, y0 + (y1 - y0) * (3 * u * u - 2 * u * u * u));
  };
}

template <typename D>
std::vector<Event> Judge(const std::vector<FrameResult>& frames, std::size_t index) {
  D detector{proto::DetectorsOptions()};
  std::vector<Event> events;
  for (std::size_t i = 0; i <= index; ++i) events = detector.Process({frames, i});
  return events;
}

TEST(HindsightTest, EgoArrivalFollowsTheActualDriveAndNeverComesForAStandingEgo) {
  const auto driving = Drive(Straight(10), {}, 40);
  const FrameWindow now{driving, 0};
  const EgoPath path = PredictEgoPath(now, 40, proto::EgoPathOptions());
  ASSERT_TRUE(HasHindsight(now));
  EXPECT_NEAR(*EgoArrival(now, path, 22, 2), 2.0, 1e-6);  // within the look-ahead
  EXPECT_NEAR(*EgoArrival(now, path, 62, 2), 6.0, 1e-6);  // past it, at the last speed
  const auto standing = Drive(Straight(0), {}, 40);
  EXPECT_FALSE(EgoArrival({standing, 0}, path, 22, 2));
}

TEST(HindsightTest, APedestrianCrossingAheadOfAMovingEgoIsAnIncursionWithItsTimeGap) {
  // 5 m/s; a pedestrian 20 m ahead walks from 4 m right across at 1.5 m/s: its centre reaches
  // the path's centre at 2.67 s, 20 m ahead, where the ego's front (2 m ahead of its origin) gets
  // at 3.6 s: about 1 s apart.
  const Actor walker{4, ObjectClass::kPedestrian,
                     [](double t) { return Eigen::Vector2d(20, -4 + 1.5 * t); }, 0.6, 0.6};
  const auto frames = Drive(Straight(5), {walker}, 60);
  const auto events = Judge<RoadwayIncursionDetector>(frames, 5);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "roadway_incursion");
  EXPECT_NEAR(events[0].values.at("time_gap_s"), 0.9, 0.3);
  EXPECT_GT(events[0].severity, 0.8);
  // The same walk in front of a standing ego: it never gets there.
  EXPECT_TRUE(Judge<RoadwayIncursionDetector>(Drive(Straight(0), {walker}, 60), 5).empty());
}

TEST(HindsightTest, ACutInRunsWhileTheVehicleIsStillBesideTheLane) {
  // Ego 10 m/s; a car 8 m ahead in the right lane at 11 m/s moves into the ego lane from
  // t = 1.5 s to 3.5 s: judged at 1 s, it is still beside the lane. Its rear enters the lane
  // about 8 m ahead of the ego's origin, where the ego's front gets 0.6 s later.
  const Actor car{2, ObjectClass::kCar, LaneChange(8, 11, -3.5, 0, 1.5, 2.0), 4.5, 1.8};
  const auto frames = Drive(Straight(10), {car}, 60);
  const auto events = Judge<CutInDetector>(frames, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "cut_in");
  EXPECT_GT(events[0].values.at("time_to_entry_s"), 0.5);
  EXPECT_LT(events[0].values.at("time_gap_s"), 1.5);
  EXPECT_GE(events[0].severity, 0.5);
}

TEST(HindsightTest, ACarThatKeepsItsLaneWhileTheEgoChangesIntoItIsNoCutIn) {
  // The car drives 15 m ahead in the right lane at the ego's speed; the ego moves into that lane
  // behind it from t = 1.5 s to 3.5 s. Relative to the ego's path the car "enters" the lane.
  const Actor car{2, ObjectClass::kCar, Straight(10, -3.5), 4.5, 1.8};
  const auto frames = Drive(LaneChange(-15, 10, 0, -3.5, 1.5, 2.0), {car}, 60);
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_TRUE(Judge<CutInDetector>(frames, i).empty()) << "frame " << i;
  }
}

TEST(HindsightTest, AClosePassRanksByTheActualClearanceAgainstSpeed) {
  // A pedestrian stands 2.6 m left of the ego's line, 25 m ahead: 1.4 m from the ego's side.
  const Actor standing{5, ObjectClass::kPedestrian, [](double) { return Eigen::Vector2d(25, 2.6); },
                       0.6, 0.6};
  const auto fast = Judge<VulnerableRoadUserDetector>(Drive(Straight(14), {standing}, 40), 5);
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_EQ(fast[0].type, "vru_near_path");
  EXPECT_NEAR(fast[0].values.at("pass_clearance_m"), 1.4, 0.05);
  EXPECT_GT(fast[0].severity, 0.5);
  const auto slow = Judge<VulnerableRoadUserDetector>(Drive(Straight(5), {standing}, 40), 5);
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_LT(slow[0].severity, 0.5);
}

}  // namespace
}  // namespace longtail::pipeline
