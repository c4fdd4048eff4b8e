#include "sensors/kitti/kitti_raw_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "sensors/image.h"
#include "sensors/kitti/kitti_object_reader.h"
#include "sensors/kitti/kitti_raw_writer.h"
#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;

// A three-frame drive written by our own writer, small enough to break in every way.
Calibration TinyCalibration() {
  Calibration calibration;
  CameraModel camera;
  camera.name = "image_02";
  camera.width = 8;
  camera.height = 4;
  camera.projection << 4, 0, 4, 0, 0, 4, 2, 0, 0, 0, 1, 0;
  camera.camera_from_vehicle.linear() << 0, -1, 0, 0, 0, -1, 1, 0, 0;
  calibration.cameras.push_back(camera);
  return calibration;
}

fs::path WriteTinyDrive(const fs::path& date_dir, bool with_pose) {
  KittiRawWriter writer(date_dir, "tiny_drive_sync", TinyCalibration());
  DecodedImage pixels{8, 4, 3, std::vector<std::uint8_t>(8 * 4 * 3, 128)};
  for (int i = 0; i < 3; ++i) {
    Frame frame;
    frame.index = i;
    frame.lidar.stamp = FromNanos(1'000'000'000LL + i * 100'000'000LL);
    frame.lidar.points = {{1.0f + i, 2, 3, 0.5f}, {4, 5, 6, 0.25f}};
    CameraImage image = EncodeImage(pixels, "png");
    image.camera = "image_02";
    image.stamp = frame.lidar.stamp + std::chrono::milliseconds(5);
    frame.cameras.push_back({image, std::chrono::milliseconds(5)});
    if (with_pose) {
      EgoPose pose;
      pose.stamp = frame.lidar.stamp;
      pose.world_from_vehicle.translation() = Eigen::Vector3d(2.0 * i, 1.0, 0.5);
      pose.velocity = Eigen::Vector3d(20, 0, 0);
      frame.ego = pose;
    }
    writer.Write(frame);
  }
  writer.Finish();
  return writer.drive_dir();
}

std::vector<Frame> ReadAll(const fs::path& drive, IssueLog& issues) {
  auto reader = OpenLog(drive.string(), issues);
  std::vector<Frame> frames;
  while (auto frame = reader->Next()) frames.push_back(std::move(*frame));
  return frames;
}

TEST(KittiRawReader, ReadsBackWhatTheWriterWrote) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), true);
  IssueLog issues;
  const auto frames = ReadAll(drive, issues);
  EXPECT_EQ(issues.count(), 0u);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_FLOAT_EQ(frames[2].lidar.points[0].x, 3.0f);
  EXPECT_EQ(ToNanos(frames[1].lidar.stamp), 1'100'000'000LL);
  ASSERT_EQ(frames[1].cameras.size(), 1u);
  EXPECT_EQ(frames[1].cameras[0].skew, std::chrono::milliseconds(5));
  const auto decoded = DecodeImage(frames[1].cameras[0].image);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->width, 8);
  ASSERT_TRUE(frames[2].ego);
  EXPECT_NEAR(frames[2].ego->world_from_vehicle.translation().x(), 4.0, 1e-6);
  EXPECT_NEAR(frames[2].ego->world_from_vehicle.translation().y(), 1.0, 1e-6);
  EXPECT_NEAR(frames[2].ego->velocity->x(), 20.0, 1e-9);
}

TEST(KittiRawReader, TruncatedEmptyAndMissingScansAreCountedAndSkipped) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  const fs::path data = drive / "velodyne_points" / "data";
  fs::resize_file(data / "0000000000.bin", 20);  // one point and 4 stray bytes
  fs::resize_file(data / "0000000001.bin", 0);
  IssueLog issues;
  auto frames = ReadAll(drive, issues);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].index, 2);
  ASSERT_EQ(issues.count(), 2u);
  const auto reported = issues.issues();
  EXPECT_NE(reported[0].reason.find("truncated"), std::string::npos);
  EXPECT_EQ(reported[0].offset, 16u);
  EXPECT_NE(reported[0].file.find("0000000000.bin"), std::string::npos);
  EXPECT_NE(reported[1].reason.find("empty"), std::string::npos);

  // A stamped frame whose file is gone is a skipped frame too, named by its number.
  fs::remove(data / "0000000002.bin");
  IssueLog more;
  frames = ReadAll(drive, more);
  EXPECT_TRUE(frames.empty());
  ASSERT_EQ(more.count(), 3u);
  EXPECT_NE(more.issues()[0].reason.find("frame 2 is in timestamps.txt but has no .bin file"),
            std::string::npos)
      << more.issues()[0].reason;
}

