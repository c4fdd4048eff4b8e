#include "pipeline/ego_motion/ego_motion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "pipeline/ego_motion/scan_registration.h"
#include "pipeline/perception/perceive.h"
#include "sensors/log_reader.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

constexpr double kDeg = std::numbers::pi / 180;

sensors::Timestamp At(double seconds) { return sensors::Timestamp(sensors::FromSeconds(seconds)); }

// A street seen from the origin: two building fronts, a few poles and parked boxes (world frame).
std::vector<Eigen::Vector3f> Street() {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> jitter(-0.02f, 0.02f);
  std::vector<Eigen::Vector3f> points;
  for (float x = -40; x <= 40; x += 0.3f) {
    for (float z = -1.0f; z < 3; z += 0.5f) {
      points.emplace_back(x, 9 + 0.02f * x + jitter(random), z);  // a slightly skewed facade
      if (std::fmod(x + 40, 12.0f) > 2) points.emplace_back(x, -8 + jitter(random), z);  // gaps
    }
  }
  for (float x = -35; x <= 35; x += 7) {  // poles
    for (float a = 0; a < 6.28f; a += 0.5f)
      points.emplace_back(x + 0.1f * std::cos(a), 5 + 0.1f * std::sin(a), 0);
  }
  for (float t = 0; t <= 4; t += 0.2f) {  // a parked car's L
    points.emplace_back(12 + t, -4, -1), points.emplace_back(12, -4 - t * 0.45f, -1);
  }
  return points;
}

std::vector<Eigen::Vector3f> Seen(const std::vector<Eigen::Vector3f>& world,
                                  const Eigen::Isometry3d& world_from_vehicle) {
  std::vector<Eigen::Vector3f> out;
  const Eigen::Isometry3f vehicle_from_world = world_from_vehicle.inverse().cast<float>();
  for (const Eigen::Vector3f& p : world) out.push_back(vehicle_from_world * p);
  return out;
}

Eigen::Isometry3d Planar(double x, double y, double yaw) {
  Eigen::Isometry3d t = Eigen::Isometry3d::Identity();
  t.linear() = Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  t.translation() << x, y, 0;
  return t;
}

TEST(RegisterScan, RecoversAKnownPlanarMotion) {
  const std::vector<Eigen::Vector3f> world = Street();
  const PointGrid2D previous(world, 1.0, 60);
  const Eigen::Isometry3d truth = Planar(1.1, 0.15, 2 * kDeg);
  const RegistrationResult result =
      RegisterScan(Seen(world, truth), previous, Planar(1.0, 0, 0), RegistrationOptions());
  ASSERT_TRUE(result.valid);
  EXPECT_NEAR(result.target_from_source.translation().x(), 1.1, 0.03);
  EXPECT_NEAR(result.target_from_source.translation().y(), 0.15, 0.03);
  const Eigen::Matrix3d r = result.target_from_source.linear();
  EXPECT_NEAR(std::atan2(r(1, 0), r(0, 0)), 2 * kDeg, 0.2 * kDeg);
}

TEST(RegisterScan, IsInvalidWithoutOverlap) {
  const PointGrid2D previous(Street(), 1.0, 60);
  const std::vector<Eigen::Vector3f> far = {{500, 500, 0}, {501, 500, 0}};
  EXPECT_FALSE(RegisterScan(far, previous, Eigen::Isometry3d::Identity(), {}).valid);
}

TEST(PointGrid2D, FindsTheNearestPointWithinOneCell) {
  const PointGrid2D grid({{1.2f, 1.2f, 0}, {1.9f, 1.2f, 5}}, 1.0, 10);
  EXPECT_EQ(grid.size(), 2u);
  const auto nearest = grid.Nearest({1.7f, 1.3f});
  ASSERT_TRUE(nearest);
  EXPECT_FLOAT_EQ(nearest->point.x(), 1.9f);
  EXPECT_TRUE(nearest->normal.isZero());  // two points are no line
  EXPECT_FALSE(grid.Nearest({5, 5}));
}

