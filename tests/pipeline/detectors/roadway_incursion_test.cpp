#include "pipeline/detectors/roadway_incursion.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

// Options that judge one frame alone: most tests look at one frame's prediction; the persistence
// over frames has its own test.
proto::DetectorsOptions OneFrame() {
  proto::DetectorsOptions options;
  options.mutable_roadway_incursion()->set_persist_frames(1);
  return options;
}

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;
using testing::MakeTrack;
using testing::MovingEgo;
using testing::SizedBox;
using testing::WithHistory;

// A pedestrian 0.6 m wide centred `y` m to the side, 15 m ahead, walking at `vy` m/s.
Track Walker(double y, double vy, int hits = 5) {
  return MakeTrack(4, ObjectClass::kPedestrian, SizedBox(15, y, 0.6, 0.6, 1.7), {0, vy}, hits);
}

// Judges the last of frames in which the tracks moved with their velocities for 0.5 s.
std::vector<Event> RunOn(std::vector<Track> tracks, EgoMotion ego = {}) {
  const std::vector<FrameResult> frames = WithHistory(tracks, ego);
  RoadwayIncursionDetector detector{OneFrame()};
  return detector.Process({frames, frames.size() - 1});
}

TEST(RoadwayIncursionTest, WalkerHeadingIntoThePathFires) {
  // Near edge 3.7 m from the path, corridor half width 1.3 m: 2.4 m to go at 1.5 m/s = 1.6 s.
  const auto events = RunOn({Walker(4.0, -1.5)});
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.type, "roadway_incursion");
  EXPECT_EQ(e.track_ids, std::vector<int>{4});
  EXPECT_NEAR(e.values.at("lateral_gap_m"), 2.4, 1e-9);
  EXPECT_NEAR(e.values.at("lateral_speed_mps"), 1.5, 1e-9);
  EXPECT_NEAR(e.values.at("time_to_entry_s"), 1.6, 1e-9);
  EXPECT_NE(e.reason.find("Pedestrian #4 2.4 m left of the ego corridor"), std::string::npos);
  EXPECT_NE(e.reason.find("enters in 1.6 s"), std::string::npos);
  EXPECT_NEAR(e.values.at("approached_m"), 0.75, 1e-9);
  EXPECT_NE(e.reason.find("(0.8 m closer than 0.5 s ago)"), std::string::npos);
}

TEST(RoadwayIncursionTest, VelocityTheTrackHistoryDoesNotShowDoesNotFire) {
  // The walker stood still for 0.5 s: a 1.5 m/s velocity now is one jittering box.
  std::vector<FrameResult> frames = WithHistory({Walker(4.0, 0)});
  frames.back().tracks[0].velocity_vehicle = {0, -1.5};
  RoadwayIncursionDetector detector{OneFrame()};
  EXPECT_TRUE(detector.Process({frames, frames.size() - 1}).empty());
  // Half the claimed approach is enough: moved at 0.8 m/s, claims 1.5 m/s.
  frames = WithHistory({Walker(4.0, -0.8)});
  frames.back().tracks[0].velocity_vehicle = {0, -1.5};
  EXPECT_EQ(detector.Process({frames, frames.size() - 1}).size(), 1u);
}

TEST(RoadwayIncursionTest, JumpLargerThanTheSpeedExplainsDoesNotFire) {
  // 0.5 s ago the track was 4 m farther out: 8 m/s sideways, while it claims 1.5 m/s.
  std::vector<FrameResult> frames = WithHistory({Walker(4.0, -1.5)});
  frames.front().tracks[0].box.center.y() = 8.0;
  RoadwayIncursionDetector detector{OneFrame()};
  EXPECT_TRUE(detector.Process({frames, frames.size() - 1}).empty());
}

TEST(RoadwayIncursionTest, TrackWithoutHistoryDoesNotFire) {
  const std::vector<FrameResult> frames = {MakeFrame(0, {Walker(4.0, -1.5)})};
  RoadwayIncursionDetector detector{OneFrame()};
  EXPECT_TRUE(detector.Process({frames, 0}).empty());
}

TEST(RoadwayIncursionTest, ImplausiblyFastPedestrianIsNoise) {
  EXPECT_TRUE(RunOn({Walker(4.0, -5.5)}).empty());
  EXPECT_EQ(RunOn({Walker(4.0, -4.5)}).size(), 1u);
}

TEST(RoadwayIncursionTest, FromTheRightToo) {
  const auto events = RunOn({Walker(-4.0, 1.5)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].reason.find("right"), std::string::npos);
}

TEST(RoadwayIncursionTest, EntryWithinTheHorizonIsTheThreshold) {
  // 2.4 m to go, horizon 3 s: 0.81 m/s enters in 2.96 s, 0.79 m/s in 3.04 s.
  EXPECT_EQ(RunOn({Walker(4.0, -0.81)}).size(), 1u);
  EXPECT_TRUE(RunOn({Walker(4.0, -0.79)}).empty());
}

