// Tests of sensors/box3d.h: BEV IoU, containment, corners, angles and KITTI class names.
#include "sensors/box3d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace longtail::sensors {
namespace {

TEST(Box3D, BevIoUOfIdenticalDisjointAndHalfOverlappingBoxes) {
  const Box3D a{{10, 0, 0}, 4, 2, 1.5, 0.3};
  EXPECT_NEAR(BevIoU(a, a), 1.0, 1e-9);
  Box3D far = a;
  far.center.x() += 20;
  EXPECT_EQ(BevIoU(a, far), 0.0);
  const Box3D unit{{0, 0, 0}, 2, 2, 1, 0};
  const Box3D shifted{{1, 0, 0}, 2, 2, 1, 0};
  EXPECT_NEAR(BevIoU(unit, shifted), 2.0 / 6.0, 1e-9);
  // A square turned by 90 degrees is the same footprint.
  Box3D turned = unit;
  turned.yaw = std::numbers::pi / 2;
  EXPECT_NEAR(BevIoU(unit, turned), 1.0, 1e-9);
}

TEST(Box3D, ContainsRespectsYawAndHeight) {
  const Box3D box{{0, 0, 1}, 4, 1, 2, std::numbers::pi / 2};  // long along y
  EXPECT_TRUE(Contains(box, {0, 1.9, 1}));
  EXPECT_FALSE(Contains(box, {1.9, 0, 1}));
  EXPECT_FALSE(Contains(box, {0, 0, 2.1}));
  EXPECT_TRUE(Contains(box, {0, 0, 2.1}, 0.2));
}

TEST(Box3D, CornersSpanTheBox) {
  const Box3D box{{1, 2, 3}, 4, 2, 1, 0};
  const auto corners = Corners(box);
  EXPECT_TRUE(corners[0].isApprox(Eigen::Vector3d(3, 3, 2.5)));
  EXPECT_TRUE(corners[6].isApprox(Eigen::Vector3d(-1, 1, 3.5)));
}

TEST(Box3D, WrapAngleMapsToHalfOpenInterval) {
  EXPECT_NEAR(WrapAngle(3 * std::numbers::pi), std::numbers::pi, 1e-12);
  EXPECT_NEAR(WrapAngle(-std::numbers::pi), std::numbers::pi, 1e-12);
  EXPECT_NEAR(WrapAngle(-0.5), -0.5, 1e-12);
}

TEST(ObjectClass, ParsesKittiTypes) {
  EXPECT_EQ(ParseObjectClass("Car"), ObjectClass::kCar);
  EXPECT_EQ(ParseObjectClass("Person_sitting"), ObjectClass::kPedestrian);
  EXPECT_FALSE(ParseObjectClass("DontCare"));
  EXPECT_TRUE(IsVulnerableRoadUser(ObjectClass::kCyclist));
  EXPECT_TRUE(IsVehicle(ObjectClass::kVan));
}

}  // namespace
}  // namespace longtail::sensors
