#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "pipeline/perception/box_fitting.h"
#include "pipeline/perception/classify.h"
#include "pipeline/perception/clustering.h"
#include "pipeline/perception/ground.h"
#include "pipeline/perception/perceive.h"
#include "sensors/kitti/kitti_files.h"
#include "tests/pipeline/perception/scenes.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::AddBoxSides;
using testing::AddGround;
using testing::kGroundZ;

constexpr double kDeg = std::numbers::pi / 180;

GroundSegmentation Segment(const std::vector<Eigen::Vector3f>& points) {
  return SegmentGround(points, Eigen::Vector3d::Zero(), kGroundZ, 80, proto::GroundOptions());
}

// Heading difference modulo pi (box headings are ambiguous by a half turn).
double YawErrorModPi(double a, double b) {
  double d = std::fmod(std::abs(a - b), std::numbers::pi);
  return std::min(d, std::numbers::pi - d);
}

TEST(FastAtan2, MatchesStdAtan2InEveryQuadrant) {
  for (double angle = -3.1; angle <= 3.14; angle += 0.01) {
    const float y = static_cast<float>(std::sin(angle) * 7),
                x = static_cast<float>(std::cos(angle) * 7);
    EXPECT_NEAR(FastAtan2(y, x), std::atan2(y, x), 2e-4) << angle;
  }
  EXPECT_EQ(FastAtan2(0, 0), 0);
}

TEST(SegmentGround, FlatRoadIsGroundAndABoxOnItIsNot) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -20, 20, -20, 20, 0.5f);
  const std::size_t num_road = points.size();
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);
  const GroundSegmentation ground = Segment(points);
  std::size_t road_as_ground = 0, box_as_ground = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    (i < num_road ? road_as_ground : box_as_ground) += ground.is_ground[i];
  }
  EXPECT_GT(road_as_ground, num_road * 0.98);
  EXPECT_EQ(box_as_ground, 0u);
  EXPECT_NEAR(ground.HeightAt(10, 0), kGroundZ, 0.05);
}

TEST(SegmentGround, FollowsARisingSlopeThatOneGlobalPlaneWouldMiss) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, 3, 40, -10, 10, 0.5f, /*slope=*/0.08f);  // 8 % grade: +3.2 m at 40 m
  const std::size_t num_road = points.size();
  AddBoxSides(points, 30, 0, 4, 1.8f, 1.5f, 0.1f, 0, kGroundZ + 0.08f * 30);
  const GroundSegmentation ground = Segment(points);
  std::size_t road_as_ground = 0, high_box_as_ground = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    // The box's bottom is flat while the road rises under it: judge it by its height over the road.
    const bool high = points[i].z() > kGroundZ + 0.08f * points[i].x() + 0.25f;
    if (i < num_road) road_as_ground += ground.is_ground[i];
    if (i >= num_road && high) high_box_as_ground += ground.is_ground[i];
  }
  EXPECT_GT(road_as_ground, num_road * 0.97);
  EXPECT_EQ(high_box_as_ground, 0u);
  EXPECT_NEAR(ground.HeightAt(30, 0), kGroundZ + 0.08 * 30, 0.3);
}

TEST(SegmentGround, AWallIsNotGround) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, 3, 20, -10, 10, 0.5f);
  const std::size_t num_road = points.size();
  for (float y = -10; y <= 10; y += 0.1f) {
    for (float z = kGroundZ + 0.3f; z < 2; z += 0.1f) points.emplace_back(15, y, z);
  }
  const GroundSegmentation ground = Segment(points);
  std::size_t wall_as_ground = 0;
  for (std::size_t i = num_road; i < points.size(); ++i) wall_as_ground += ground.is_ground[i];
  EXPECT_EQ(wall_as_ground, 0u);
}

TEST(ClusterPoints, SeparatesAPedestrianHalfAMetreFromACar) {
  std::vector<Eigen::Vector3f> points;
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);
  AddBoxSides(points, 10, 0.9f + 0.5f + 0.25f, 0.5f, 0.5f, 1.7f, 0.05f);  // 0.5 m gap
  const std::vector<std::uint8_t> none(points.size(), 0);
  GroundSegmentation ground = Segment(points);
  ground.is_ground = none;
  const Clusters clusters = ClusterPoints(points, ground, proto::ClusterOptions());
  EXPECT_EQ(clusters.size(), 2);
}

