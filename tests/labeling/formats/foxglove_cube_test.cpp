#include "labeling/formats/foxglove_cube.h"

#include <gtest/gtest.h>

#include <numbers>

#include "tests/labeling/formats/format_test_data.h"

namespace longtail::labeling {
namespace {

TEST(FoxgloveCube, RoundTripsHardBoxes) {
  for (const ObjectLabel& object : testdata::HardObjects()) {
    const sensors::Box3D& box = object.labeled.box;
    const sensors::Box3D back = FoxgloveCubeToBox(BoxToFoxgloveCube(box));
    EXPECT_TRUE(back.center.isApprox(box.center, 1e-15));
    EXPECT_DOUBLE_EQ(back.length, box.length);
    EXPECT_DOUBLE_EQ(back.width, box.width);
    EXPECT_DOUBLE_EQ(back.height, box.height);
    EXPECT_NEAR(sensors::WrapAngle(back.yaw - box.yaw), 0, 1e-12);
  }
}

TEST(FoxgloveCube, SizeIsLengthWidthHeightAlongTheCubesAxes) {
  sensors::Box3D box;
  box.length = 4;
  box.width = 2;
  box.height = 1.5;
  box.yaw = std::numbers::pi / 2;
  const FoxgloveCube cube = BoxToFoxgloveCube(box);
  EXPECT_EQ(cube.size, Eigen::Vector3d(4, 2, 1.5));
  // Heading +y: the quaternion is a quarter turn about z (x, y, z, w = 0, 0, s, s).
  EXPECT_NEAR(cube.orientation.z(), std::sqrt(0.5), 1e-15);
  EXPECT_NEAR(cube.orientation.w(), std::sqrt(0.5), 1e-15);
}

TEST(FoxgloveCube, ATiltedCubeKeepsItsGroundPlaneHeading) {
  FoxgloveCube cube;
  cube.orientation = Eigen::AngleAxisd(0.7, Eigen::Vector3d::UnitZ()) *
                     Eigen::AngleAxisd(0.2, Eigen::Vector3d::UnitY());
  EXPECT_NEAR(FoxgloveCubeToBox(cube).yaw, 0.7, 1e-12);
}

}  // namespace
}  // namespace longtail::labeling
