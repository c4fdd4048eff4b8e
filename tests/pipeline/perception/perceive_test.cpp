#include "pipeline/perception/perceive.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <numbers>

#include "pipeline/perception/classify.h"
#include "sensors/kitti/kitti_files.h"
#include "tests/pipeline/perception/scenes.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::AddBoxSides;
using testing::AddGround;
using testing::kDeg;
using testing::kGroundZ;
using testing::YawErrorModPi;

TEST(Perceive, FindsACarOnARoadAndCountsInvalidPoints) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -30, 30, -30, 30, 0.25f);
  AddBoxSides(points, 12, -3, 4.0f, 1.7f, 1.5f, 0.08f, static_cast<float>(20 * kDeg));
  sensors::Frame frame = testing::FrameOf(points);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  frame.lidar.points.push_back({nan, 0, 0, 0});
  frame.lidar.points.push_back({1000, 0, 0, 0});  // beyond max range
  frame.lidar.points.push_back({0.1f, 0, 0, 0});  // on the ego vehicle
  const proto::PerceptionOptions options;
  int road_within_min_range = 0;  // the road grid right under the sensor is dropped as well
  for (const Eigen::Vector3f& p : points) road_within_min_range += p.norm() < options.min_range_m();
  const Perception perception = Perceive(frame, options);
  EXPECT_EQ(perception.num_invalid_points, 3 + road_within_min_range);
  ASSERT_EQ(perception.objects.size(), 1u);
  const DetectedObject& car = perception.objects[0];
  EXPECT_EQ(car.object_class, ObjectClass::kCar);
  EXPECT_NEAR(car.box.center.x(), 12, 0.2);
  EXPECT_NEAR(car.box.center.y(), -3, 0.2);
  EXPECT_LT(YawErrorModPi(car.box.yaw, 20 * kDeg), 2 * kDeg);
  EXPECT_NEAR(car.ground_z, kGroundZ, 0.05);
  EXPECT_FALSE(perception.registration_points.empty());
}

TEST(Perceive, FindsTwoCarsParkedSideBySideAsTwoBoxes) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -25, 25, -25, 25, 0.25f);
  AddBoxSides(points, 10, 1.25f, 4.2f, 1.7f, 1.5f, 0.08f);  // 0.8 m apart, side by side
  AddBoxSides(points, 10, -1.25f, 4.2f, 1.7f, 1.5f, 0.08f);
  const Perception perception = Perceive(testing::FrameOf(points), proto::PerceptionOptions());
  ASSERT_EQ(perception.objects.size(), 2u);
  for (const DetectedObject& car : perception.objects) {
    EXPECT_EQ(car.object_class, ObjectClass::kCar);
    EXPECT_NEAR(std::abs(car.box.center.y()), 1.25, 0.15);
    EXPECT_LT(YawErrorModPi(car.box.yaw, 0), 2 * kDeg);
  }
}

// A low flat object (debris, a kerb) as a grid of points `height` above the road.
void AddLowSlab(std::vector<Eigen::Vector3f>& points, float cx, float cy, float length, float width,
                float height) {
  for (float x = cx - length / 2; x <= cx + length / 2; x += 0.05f) {
    for (float y = cy - width / 2; y <= cy + width / 2; y += 0.05f) {
      points.emplace_back(x, y, kGroundZ + height);
    }
  }
}

TEST(Perceive, FindsDebrisAsLowAsTheGroundThresholdWhenItLiesApart) {
  // 0.18 m up is ground to the 0.2 m threshold: only the low-obstacle pass sees the slab.
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -30, 30, -30, 30, 0.25f);
  AddLowSlab(points, 20, 0, 0.6f, 0.4f, 0.18f);
  proto::PerceptionOptions options;
  Perception perception = Perceive(testing::FrameOf(points), options);
  ASSERT_EQ(perception.objects.size(), 1u);
  const DetectedObject& debris = perception.objects[0];
  EXPECT_EQ(debris.object_class, ObjectClass::kUnknown);
  EXPECT_NEAR(debris.box.center.x(), 20, 0.1);
  EXPECT_NEAR(debris.box.center.y(), 0, 0.1);
  EXPECT_NEAR(debris.box.height, 0.18, 0.03);
  options.mutable_low_obstacles()->set_min_height_m(0);  // off
  EXPECT_TRUE(Perceive(testing::FrameOf(points), options).objects.empty());
}

TEST(Perceive, LowPointsBesideAnObjectOrAlongAKerbAreNoDebris) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -30, 30, -30, 30, 0.25f);
  AddBoxSides(points, 20, 2.0f, 4.0f, 1.7f, 1.5f, 0.08f);  // a car; the slab is 0.35 m from it
  AddLowSlab(points, 20, 0.6f, 0.6f, 0.4f, 0.18f);
  AddLowSlab(points, 15, -4, 1.5f, 0.1f, 0.15f);  // a piece of kerb: long and thin
  const Perception perception = Perceive(testing::FrameOf(points), proto::PerceptionOptions());
  ASSERT_EQ(perception.objects.size(), 1u);
  EXPECT_EQ(perception.objects[0].object_class, ObjectClass::kCar);
}

