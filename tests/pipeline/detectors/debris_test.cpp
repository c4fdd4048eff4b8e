#include "pipeline/detectors/debris.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;
using testing::MakeTrack;
using testing::SizedBox;

// A box standing on the ground at z = -1.73 m, as SizedBox builds it.
std::vector<Event> RunOn(std::vector<Track> tracks, std::vector<DetectedObject> objects = {}) {
  std::vector<FrameResult> frames = {MakeFrame(0, std::move(tracks))};
  frames[0].perception.objects = std::move(objects);
  DebrisDetector detector{proto::DetectorsOptions()};
  return detector.Process({frames, 0});
}

DetectedObject GroundAt(double x, double y, double ground_z) {
  DetectedObject object;
  object.box = SizedBox(x, y, 0.5, 0.5, 0.3);
  object.ground_z = ground_z;
  return object;
}

Track Tyre(double x, double y, double height = 0.3) {
  return MakeTrack(9, ObjectClass::kUnknown, SizedBox(x, y, 0.6, 0.5, height));
}

TEST(DebrisTest, SmallStaticUnknownObjectOnTheRoadAheadFires) {
  const auto events = RunOn({Tyre(20, 0.2)}, {GroundAt(20, 0.2, -1.73)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "debris_in_lane");
  EXPECT_NEAR(events[0].values.at("distance_m"), 19.7, 1e-9);
  EXPECT_NEAR(events[0].values.at("bottom_above_ground_m"), 0, 1e-9);
  EXPECT_NE(events[0].reason.find(
                "Unknown #9 (0.6 x 0.5 x 0.3 m, 0.0 m/s) on the road in the ego lane 19.7 m ahead"),
            std::string::npos);
}

TEST(DebrisTest, WithoutAGroundEstimateTheReasonSaysSo) {
  const auto events = RunOn({Tyre(20, 0)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].reason.find("ground height unknown"), std::string::npos);
  EXPECT_EQ(events[0].values.count("bottom_above_ground_m"), 0u);
}

TEST(DebrisTest, HeightAboveGroundIsTheThreshold) {
  EXPECT_EQ(RunOn({Tyre(20, 0)}, {GroundAt(20, 0, -2.0)}).size(), 1u);  // 0.27 m above
  EXPECT_TRUE(RunOn({Tyre(20, 0)}, {GroundAt(20, 0, -2.1)}).empty());   // 0.37 m above
}

TEST(DebrisTest, SizeBoundsAreThresholds) {
  EXPECT_EQ(RunOn({Tyre(20, 0, 0.55)}).size(), 1u);
  EXPECT_TRUE(RunOn({Tyre(20, 0, 0.65)}).empty());
  EXPECT_TRUE(RunOn({Tyre(20, 0, 0.05)}).empty());
  EXPECT_TRUE(RunOn({MakeTrack(9, ObjectClass::kUnknown, SizedBox(20, 0, 2.2, 0.5, 0.3))}).empty());
}

TEST(DebrisTest, MovingOrClassifiedOrOffLaneObjectsDoNotFire) {
  Track rolling = Tyre(20, 0);
  rolling.velocity_world = {0.6, 0};
  EXPECT_TRUE(RunOn({rolling}).empty());
  rolling.velocity_world = {0.4, 0};
  EXPECT_EQ(RunOn({rolling}).size(), 1u);
  EXPECT_TRUE(
      RunOn({MakeTrack(9, ObjectClass::kPedestrian, SizedBox(20, 0, 0.6, 0.5, 0.5))}).empty());
  EXPECT_TRUE(RunOn({Tyre(20, 3)}).empty());
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(20, 0))}).empty());
}

TEST(DebrisTest, ThinSliversAndPiecesOfTallerObjectsAreNotDebris) {
  // 1.5 m long and 0.1 m deep: a kerb or a far car's underbody seen edge-on.
  EXPECT_TRUE(RunOn({MakeTrack(9, ObjectClass::kUnknown, SizedBox(20, 0, 1.5, 0.1, 0.4))}).empty());
  EXPECT_EQ(RunOn({MakeTrack(9, ObjectClass::kUnknown, SizedBox(20, 0, 1.5, 0.2, 0.4))}).size(),
            1u);
  // A low cluster 0.5 m behind a car is the car's lower body; 1.5 m apart it lies on its own.
  const Track car_ahead = MakeTrack(3, ObjectClass::kCar, CarBox(23.05, 0));
  EXPECT_TRUE(RunOn({Tyre(20, 0), car_ahead}).empty());
  EXPECT_EQ(RunOn({Tyre(19, 0), car_ahead}).size(), 1u);
}

}  // namespace
}  // namespace longtail::pipeline
