#include "sensors/kitti/kitti_calibration.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

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

// What the pipeline would trust blindly: NaN, a matrix that is not a rotation, a camera with no
// focal length, and a "calibration" larger than any real one. Each stops with the file named.
std::string ErrorOf(const std::function<void()>& read) {
  try {
    read();
  } catch (const LogError& e) {
    return e.what();
  }
  return "";
}

TEST(KittiCalibration, NonFiniteRotatedOrDegenerateValuesAreRefusedNamingTheFile) {
  const auto dir = testing::ScratchDir();
  const std::string p2 = "P2: 721 0 609 44 0 721 172 0.2 0 0 1 0.003\n";
  const std::string r0 = "R0_rect: 1 0 0 0 1 0 0 0 1\n";
  const std::string tr = "Tr_velo_to_cam: 0 -1 0 0 0 0 -1 -0.08 1 0 0 -0.27\n";
  WriteText(dir / "good.txt", p2 + r0 + tr);
  EXPECT_NO_THROW(ReadKittiBenchmarkCalibration(dir / "good.txt"));

  WriteText(dir / "nan.txt", p2 + r0 + "Tr_velo_to_cam: 0 -1 0 0 0 0 -1 -0.08 1 0 nan -0.27\n");
  std::string error = ErrorOf([&] { ReadKittiBenchmarkCalibration(dir / "nan.txt"); });
  EXPECT_NE(error.find("nan.txt"), std::string::npos) << error;
  EXPECT_NE(error.find("line 3"), std::string::npos) << error;
  EXPECT_NE(error.find("not a finite number"), std::string::npos) << error;

  WriteText(dir / "scaled.txt", p2 + r0 + "Tr_velo_to_cam: 0 -2 0 0 0 0 -1 -0.08 1 0 0 -0.27\n");
  error = ErrorOf([&] { ReadKittiBenchmarkCalibration(dir / "scaled.txt"); });
  EXPECT_NE(error.find("scaled.txt"), std::string::npos) << error;
  EXPECT_NE(error.find("Tr_velo_to_cam is not a rotation"), std::string::npos) << error;

  WriteText(dir / "mirror.txt", p2 + "R0_rect: -1 0 0 0 1 0 0 0 1\n" + tr);
  error = ErrorOf([&] { ReadKittiBenchmarkCalibration(dir / "mirror.txt"); });
  EXPECT_NE(error.find("R0_rect is not a rotation"), std::string::npos) << error;

  WriteText(dir / "flat.txt", "P2: 0 0 609 44 0 721 172 0.2 0 0 1 0.003\n" + r0 + tr);
  error = ErrorOf([&] { ReadKittiBenchmarkCalibration(dir / "flat.txt"); });
  EXPECT_NE(error.find("P2 is not a camera projection"), std::string::npos) << error;

  // A sparse 2 MiB file: refused by its size before it is read.
  WriteText(dir / "huge.txt", p2);
  std::filesystem::resize_file(dir / "huge.txt", 2 << 20);
  error = ErrorOf([&] { ParseKittiCalibrationFile(dir / "huge.txt"); });
  EXPECT_NE(error.find("huge.txt"), std::string::npos) << error;
  EXPECT_NE(error.find("2097152 bytes"), std::string::npos) << error;
}

TEST(KittiCalibration, RawDriveImageSizeMustBeAnImage) {
  LONGTAIL_REQUIRE_DATA(date_dir, "kitti-raw/2011_09_26");
  const auto dir = testing::ScratchDir();
  std::filesystem::copy_file(date_dir / "calib_velo_to_cam.txt", dir / "calib_velo_to_cam.txt");
  std::ifstream in(date_dir / "calib_cam_to_cam.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("S_rect_00: ");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find('\n', at) - at, "S_rect_00: -1.242000e+03 3.750000e+02");
  WriteText(dir / "calib_cam_to_cam.txt", text);
  const std::string error = ErrorOf([&] { ReadKittiRawCalibration(dir); });
  EXPECT_NE(error.find("calib_cam_to_cam.txt"), std::string::npos) << error;
  EXPECT_NE(error.find("S_rect_00"), std::string::npos) << error;
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