TEST(PointGrid2D, GivesPointsOnAWallTheWallsNormal) {
  std::vector<Eigen::Vector3f> wall;
  for (float x = 0; x < 10; x += 0.1f) wall.emplace_back(x, 3, 0);
  const PointGrid2D grid(wall, 1.0, 20);
  const auto nearest = grid.Nearest({5.02f, 3.3f});
  ASSERT_TRUE(nearest);
  EXPECT_NEAR(std::abs(nearest->normal.y()), 1, 1e-3);
}

TEST(EgoMotionEstimator, UsesLogPosesForSpeedAndYawRate) {
  EgoMotionEstimator estimator{proto::EgoMotionOptions()};
  EgoMotion ego;
  for (int i = 0; i < 3; ++i) {
    sensors::Frame frame;
    frame.lidar.stamp = At(0.1 * i);
    frame.ego = sensors::EgoPose{At(0.1 * i), Planar(1.0 * i, 0, 0.01 * i), std::nullopt};
    ego = estimator.Update(frame, Perception());
  }
  EXPECT_TRUE(ego.known);
  EXPECT_FALSE(ego.estimated);
  EXPECT_NEAR(ego.speed, 10, 0.1);
  EXPECT_NEAR(ego.yaw_rate, 0.1, 1e-6);
  EXPECT_NEAR(ego.acceleration, 0, 1e-6);
}

TEST(EgoMotionEstimator, IsUnknownWithoutPosesWhenLidarEstimationIsOff) {
  proto::EgoMotionOptions options;
  options.set_estimate_from_lidar(false);
  EgoMotionEstimator estimator{options};
  Perception perception;
  perception.registration_points = Street();
  sensors::Frame frame;
  EXPECT_FALSE(estimator.Update(frame, perception).known);
}

// A street canyon: point-to-point ICP would stick to the dense facades; point-to-line slides.
TEST(EgoMotionEstimator, EstimatesSpeedFromTheLidarAlone) {
  EgoMotionEstimator estimator{proto::EgoMotionOptions()};
  const std::vector<Eigen::Vector3f> world = Street();
  EgoMotion ego;
  for (int i = 0; i < 5; ++i) {
    sensors::Frame frame;
    frame.lidar.stamp = At(0.1 * i);
    Perception perception;
    perception.registration_points = Seen(world, Planar(0.8 * i, 0, 0));
    ego = estimator.Update(frame, perception);
  }
  EXPECT_TRUE(ego.known);
  EXPECT_TRUE(ego.estimated);
  EXPECT_NEAR(ego.speed, 8, 0.3);
  EXPECT_NEAR(ego.world_from_vehicle(0, 3), 3.2, 0.15);
}

// Drive 0005 has no oxts: the lidar path must be smooth and the speed plausible for a city street.
TEST(EgoMotionEstimator, GivesASmoothPlausiblePathOnLidarOnlyDrive0005) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0005_sync");
  sensors::IssueLog issues;
  auto reader = sensors::OpenLog(drive.string(), issues);
  EgoMotionEstimator estimator{proto::EgoMotionOptions()};
  std::vector<double> speeds;
  while (auto frame = reader->Next()) {
    const Perception perception = Perceive(*frame, proto::PerceptionOptions());
    const EgoMotion ego = estimator.Update(*frame, perception);
    ASSERT_TRUE(ego.known);
    if (frame->index > 0) speeds.push_back(ego.speed);
  }
  ASSERT_GE(speeds.size(), 30u);
  for (std::size_t i = 0; i < speeds.size(); ++i) {
    EXPECT_GT(speeds[i], 1.0) << i;
    EXPECT_LT(speeds[i], 20.0) << i;
    if (i > 0) {
      EXPECT_LT(std::abs(speeds[i] - speeds[i - 1]), 1.0) << i;  // < 10 m/s^2 at 10 Hz
    }
  }
}

}  // namespace
}  // namespace longtail::pipeline