TEST(Perceive, DoesNotCallATreeAVan) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -25, 25, -25, 25, 0.25f);
  AddBoxSides(points, 12, 6, 0.3f, 0.3f, 1.7f, 0.05f);  // trunk
  for (float x = 10; x <= 14; x += 0.1f) {              // crown: 4 m x 2 m, 1.7 .. 2.6 m up
    for (float y = 5; y <= 7; y += 0.1f) {
      for (float z = kGroundZ + 1.7f; z <= kGroundZ + 2.6f; z += 0.3f) points.emplace_back(x, y, z);
    }
  }
  const Perception perception = Perceive(testing::FrameOf(points), proto::PerceptionOptions());
  ASSERT_EQ(perception.objects.size(), 1u);
  EXPECT_FALSE(sensors::IsVehicle(perception.objects[0].object_class));

  // The model's best guess is still kept, unreported, for scorers that rank every candidate; with
  // a lower min_confidence it is the reported class, with the same probability.
  const DetectedObject& tree = perception.objects[0];
  ASSERT_EQ(tree.object_class, sensors::ObjectClass::kUnknown);
  ASSERT_NE(tree.unsure_class, sensors::ObjectClass::kUnknown);
  EXPECT_LT(tree.class_confidence, proto::ClassOptions().min_confidence());
  proto::PerceptionOptions unsure_reported;
  unsure_reported.mutable_classes()->set_min_confidence(tree.class_confidence / 2);
  const Perception reported = Perceive(testing::FrameOf(points), unsure_reported);
  ASSERT_EQ(reported.objects.size(), 1u);
  EXPECT_EQ(reported.objects[0].object_class, tree.unsure_class);
  EXPECT_EQ(reported.objects[0].unsure_class, sensors::ObjectClass::kUnknown);
  EXPECT_DOUBLE_EQ(reported.objects[0].class_confidence, tree.class_confidence);
}

// Near the lidar a vehicle's roof is always seen: a car-sized object 1.1 m tall there is a
// barrier or a low wall. A car's rear face seen from behind can be as low when no beam meets its
// boot lid, but then its cabin stands just behind it.
TEST(Perceive, ANearObjectLowerThanAnyCarIsNoVehicleUnlessATallerOneStandsBesideIt) {
  const auto vehicles = [](const std::vector<Eigen::Vector3f>& points, double roof_seen_within_m) {
    proto::PerceptionOptions options;
    options.mutable_classes()->set_roof_seen_within_m(roof_seen_within_m);
    int count = 0;
    for (const DetectedObject& object : Perceive(testing::FrameOf(points), options).objects) {
      count += sensors::IsVehicle(object.object_class);
    }
    return count;
  };
  std::vector<Eigen::Vector3f> barrier;
  AddGround(barrier, -20, 20, -20, 20, 0.25f);
  AddBoxSides(barrier, 10, 3, 4.2f, 1.7f, 1.1f, 0.05f);
  EXPECT_EQ(vehicles(barrier, 0), 1);  // without the rule the model calls it a car
  EXPECT_EQ(vehicles(barrier, 20), 0);

  std::vector<Eigen::Vector3f> car_from_behind;
  AddGround(car_from_behind, -20, 20, -20, 20, 0.25f);
  AddBoxSides(car_from_behind, 10, 0, 0.1f, 1.7f, 1.0f, 0.05f);  // rear face
  // The back of the cabin, 1.15-1.45 m up and 0.75 m further on.
  AddBoxSides(car_from_behind, 10.8f, 0, 0.1f, 1.5f, 0.55f, 0.05f, 0, kGroundZ + 0.9f);
  const Perception perception = Perceive(testing::FrameOf(car_from_behind), {});
  ASSERT_EQ(perception.objects.size(), 1u);  // the cabin is a fragment of the car
  const sensors::Box3D& car = perception.objects[0].box;
  EXPECT_TRUE(sensors::IsVehicle(perception.objects[0].object_class));
  EXPECT_LT(car.center.x() - car.length / 2, 10.1);  // the car begins at its rear face
}

