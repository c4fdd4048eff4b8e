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

std::vector<Event> RunOn(std::vector<Track> tracks) {
  const std::vector<FrameResult> frames = {MakeFrame(0, std::move(tracks))};
  VulnerableRoadUserDetector detector{proto::DetectorsOptions()};
  return detector.Process({frames, 0});
}

Track Pedestrian(double x, double y) {
  return MakeTrack(8, ObjectClass::kPedestrian, SizedBox(x, y, 0.6, 0.6, 1.7));
}

TEST(VulnerableRoadUserTest, CyclistAheadInTheLaneIsInThePath) {
  const auto events =
      RunOn({MakeTrack(2, ObjectClass::kCyclist, SizedBox(10, 0.5, 1.8, 0.6, 1.7))});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "vru_in_path");
  EXPECT_NEAR(events[0].values.at("distance_m"), 9.1, 1e-9);
  EXPECT_GE(events[0].severity, 0.6);
  EXPECT_NE(events[0].reason.find("Cyclist #2 in the ego path 9.1 m ahead"), std::string::npos);
}

TEST(VulnerableRoadUserTest, NearMarginIsTheThreshold) {
  // Corridor half width 1.3 m, margin 0.7 m: near edges at 1.95 m and 2.05 m.
  const auto near = RunOn({Pedestrian(10, 2.25)});
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0].type, "vru_near_path");
  EXPECT_NEAR(near[0].values.at("outside_corridor_m"), 0.65, 1e-9);
  EXPECT_NE(near[0].reason.find("0.6 m outside the 2.6 m corridor"), std::string::npos);
  EXPECT_TRUE(RunOn({Pedestrian(10, 2.35)}).empty());
}

TEST(VulnerableRoadUserTest, InPathEdgeIsTheThreshold) {
  EXPECT_EQ(RunOn({Pedestrian(10, 1.55)})[0].type, "vru_in_path");     // edge 1.25
  EXPECT_EQ(RunOn({Pedestrian(10, -1.65)})[0].type, "vru_near_path");  // edge 1.35
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
