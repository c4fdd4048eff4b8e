#include "pipeline/ego_motion/ego_motion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pipeline/perception/perceive.h"
#include "sensors/log_reader.h"
#include "tests/pipeline/ego_motion/street.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

using testing::Planar;
using testing::Seen;
using testing::Street;

sensors::Timestamp At(double seconds) { return sensors::Timestamp(sensors::FromSeconds(seconds)); }

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

// A runner may build each scan's grid ahead (in parallel): the motion must be the same to the bit.
TEST(EgoMotionEstimator, PrebuiltScanGridsGiveTheSameMotion) {
  const proto::EgoMotionOptions options;
  EgoMotionEstimator building{options}, given{options};
  const std::vector<Eigen::Vector3f> world = Street();
  for (int i = 0; i < 5; ++i) {
    sensors::Frame frame;
    frame.lidar.stamp = At(0.1 * i);
    Perception perception;
    perception.registration_points = Seen(world, Planar(0.7 * i, 0.05 * i, 0.01 * i));
    std::optional<PointGrid2D> grid = ScanGrid(frame, perception, options);
    ASSERT_TRUE(grid);
    const EgoMotion a = building.Update(frame, perception);
    const EgoMotion b = given.Update(frame, perception, std::move(grid));
    EXPECT_EQ(a.world_from_vehicle, b.world_from_vehicle) << "frame " << i;
    EXPECT_EQ(a.speed, b.speed);
    EXPECT_EQ(a.yaw_rate, b.yaw_rate);
  }
}

TEST(EgoMotionEstimator, NoScanGridWhenTheMotionWillNotComeFromTheLidar) {
  proto::EgoMotionOptions options;
  Perception perception;
  sensors::Frame frame;
  EXPECT_FALSE(ScanGrid(frame, perception, options));  // no registration points
  perception.registration_points = Street();
  EXPECT_TRUE(ScanGrid(frame, perception, options));
  frame.ego = sensors::EgoPose{};
  EXPECT_FALSE(ScanGrid(frame, perception, options));  // the log has a pose
  frame.ego.reset();
  options.set_estimate_from_lidar(false);
  EXPECT_FALSE(ScanGrid(frame, perception, options));
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
