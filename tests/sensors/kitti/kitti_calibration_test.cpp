#include "sensors/kitti/kitti_calibration.h"

#include <gtest/gtest.h>

#include <fstream>

#include "sensors/log_reader.h"
#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(KittiCalibration, SplitsAtTheFirstColonAndSkipsCalibTime) {
  const auto dir = testing::ScratchDir();
  WriteText(dir / "c.txt",
            "calib_time: 09-Jan-2012 13:57:47\nT: 1 2 3\nR_rect 1 0 0 0 1 0 0 0 1\n");
  const auto values = ParseKittiCalibrationFile(dir / "c.txt");
  EXPECT_FALSE(values.count("calib_time"));
  EXPECT_EQ(values.at("T"), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(values.at("R_rect").size(), 9u);
}

TEST(KittiCalibration, BadNumberNamesFileAndLine) {
  const auto dir = testing::ScratchDir();
  WriteText(dir / "calib_velo_to_cam.txt", "R: 1 0 0 0 1 0 0 0 1\nT: 1 2 oops\n");
  try {
    ParseKittiCalibrationFile(dir / "calib_velo_to_cam.txt");
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_NE(std::string(e.what()).find("calib_velo_to_cam.txt"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("oops"), std::string::npos);
  }
}

TEST(KittiCalibration, MissingKeyIsAnError) {
  const auto dir = testing::ScratchDir();
  WriteText(dir / "000000.txt", "P2: 1 0 0 0 0 1 0 0 0 0 1 0\nR0_rect: 1 0 0 0 1 0 0 0 1\n");
  EXPECT_THROW(ReadKittiBenchmarkCalibration(dir / "000000.txt"), LogError);
  EXPECT_THROW(ParseKittiCalibrationFile(dir / "absent.txt"), LogError);
}

TEST(KittiCalibration, ReadsRealRawDriveCalibration) {
  LONGTAIL_REQUIRE_DATA(date_dir, "kitti-raw/2011_09_26");
  const Calibration calibration = ReadKittiRawCalibration(date_dir);
  ASSERT_EQ(calibration.cameras.size(), 4u);
  const CameraModel& camera = calibration.cameras[2];
  EXPECT_EQ(camera.name, "image_02");
  EXPECT_EQ(camera.width, 1242);
  EXPECT_EQ(camera.height, 375);
  EXPECT_NEAR(camera.projection(0, 0), 721.5377, 1e-4);
  // A point 10 m straight ahead of the Velodyne projects near the image centre column.
  const Eigen::Vector3d pixel =
      camera.projection * (camera.camera_from_vehicle * Eigen::Vector3d(10, 0, 0)).homogeneous();
  EXPECT_NEAR(pixel.x() / pixel.z(), 621, 30);
  EXPECT_GT(pixel.z(), 9.5);
}

TEST(KittiCalibration, WriteThenReadReproducesTheCameras) {
  LONGTAIL_REQUIRE_DATA(date_dir, "kitti-raw/2011_09_26");
  Calibration original = ReadKittiRawCalibration(date_dir);
  const auto dir = testing::ScratchDir();
  WriteKittiRawCalibration(original, dir);
  const Calibration back = ReadKittiRawCalibration(dir);
  ASSERT_EQ(back.cameras.size(), original.cameras.size());
  for (std::size_t i = 0; i < back.cameras.size(); ++i) {
    EXPECT_TRUE(back.cameras[i].projection.isApprox(original.cameras[i].projection, 1e-8));
    EXPECT_TRUE(back.cameras[i].camera_from_vehicle.matrix().isApprox(
        original.cameras[i].camera_from_vehicle.matrix(), 1e-8));
  }
}

}  // namespace
}  // namespace longtail::sensors