// Replaces the lidar's second timestamp line with `line`; returns the byte offset of that line.
std::size_t ReplaceSecondLidarStamp(const fs::path& drive, const std::string& line) {
  const fs::path stamps = drive / "velodyne_points" / "timestamps.txt";
  std::ifstream in(stamps);
  std::string first, second, third;
  std::getline(in, first), std::getline(in, second), std::getline(in, third);
  in.close();
  std::ofstream(stamps) << first << "\n" << line << "\n" << third << "\n";
  return first.size() + 1;
}

TEST(KittiRawReader, BadTimestampLineIsReportedWithItsOffset) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  const std::size_t offset = ReplaceSecondLidarStamp(drive, "not a time");
  IssueLog issues;
  const auto frames = ReadAll(drive, issues);
  EXPECT_EQ(frames.size(), 2u);
  ASSERT_GE(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].offset, offset);
  EXPECT_NE(issues.issues()[0].reason.find("bad timestamp"), std::string::npos);
}

TEST(KittiRawReader, AStampOutOfOrderLosesItsFrameNotTheDrive) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  const std::size_t offset = ReplaceSecondLidarStamp(drive, "2099-01-01 00:00:00.000000000");
  IssueLog issues;
  const auto frames = ReadAll(drive, issues);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].index, 2);
  ASSERT_GE(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].offset, offset);
  EXPECT_NE(issues.issues()[0].reason.find("frame 1 is out of order"), std::string::npos);
}

TEST(KittiRawReader, AScanLargerThanAnyLidarMakesIsSkippedUnread) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  // Sparse: 4 GiB on paper, nothing on disk; reading it whole would take 4 GiB of memory.
  fs::resize_file(drive / "velodyne_points" / "data" / "0000000001.bin", 4ull << 30);
  IssueLog issues;
  const auto frames = ReadAll(drive, issues);
  ASSERT_EQ(frames.size(), 2u);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_NE(issues.issues()[0].file.find("0000000001.bin"), std::string::npos);
  EXPECT_NE(issues.issues()[0].reason.find("4294967296 bytes, more than a lidar scan can hold"),
            std::string::npos)
      << issues.issues()[0].reason;
}

TEST(KittiRawReader, ALongBadTimestampLineIsQuotedNotEchoed) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  const fs::path stamps = drive / "velodyne_points" / "timestamps.txt";
  std::ofstream(stamps, std::ios::app) << std::string(100000, 'x') << "\n";
  IssueLog issues;
  EXPECT_EQ(ReadAll(drive, issues).size(), 3u);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_LT(issues.issues()[0].reason.size(), 120u);
  EXPECT_EQ(issues.issues()[0].bytes, 100000u);
}

TEST(KittiRawReader, CorruptImageIsSkippedButTheScanIsKept) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  std::ofstream(drive / "image_02" / "data" / "0000000001.png") << "garbage";
  IssueLog issues;
  const auto frames = ReadAll(drive, issues);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_TRUE(frames[1].cameras.empty());
  EXPECT_EQ(issues.count(), 1u);
}

TEST(KittiRawReader, TruncatedPngIsNamedAndSkippedBeforeTheDecoderSeesIt) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  const fs::path png = drive / "image_02" / "data" / "0000000002.png";
  const auto size = fs::file_size(png);
  fs::resize_file(png, size - 20);
  IssueLog issues;
  const auto frames = ReadAll(drive, issues);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_TRUE(frames[2].cameras.empty());
  EXPECT_EQ(frames[1].cameras.size(), 1u);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].file, png.string());
  EXPECT_EQ(issues.issues()[0].offset, size - 20);
  EXPECT_NE(issues.issues()[0].reason.find("truncated PNG"), std::string::npos);
}

TEST(KittiRawReader, AnImageOfAnotherSizeThanItsCalibrationIsNamedAndSkipped) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  const fs::path png = drive / "image_02" / "data" / "0000000001.png";
  const CameraImage wide =
      EncodeImage({16, 4, 3, std::vector<std::uint8_t>(16 * 4 * 3, 128)}, "png");
  std::ofstream(png, std::ios::binary)
      .write(reinterpret_cast<const char*>(wide.data->data()),
             static_cast<std::streamsize>(wide.data->size()));
  IssueLog issues;
  const auto frames = ReadAll(drive, issues);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_TRUE(frames[1].cameras.empty());
  EXPECT_EQ(frames[2].cameras.size(), 1u);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].file, png.string());
  EXPECT_EQ(issues.issues()[0].reason, "image is 16x4 px, its calibration says 8x4");
}

