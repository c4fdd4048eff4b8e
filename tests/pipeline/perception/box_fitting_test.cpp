#include "pipeline/perception/box_fitting.h"

#include <gtest/gtest.h>

#include "tests/pipeline/perception/scenes.h"

namespace longtail::pipeline {
namespace {

using testing::AddBoxSides;
using testing::kDeg;
using testing::kGroundZ;
using testing::YawErrorModPi;

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

}  // namespace
}  // namespace longtail::pipeline
