#include "pipeline/detectors/vulnerable_road_user.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;
using testing::MakeTrack;
using testing::SizedBox;

// One frame, the ego standing or driving straight at `ego_speed` m/s (no look-ahead: no hindsight).
std::vector<Event> RunOn(std::vector<Track> tracks, double ego_speed = 0) {
  std::vector<FrameResult> frames = {MakeFrame(0, std::move(tracks))};
  if (ego_speed > 0) frames[0].ego = testing::MovingEgo({0, 0}, 0, ego_speed);
  VulnerableRoadUserDetector detector{proto::DetectorsOptions()};
  return detector.Process({frames, 0});
}

Track Pedestrian(double x, double y) {
  return MakeTrack(8, ObjectClass::kPedestrian, SizedBox(x, y, 0.6, 0.6, 1.7));
}

TEST(VulnerableRoadUserTest, CyclistAheadInTheLaneIsInThePath) {
  const auto standing =
      RunOn({MakeTrack(2, ObjectClass::kCyclist, SizedBox(10, 0.5, 1.8, 0.6, 1.7))});
  ASSERT_EQ(standing.size(), 1u);
  EXPECT_EQ(standing[0].type, "vru_in_path");
  EXPECT_NEAR(standing[0].values.at("distance_m"), 9.1, 1e-9);
  EXPECT_NE(standing[0].reason.find("Cyclist #2 in the ego path 9.1 m ahead"), std::string::npos);
  EXPECT_EQ(standing[0].severity, 0.0);  // the ego stands: it never gets there
  // At 10 m/s the ego's front (2 m ahead of its origin) gets there in 0.71 s.
  const auto driving =
      RunOn({MakeTrack(2, ObjectClass::kCyclist, SizedBox(10, 0.5, 1.8, 0.6, 1.7))}, 10);
  ASSERT_EQ(driving.size(), 1u);
  EXPECT_NEAR(driving[0].values.at("time_gap_s"), 0.71, 1e-9);
  EXPECT_EQ(driving[0].severity, 1.0);  // and would hit it: no clearance
}

TEST(VulnerableRoadUserTest, NearMarginIsTheThreshold) {
  // Corridor half width 1.3 m, margin 1.5 m: near edges at 2.75 m and 2.85 m.
  const auto near = RunOn({Pedestrian(10, 3.0)});
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0].type, "vru_near_path");
  EXPECT_NEAR(near[0].values.at("outside_corridor_m"), 1.4, 1e-9);
  EXPECT_NE(near[0].reason.find("1.4 m outside the 2.6 m corridor"), std::string::npos);
  EXPECT_TRUE(RunOn({Pedestrian(10, 3.15)}).empty());
}

TEST(VulnerableRoadUserTest, InThePathIsTheCentreInTheCorridor) {
  EXPECT_EQ(RunOn({Pedestrian(10, 1.25)})[0].type, "vru_in_path");
  // Its box's edge is inside the corridor, its centre is not: beside the path, on the kerb.
  EXPECT_EQ(RunOn({Pedestrian(10, -1.35)})[0].type, "vru_near_path");
}

TEST(VulnerableRoadUserTest, ClosePassRanksWithSpeed) {
  // A pedestrian 2.6 m from the path's centre passes 1.4 m from the ego's side (half width 0.9,
  // its own 0.3). At 50 km/h the margin a driver should leave is 2.1 m: severity 0.5 x 2.1 / 1.4;
  // at 18 km/h it is 0.75 m: 0.27, ordinary.
  const auto fast = RunOn({Pedestrian(10, 2.6)}, 50 / 3.6);
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_NEAR(fast[0].values.at("pass_clearance_m"), 1.4, 1e-9);
  EXPECT_NEAR(fast[0].severity, 0.5 * 0.15 * (50 / 3.6) / 1.4, 1e-9);
  EXPECT_GT(fast[0].severity, 0.5);
  EXPECT_LT(RunOn({Pedestrian(10, 2.6)}, 5)[0].severity, 0.3);
}

TEST(VulnerableRoadUserTest, DistanceIsTheThreshold) {
  EXPECT_EQ(RunOn({Pedestrian(40.2, 0)}).size(), 1u);  // near edge at 39.9 m
  EXPECT_TRUE(RunOn({Pedestrian(40.4, 0)}).empty());   // 40.1 m
}

TEST(VulnerableRoadUserTest, VehiclesAndUnconfirmedTracksDoNotFire) {
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(10, 0))}).empty());
  EXPECT_TRUE(
      RunOn({MakeTrack(8, ObjectClass::kPedestrian, SizedBox(10, 0, 0.6, 0.6, 1.7), {0, 0}, 1)})
          .empty());
}

}  // namespace
}  // namespace longtail::pipeline