TEST(KittiRawReader, MalformedCalibrationStopsTheLogWithAClearError) {
  const fs::path date_dir = testing::ScratchDir();
  const fs::path drive = WriteTinyDrive(date_dir, false);
  std::ofstream(date_dir / "calib_velo_to_cam.txt") << "R: 1 0 0\nT: 0 0 0\n";
  IssueLog issues;
  try {
    OpenLog(drive.string(), issues);
    FAIL() << "expected LogError";
  } catch (const LogError& e) {
    EXPECT_NE(std::string(e.what()).find("calib_velo_to_cam.txt"), std::string::npos);
  }
}

TEST(KittiRawReader, ReadFrameAtSeeksToOneFrame) {
  const fs::path drive = WriteTinyDrive(testing::ScratchDir(), false);
  IssueLog issues;
  const auto frame = ReadFrameAt(drive.string(), 2, issues);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->index, 2);
  EXPECT_FLOAT_EQ(frame->lidar.points[0].x, 3.0f);
  EXPECT_FALSE(ReadFrameAt(drive.string(), 7, issues));
}

TEST(KittiRawWriter, LidarOnlyLogsHaveNoCameraCalibration) {
  const fs::path date_dir = testing::ScratchDir();
  KittiRawWriter writer(date_dir, "lidar_only_sync", Calibration{});
  Frame frame;
  frame.lidar.points = {{1, 2, 3, 0}};
  writer.Write(frame);
  writer.Finish();
  IssueLog issues;
  const auto frames = ReadAll(writer.drive_dir(), issues);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(frames[0].cameras.empty());
  EXPECT_FALSE(fs::exists(date_dir / "calib_cam_to_cam.txt"));
}

TEST(KittiRawReader, UnknownPathsAreRejected) {
  IssueLog issues;
  EXPECT_THROW(OpenLog("/nonexistent/drive", issues), LogError);
  EXPECT_THROW(OpenLog(testing::ScratchDir().string(), issues), LogError);
}

TEST(KittiRawReader, RealDrive0052HasThirtyScansWithImagesAndNoPose) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");
  IssueLog issues;
  auto reader = OpenLog(drive.string(), issues);
  EXPECT_EQ(reader->info().format, "kitti-raw");
  EXPECT_TRUE(reader->info().has_calibration);
  EXPECT_FALSE(reader->info().has_ego_pose);
  int frames = 0;
  while (auto frame = reader->Next()) {
    ++frames;
    EXPECT_GT(frame->lidar.points.size(), 100000u);
    ASSERT_EQ(frame->cameras.size(), 1u);
    EXPECT_EQ(frame->cameras[0].image.camera, "image_02");
    EXPECT_LT(std::chrono::abs(frame->cameras[0].skew), std::chrono::milliseconds(50));
    EXPECT_FALSE(frame->ego);
  }
  EXPECT_EQ(frames, 30);
  EXPECT_EQ(issues.count(), 0u);
}

TEST(KittiRawReader, RealDrive0005IsLidarOnly) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0005_sync");
  IssueLog issues;
  auto reader = OpenLog(drive.string(), issues);
  int frames = 0;
  while (auto frame = reader->Next()) {
    ++frames;
    EXPECT_TRUE(frame->cameras.empty());
  }
  EXPECT_EQ(frames, 40);
  EXPECT_EQ(issues.count(), 0u);
}

TEST(KittiBenchmark, ReadsObjectAndTrackingLayoutsWithLabels) {
  LONGTAIL_REQUIRE_DATA(object, "kitti-object/training");
  LONGTAIL_REQUIRE_DATA(tracking, "kitti-tracking/training");
  IssueLog issues;
  const auto objects = KittiBenchmark::Open(object, issues);
  EXPECT_FALSE(objects.is_tracking());
  ASSERT_EQ(objects.size(), 6u);
  const LabeledFrame first = objects.Load(1);
  EXPECT_EQ(first.id, "000001");
  EXPECT_EQ(first.labels.size(), 7u);
  EXPECT_EQ(first.frame.cameras.size(), 1u);
  EXPECT_GT(first.frame.lidar.points.size(), 100000u);

  const auto sequence = KittiBenchmark::Open(tracking, issues);
  EXPECT_TRUE(sequence.is_tracking());
  EXPECT_EQ(sequence.size(), 40u);
  std::size_t labels = 0;
  for (std::size_t i = 0; i < sequence.size(); ++i) labels += sequence.Load(i).labels.size();
  EXPECT_EQ(labels, 185u);
  EXPECT_EQ(issues.count(), 0u);
}

}  // namespace
}  // namespace longtail::sensors