TEST(Perceive, AppliesVehicleFromLidar) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -20, 20, -20, 20, 0.25f);
  AddBoxSides(points, 10, 0, 4.0f, 1.7f, 1.5f, 0.08f);
  sensors::Frame frame = testing::FrameOf(points);
  auto calibration = std::make_shared<sensors::Calibration>();
  calibration->vehicle_from_lidar =
      Eigen::Translation3d(1.5, 0, 1.73) * Eigen::Isometry3d::Identity();
  frame.calibration = calibration;
  const Perception perception = Perceive(frame, proto::PerceptionOptions());
  ASSERT_EQ(perception.objects.size(), 1u);
  EXPECT_NEAR(perception.objects[0].box.center.x(), 11.5, 0.2);
  EXPECT_NEAR(perception.objects[0].ground_z, 0, 0.05);
}

TEST(SizePriorBox, TurnsACarSeenEndOnButNotAPieceOfItsSide) {
  const Eigen::Vector2d sensor = Eigen::Vector2d::Zero();
  // Its rear only, straight ahead: 1.7 m across the line of sight. The hidden length runs away.
  sensors::Box3D rear;
  rear.center = {10, 0, -1};
  rear.length = 1.7, rear.width = 0.3, rear.height = 1.5;
  rear.yaw = std::numbers::pi / 2;
  const sensors::Box3D car = SizePriorBox(rear, ObjectClass::kCar, sensor);
  EXPECT_NEAR(YawErrorModPi(car.yaw, 0), 0, 1e-9);
  EXPECT_DOUBLE_EQ(car.length, 3.9);
  EXPECT_NEAR(car.center.x(), 10 + (3.9 - 0.3) / 2, 1e-9);

  // 2.2 m of a side seen at 45 degrees off the box's axis: no car is that wide, so it is the
  // front part of the car's side and the car grows along it, away from the sensor.
  sensors::Box3D side = rear;
  side.center = {10, 10, -1};
  side.length = 2.2, side.width = 1.5;
  side.yaw = -0.3;
  const sensors::Box3D grown = SizePriorBox(side, ObjectClass::kCar, sensor);
  EXPECT_DOUBLE_EQ(grown.yaw, -0.3);
  EXPECT_DOUBLE_EQ(grown.length, 3.9);
  const Eigen::Vector2d moved = grown.center.head<2>() - side.center.head<2>();
  EXPECT_NEAR(moved.dot(Eigen::Vector2d(std::cos(-0.3), std::sin(-0.3))), (3.9 - 2.2) / 2, 1e-9);
}

TEST(LabelBox, GrowsAPedestrianAwayFromTheSensorAndKeepsACyclist) {
  sensors::Box3D seen;  // the front of a person 10 m ahead
  seen.center = {10, 0, -1};
  seen.length = 0.5, seen.width = 0.3, seen.height = 1.7;
  const Eigen::Vector2d sensor = Eigen::Vector2d::Zero();
  const TypicalSize size = TypicalSizeOf(ObjectClass::kPedestrian);
  const sensors::Box3D person = LabelBox(seen, ObjectClass::kPedestrian, sensor);
  EXPECT_DOUBLE_EQ(person.length, size.length);
  EXPECT_DOUBLE_EQ(person.width, size.width);
  EXPECT_NEAR(person.center.x(), 10 + (size.length - 0.5) / 2, 1e-9);
  // Perceive's own box for a person stays the fitted one.
  EXPECT_EQ(SizePriorBox(seen, ObjectClass::kPedestrian, sensor).center, seen.center);
  const sensors::Box3D cyclist = LabelBox(seen, ObjectClass::kCyclist, sensor);
  EXPECT_EQ(cyclist.center, seen.center);
  EXPECT_DOUBLE_EQ(cyclist.length, seen.length);
  seen.width = 1.7;  // a car seen end-on: its SizePriorBox
  EXPECT_DOUBLE_EQ(LabelBox(seen, ObjectClass::kCar, sensor).length, 3.9);
}

TEST(Perceive, IsDeterministicOnARealScan) {
  LONGTAIL_REQUIRE_DATA(dir, "lidar-scans-hdl64");
  sensors::Frame frame;
  sensors::IssueLog issues;
  frame.lidar.points = sensors::kitti::ReadVelodyneBin(dir / "000000.bin", issues)
                           .value_or(std::vector<sensors::LidarPoint>{});
  ASSERT_GT(frame.lidar.points.size(), 100000u);
  const Perception a = Perceive(frame, proto::PerceptionOptions());
  const Perception b = Perceive(frame, proto::PerceptionOptions());
  const double ground_fraction = double(a.num_ground_points) / a.num_points;
  EXPECT_GT(ground_fraction, 0.3);
  EXPECT_LT(ground_fraction, 0.8);
  EXPECT_GT(a.objects.size(), 5u);
  EXPECT_LT(a.objects.size(), 400u);
  ASSERT_EQ(a.objects.size(), b.objects.size());
  for (std::size_t i = 0; i < a.objects.size(); ++i) {
    EXPECT_EQ(a.objects[i].box.center, b.objects[i].box.center);
  }
}

}  // namespace
}  // namespace longtail::pipeline