TEST(ClusterPoints, KeepsALongTruckInOnePiece) {
  std::vector<Eigen::Vector3f> points;
  AddBoxSides(points, 20, 5, 12, 2.5f, 3.5f, 0.15f);
  GroundSegmentation ground = Segment(points);
  ground.is_ground.assign(points.size(), 0);
  const Clusters clusters = ClusterPoints(points, ground, proto::ClusterOptions());
  ASSERT_EQ(clusters.size(), 1);
  EXPECT_EQ(clusters.count(0), static_cast<int>(points.size()));
}

TEST(ClusterPoints, DropsGroundTooHighAndTooSmallClusters) {
  std::vector<Eigen::Vector3f> points = {{10, 0, kGroundZ}, {10, 0.1f, kGroundZ}};
  for (int i = 0; i < 3; ++i) points.emplace_back(20, 0.05f * i, 0);   // 3 points: too few
  for (int i = 0; i < 20; ++i) points.emplace_back(30, 0.05f * i, 5);  // 6.7 m above ground
  GroundSegmentation ground = Segment(points);
  ground.is_ground.assign(points.size(), 0);
  ground.is_ground[0] = ground.is_ground[1] = 1;
  EXPECT_EQ(ClusterPoints(points, ground, proto::ClusterOptions()).size(), 0);
}

TEST(FitBox, RecoversTheHeadingOfAnLShapedCar) {
  for (const double yaw_deg : {0.0, 17.0, 30.0, 60.0, -40.0}) {
    std::vector<Eigen::Vector3f> all, visible;
    AddBoxSides(all, 12, 4, 4.2f, 1.7f, 1.5f, 0.05f, static_cast<float>(yaw_deg * kDeg));
    // Only the sides facing the sensor at the origin are seen: keep points nearer than the centre.
    for (const Eigen::Vector3f& p : all) {
      if (p.head<2>().norm() < Eigen::Vector2f(12, 4).norm() - 0.3f) visible.push_back(p);
    }
    const sensors::Box3D box = FitBox(visible, kGroundZ, proto::BoxOptions());
    EXPECT_LT(YawErrorModPi(box.yaw, yaw_deg * kDeg), 2 * kDeg) << yaw_deg;
    EXPECT_NEAR(box.height, 1.5, 0.06);
    EXPECT_NEAR(box.center.z(), kGroundZ + 0.75, 0.05);
  }
}

TEST(ExtendAwayFromSensor, GrowsAShortBoxAwayFromTheSensor) {
  sensors::Box3D seen;
  seen.center = {10, 0, -1};
  seen.length = 2;
  seen.width = 0.4;
  seen.height = 1.5;
  const sensors::Box3D full = ExtendAwayFromSensor(seen, 4, 1.6, Eigen::Vector2d::Zero());
  EXPECT_DOUBLE_EQ(full.length, 4);
  EXPECT_DOUBLE_EQ(full.width, 1.6);
  EXPECT_NEAR(full.center.x(), 11, 1e-9);  // grew 2 m, all of it away from the sensor
  const sensors::Box3D big = ExtendAwayFromSensor(full, 3, 1, Eigen::Vector2d::Zero());
  EXPECT_EQ(big.center, full.center);
}

TEST(GuessClass, TellsCarsPedestriansTrucksAndFencesApart) {
  const auto box = [](double l, double w, double h) {
    sensors::Box3D b;
    b.length = l, b.width = w, b.height = h;
    return b;
  };
  const proto::ClassOptions options;
  EXPECT_EQ(GuessClass(box(4.0, 1.7, 1.5), 300, options).object_class, ObjectClass::kCar);
  EXPECT_EQ(GuessClass(box(0.6, 0.5, 1.75), 100, options).object_class, ObjectClass::kPedestrian);
  EXPECT_EQ(GuessClass(box(10, 2.5, 3.5), 800, options).object_class, ObjectClass::kTruck);
  EXPECT_EQ(GuessClass(box(12, 0.3, 1.2), 800, options).object_class, ObjectClass::kUnknown);
  EXPECT_EQ(GuessClass(box(2, 1, 0.2), 50, options).object_class, ObjectClass::kUnknown);
  EXPECT_GT(GuessClass(box(4.0, 1.7, 1.5), 300, options).confidence, 0.9);
  // A child 1.1 m tall is a pedestrian; something 0.85 m tall is not (the height ramp starts 0.1 m
  // below 1.0 m).
  EXPECT_EQ(GuessClass(box(0.4, 0.4, 1.1), 100, options).object_class, ObjectClass::kPedestrian);
  EXPECT_EQ(GuessClass(box(0.4, 0.4, 0.85), 100, options).object_class, ObjectClass::kUnknown);
}

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