TEST(RoadwayIncursionTest, MinimumLateralSpeedIsTheThreshold) {
  // Right beside the corridor (0.2 m to go): only the speed decides.
  EXPECT_EQ(RunOn({Walker(1.8, -0.55)}).size(), 1u);
  EXPECT_TRUE(RunOn({Walker(1.8, -0.45)}).empty());
}

TEST(RoadwayIncursionTest, MovingAwayOrAlreadyInsideDoesNotFire) {
  EXPECT_TRUE(RunOn({Walker(4.0, 1.5)}).empty());
  EXPECT_TRUE(RunOn({Walker(0.5, -1.5)}).empty());
}

TEST(RoadwayIncursionTest, EntryBehindThePassingEgoDoesNotFire) {
  // At 15 m/s the ego is 24 m on when the walker enters 15 m ahead of where it is now.
  EXPECT_TRUE(RunOn({Walker(4.0, -1.5)}, MovingEgo({0, 0}, 0, 15)).empty());
  EXPECT_EQ(RunOn({Walker(4.0, -1.5)}, MovingEgo({0, 0}, 0, 5)).size(), 1u);
}

TEST(RoadwayIncursionTest, YoungTracksAndLowObjectsDoNotFire) {
  EXPECT_TRUE(RunOn({Walker(4.0, -1.5, 2)}).empty());
  EXPECT_TRUE(
      RunOn({MakeTrack(4, ObjectClass::kPedestrian, SizedBox(15, 4, 0.6, 0.6, 0.3), {0, -1.5})})
          .empty());
}

TEST(RoadwayIncursionTest, UnknownObjectsCountOnlyWhenAskedFor) {
  const Track blob = MakeTrack(4, ObjectClass::kUnknown, SizedBox(15, 4, 0.6, 0.6, 1.7), {0, -1.5});
  EXPECT_TRUE(RunOn({blob}).empty());
  proto::DetectorsOptions options = OneFrame();
  options.mutable_roadway_incursion()->set_include_unknown(true);
  const std::vector<FrameResult> frames = WithHistory({blob});
  RoadwayIncursionDetector detector{options};
  EXPECT_EQ(detector.Process({frames, frames.size() - 1}).size(), 1u);
}

TEST(RoadwayIncursionTest, FlickeringTracksDoNotFire) {
  // Seen in 6 of its 8 frames (0.75) it counts; in 5 of 8 it is clutter that comes and goes.
  Track walker = Walker(4.0, -1.5, 6);
  walker.age = 8;
  EXPECT_EQ(RunOn({walker}).size(), 1u);
  walker.hits = 5;
  EXPECT_TRUE(RunOn({walker}).empty());
}

TEST(RoadwayIncursionTest, TrackThatChangedKindIsNoise) {
  // A pole's track taken over by a walker: unknown in the look-back, a pedestrian now.
  std::vector<FrameResult> frames = WithHistory({Walker(4.0, -1.5)});
  frames[2].tracks[0].object_class = ObjectClass::kUnknown;
  RoadwayIncursionDetector detector{OneFrame()};
  EXPECT_TRUE(detector.Process({frames, frames.size() - 1}).empty());
  // Pedestrian and cyclist are one kind: a flip between them is the classifier's doubt.
  frames[2].tracks[0].object_class = ObjectClass::kCyclist;
  EXPECT_EQ(detector.Process({frames, frames.size() - 1}).size(), 1u);
}

TEST(RoadwayIncursionTest, MustHoldOnConsecutiveFrames) {
  const std::vector<FrameResult> frames = WithHistory({Walker(4.0, -1.5)});
  RoadwayIncursionDetector detector{proto::DetectorsOptions()};
  std::vector<std::size_t> fired;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (!detector.Process({frames, i}).empty()) fired.push_back(i);
  }
  EXPECT_EQ(fired, (std::vector<std::size_t>{3, 4, 5}));  // three in a row, from frame 1
}

TEST(RoadwayIncursionTest, VehicleSlidingSidewaysIsNoise) {
  // A "car" whose box points along the road but which moves straight sideways is a cluster that
  // grows toward the road (a wall, a merged pedestrian); one heading into the road is real.
  const auto car = [](double yaw) {
    return MakeTrack(6, ObjectClass::kCar, CarBox(15, 5, yaw), {0, -2.0});
  };
  EXPECT_TRUE(RunOn({car(0)}).empty());
  EXPECT_EQ(RunOn({car(-1.3)}).size(), 1u);             // 75 deg toward the road
  EXPECT_EQ(RunOn({car(-M_PI / 2 - 0.3)}).size(), 1u);  // backing in: 17 deg off its axis
  EXPECT_TRUE(RunOn({car(-M_PI / 2 - 0.4)}).empty());   // 23 deg: more than 20 deg of sideslip
}

}  // namespace
}  // namespace longtail::pipeline
