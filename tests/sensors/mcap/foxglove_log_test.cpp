// Frames as Foxglove messages in MCAP and back: the real KITTI drive 0052 round trip, other
// writers' layouts, unsupported topics, truncated logs.
#include "sensors/mcap/foxglove_log.h"

#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <fstream>

#include "foxglove/PointCloud.pb.h"
#include "sensors/kitti/kitti_raw_writer.h"
#include "sensors/log_reader.h"
#include "sensors/mcap/foxglove_schemas.h"
#include "sensors/mcap/mcap_log_reader.h"
#include "sensors/mcap/mcap_reader.h"
#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

constexpr char kDrive[] = "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync";

std::vector<Frame> ReadAllFrames(LogReader& reader) {
  std::vector<Frame> frames;
  while (std::optional<Frame> frame = reader.Next()) frames.push_back(std::move(*frame));
  return frames;
}

std::string FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::filesystem::path WriteMcap(const std::vector<Frame>& frames, const std::filesystem::path& path,
                                const std::string& compression = "zstd") {
  proto::McapWriterOptions options;
  options.set_compression(compression);
  mcap::FoxgloveLogWriter writer(path, options);
  for (const Frame& frame : frames) writer.Write(frame);
  writer.Close();
  return path;
}

TEST(FoxgloveLog, KittiDriveComesBackFromMcapFrameForFrame) {
  LONGTAIL_REQUIRE_DATA(drive, kDrive);
  IssueLog issues;
  auto kitti = OpenLog(drive.string(), issues);
  const std::vector<Frame> original = ReadAllFrames(*kitti);
  ASSERT_EQ(original.size(), 30u);
  for (const std::string compression : {"zstd", "lz4"}) {
    const auto path = WriteMcap(original, testing::ScratchDir() / "drive.mcap", compression);
    auto mcap = OpenLog(path.string(), issues);  // chosen by content: the magic bytes
    EXPECT_EQ(mcap->info().format, "mcap");
    const std::vector<Frame> back = ReadAllFrames(*mcap);
    ASSERT_EQ(back.size(), original.size());
    for (std::size_t i = 0; i < back.size(); ++i) {
      const Frame& a = original[i];
      const Frame& b = back[i];
      EXPECT_EQ(b.index, a.index);
      EXPECT_EQ(b.lidar.stamp, a.lidar.stamp);
      ASSERT_EQ(b.lidar.points.size(), a.lidar.points.size());
      EXPECT_EQ(0, std::memcmp(b.lidar.points.data(), a.lidar.points.data(),
                               a.lidar.points.size() * sizeof(LidarPoint)));
      ASSERT_EQ(b.cameras.size(), a.cameras.size()) << "frame " << i;
      for (std::size_t c = 0; c < a.cameras.size(); ++c) {
        EXPECT_EQ(b.cameras[c].image.camera, a.cameras[c].image.camera);
        EXPECT_EQ(b.cameras[c].image.stamp, a.cameras[c].image.stamp);
        EXPECT_EQ(b.cameras[c].image.format, a.cameras[c].image.format);
        EXPECT_EQ(*b.cameras[c].image.data, *a.cameras[c].image.data);  // passed through
        EXPECT_EQ(b.cameras[c].skew, a.cameras[c].skew);
      }
      EXPECT_EQ(b.ego.has_value(), a.ego.has_value());
      ASSERT_TRUE(b.calibration);
      ASSERT_EQ(b.calibration->cameras.size(), a.calibration->cameras.size());
      for (std::size_t c = 0; c < a.calibration->cameras.size(); ++c) {
        const CameraModel& ca = a.calibration->cameras[c];
        const CameraModel& cb = b.calibration->cameras[c];
        EXPECT_EQ(cb.name, ca.name);
        EXPECT_EQ(cb.width, ca.width);
        EXPECT_EQ(cb.projection, ca.projection);  // exact, from the metadata record
        EXPECT_EQ(cb.camera_from_vehicle.matrix(), ca.camera_from_vehicle.matrix());
      }
      EXPECT_EQ(b.calibration->vehicle_from_lidar.matrix(),
                a.calibration->vehicle_from_lidar.matrix());
      EXPECT_EQ(b.calibration->lidar_height_m, a.calibration->lidar_height_m);
    }
  }
  EXPECT_EQ(issues.count(), 0u) << (issues.count() ? ToString(issues.issues()[0]) : "");
}

TEST(FoxgloveLog, KittiToMcapToKittiGivesByteIdenticalBinAndPngFiles) {
  LONGTAIL_REQUIRE_DATA(drive, kDrive);
  IssueLog issues;
  auto kitti = OpenLog(drive.string(), issues);
  const auto dir = testing::ScratchDir();
  const auto path = WriteMcap(ReadAllFrames(*kitti), dir / "drive.mcap");
  auto mcap = OpenLog(path.string(), issues);
  std::optional<KittiRawWriter> writer;
  for (std::optional<Frame> frame = mcap->Next(); frame; frame = mcap->Next()) {
    if (!writer)
      writer.emplace(dir / "2011_09_26", "2011_09_26_drive_0052_sync", *frame->calibration);
    writer->Write(*frame);
  }
  ASSERT_TRUE(writer);
  writer->Finish();
  int compared = 0;
  for (const char* stream : {"velodyne_points", "image_02"}) {
    for (const auto& entry : std::filesystem::directory_iterator(drive / stream / "data")) {
      const auto copy = writer->drive_dir() / stream / "data" / entry.path().filename();
      ASSERT_TRUE(std::filesystem::exists(copy)) << copy;
      EXPECT_EQ(FileBytes(copy), FileBytes(entry.path())) << copy;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 60);
}

TEST(FoxgloveLog, InfoListsTopicsCountsAndCompression) {
  LONGTAIL_REQUIRE_DATA(drive, kDrive);
  IssueLog issues;
  auto kitti = OpenLog(drive.string(), issues);
  const auto path = WriteMcap(ReadAllFrames(*kitti), testing::ScratchDir() / "drive.mcap");
  auto mcap = OpenLog(path.string(), issues);
  const LogInfo& info = mcap->info();
  EXPECT_EQ(info.log_id, "drive.mcap");
  std::map<std::string, StreamInfo> streams;
  for (const StreamInfo& s : info.streams) streams[s.name] = s;
  ASSERT_TRUE(streams.count("/lidar/points"));
  EXPECT_EQ(streams["/lidar/points"].kind, "lidar");
  EXPECT_EQ(streams["/lidar/points"].count, 30);
  EXPECT_GT(streams["/lidar/points"].largest_gap, std::chrono::milliseconds(90));
  ASSERT_TRUE(streams.count("/camera/image_02/compressed"));
  EXPECT_EQ(streams["/camera/image_02/compressed"].count, 30);
  EXPECT_TRUE(streams.count("/tf_static"));
  EXPECT_TRUE(info.has_calibration);
  EXPECT_FALSE(info.has_ego_pose);
  bool compression_noted = false;
  for (const std::string& note : info.notes)
    compression_noted |= note.find("zstd") != std::string::npos;
  EXPECT_TRUE(compression_noted);
}

TEST(FoxgloveLog, SchemasCarryTheWholeFileDescriptorSet) {
  const mcap::Schema schema = mcap::ProtobufSchema(*foxglove::PointCloud::descriptor());
  EXPECT_EQ(schema.name, "foxglove.PointCloud");
  EXPECT_EQ(schema.encoding, "protobuf");
  google::protobuf::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromArray(schema.data.data(), static_cast<int>(schema.data.size())));
  std::vector<std::string> files;
  for (const auto& file : set.file()) files.push_back(file.name());
  EXPECT_EQ(files.back(), "foxglove/PointCloud.proto");  // imports come first
  EXPECT_NE(std::find(files.begin(), files.end(), "google/protobuf/timestamp.proto"), files.end());
  EXPECT_NE(std::find(files.begin(), files.end(), "foxglove/PackedElementField.proto"),
            files.end());
}

// A point cloud as another writer may lay it out: float64 x, y, z, uint8 intensity, 32-byte
// stride, and a pose that shifts the points 1 m up.
TEST(FoxgloveLog, DecodesPointCloudsInOtherLayoutsAndAppliesTheirPose) {
  foxglove::PointCloud cloud;
  cloud.set_point_stride(32);
  const char* names[] = {"x", "y", "z", "intensity"};
  const int offsets[] = {0, 8, 16, 24};
  for (int i = 0; i < 4; ++i) {
    auto* field = cloud.add_fields();
    field->set_name(names[i]);
    field->set_offset(static_cast<std::uint32_t>(offsets[i]));
    field->set_type(i < 3 ? foxglove::PackedElementField::FLOAT64
                          : foxglove::PackedElementField::UINT8);
  }
  cloud.mutable_pose()->mutable_position()->set_z(1.0);
  cloud.mutable_pose()->mutable_orientation()->set_w(1.0);
  std::string data(64, '\0');
  const double p0[3] = {1.5, -2.0, 0.25}, p1[3] = {10, 20, 30};
  std::memcpy(data.data(), p0, 24);
  data[24] = static_cast<char>(200);
  std::memcpy(data.data() + 32, p1, 24);
  cloud.set_data(data);
  const std::string bytes = cloud.SerializeAsString();
  auto scan = mcap::DecodePointCloud(
      mcap::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  ASSERT_TRUE(scan) << scan.error().message;
  ASSERT_EQ(scan->points.size(), 2u);
  EXPECT_FLOAT_EQ(scan->points[0].x, 1.5f);
  EXPECT_FLOAT_EQ(scan->points[0].y, -2.0f);
  EXPECT_FLOAT_EQ(scan->points[0].z, 1.25f);
  EXPECT_FLOAT_EQ(scan->points[0].intensity, 200.0f);
  EXPECT_FLOAT_EQ(scan->points[1].z, 31.0f);
}

TEST(FoxgloveLog, RejectsPointCloudsWithoutCoordinatesOrWithRaggedData) {
  foxglove::PointCloud cloud;
  cloud.set_point_stride(4);
  cloud.add_fields()->set_name("x");
  std::string bytes = cloud.SerializeAsString();
  auto view = [&] {
    return mcap::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  };
  auto no_coordinates = mcap::DecodePointCloud(view());
  ASSERT_FALSE(no_coordinates);
  EXPECT_EQ(no_coordinates.error().kind, DecodeErrorKind::kMalformed);
  EXPECT_NE(no_coordinates.error().message.find("x, y and z"), std::string::npos);
  for (const char* name : {"y", "z"}) {
    auto* f = cloud.add_fields();
    f->set_name(name);
    f->set_type(foxglove::PackedElementField::FLOAT32);
  }
  cloud.mutable_fields(0)->set_type(foxglove::PackedElementField::FLOAT32);
  cloud.set_data(std::string(6, '\0'));
  bytes = cloud.SerializeAsString();
  auto ragged = mcap::DecodePointCloud(view());
  ASSERT_FALSE(ragged);
  EXPECT_NE(ragged.error().message.find("whole number"), std::string::npos)
      << ragged.error().message;
  bytes = "\xff\xff\xff";
  auto garbage = mcap::DecodePointCloud(view());
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("not a valid"), std::string::npos);
}

TEST(FoxgloveLog, TopicsWithOtherSchemasAreReportedAsUnsupportedNotFatal) {
  const auto path = testing::ScratchDir() / "mixed.mcap";
  {
    mcap::McapWriter writer(path);
    const auto ros = writer.AddSchema("sensor_msgs/msg/Imu", "ros2msg", {'x'});
    const auto imu = writer.AddChannel("/imu", "cdr", ros);
    const mcap::Schema pc = mcap::ProtobufSchema(*foxglove::PointCloud::descriptor());
    const auto lidar = writer.AddChannel("/lidar/points", "protobuf",
                                         writer.AddSchema(pc.name, pc.encoding, pc.data));
    foxglove::PointCloud cloud;
    cloud.set_point_stride(16);
    for (const char* name : {"x", "y", "z"}) {
      auto* f = cloud.add_fields();
      f->set_name(name);
      f->set_offset(static_cast<std::uint32_t>(4 * (name[0] - 'x')));
      f->set_type(foxglove::PackedElementField::FLOAT32);
    }
    cloud.set_data(std::string(32, '\0'));
    for (int i = 0; i < 3; ++i) {
      cloud.mutable_timestamp()->set_seconds(100 + i);
      const std::string bytes = cloud.SerializeAsString();
      const std::uint64_t t = (100ull + i) * 1'000'000'000ull;
      writer.WriteMessage(
          lidar, t, t,
          mcap::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
      writer.WriteMessage(imu, t + 1, t + 1, mcap::Bytes{1, 2, 3});
    }
    writer.Close();
  }
  IssueLog issues;
  auto reader = OpenLog(path.string(), issues);
  bool noted = false;
  for (const std::string& note : reader->info().notes) {
    noted |= note.find("/imu") != std::string::npos &&
             note.find("unsupported") != std::string::npos &&
             note.find("ros2msg:sensor_msgs/msg/Imu") != std::string::npos;
  }
  EXPECT_TRUE(noted);
  const std::vector<Frame> frames = ReadAllFrames(*reader);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2].lidar.stamp, FromNanos(102'000'000'000));
  EXPECT_EQ(frames[0].lidar.points.size(), 2u);
  EXPECT_TRUE(frames[0].cameras.empty());
  EXPECT_EQ(issues.count(), 0u);
}

TEST(FoxgloveLog, ATruncatedLogGivesItsIntactFramesAndReportsTheLoss) {
  LONGTAIL_REQUIRE_DATA(drive, kDrive);
  IssueLog kitti_issues;
  auto kitti = OpenLog(drive.string(), kitti_issues);
  std::vector<Frame> frames = ReadAllFrames(*kitti);
  proto::McapWriterOptions options;
  options.set_chunk_size_bytes(1 << 20);  // several chunks
  const auto dir = testing::ScratchDir();
  {
    mcap::FoxgloveLogWriter writer(dir / "drive.mcap", options);
    for (const Frame& frame : frames) writer.Write(frame);
    writer.Close();
  }
  const std::string bytes = FileBytes(dir / "drive.mcap");
  {
    std::ofstream out(dir / "cut.mcap", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() * 6 / 10));
  }
  IssueLog issues;
  auto reader = OpenLog((dir / "cut.mcap").string(), issues);
  const std::vector<Frame> back = ReadAllFrames(*reader);
  EXPECT_GT(back.size(), 5u);
  EXPECT_LT(back.size(), 30u);
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].lidar.stamp, frames[i].lidar.stamp);
    EXPECT_EQ(back[i].lidar.points.size(), frames[i].lidar.points.size());
  }
  ASSERT_GE(issues.count(), 1u);
  EXPECT_NE(issues.issues()[0].reason.find("truncated"), std::string::npos);
  bool noted = false;
  for (const std::string& note : reader->info().notes)
    noted |= note.find("truncated at byte") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(FoxgloveLog, ProbeChoosesMcapByContentNotExtension) {
  const auto dir = testing::ScratchDir();
  {
    mcap::McapWriter writer(dir / "log.bin");
    writer.Close();
  }
  std::ofstream(dir / "fake.mcap") << "not an mcap";
  EXPECT_TRUE(LooksLikeMcap((dir / "log.bin").string()));
  EXPECT_FALSE(LooksLikeMcap((dir / "fake.mcap").string()));
  EXPECT_FALSE(LooksLikeMcap(dir.string()));
  IssueLog issues;
  EXPECT_THROW(OpenLog((dir / "fake.mcap").string(), issues), LogError);
  auto empty = OpenLog((dir / "log.bin").string(), issues);
  EXPECT_FALSE(empty->Next());
}

}  // namespace
}  // namespace longtail::sensors

namespace longtail::sensors {
namespace {

// Frames with an ego pose: written as world -> vehicle FrameTransforms on /tf, paired back to the
// nearest scan; LogInfo then says the log has ego pose.
TEST(FoxgloveLog, EgoPosesGoOutAsTransformsAndComeBackWithTheirScans) {
  auto calibration = std::make_shared<Calibration>();
  calibration->vehicle_from_lidar.translation() = Eigen::Vector3d(0.5, 0, 1.7);
  std::vector<Frame> frames;
  for (int i = 0; i < 4; ++i) {
    Frame frame;
    frame.index = i;
    frame.lidar.stamp = FromNanos(1'000'000'000'000 + i * 100'000'000LL);
    frame.lidar.points = {{1.0f * i, 2, 3, 0.5f}};
    EgoPose pose;
    pose.stamp = frame.lidar.stamp + std::chrono::milliseconds(3);
    pose.world_from_vehicle = Eigen::Translation3d(10.0 * i, -2, 0.1) *
                              Eigen::AngleAxisd(0.1 * i, Eigen::Vector3d::UnitZ());
    frame.ego = pose;
    frame.calibration = calibration;
    frames.push_back(frame);
  }
  const auto path = WriteMcap(frames, testing::ScratchDir() / "ego.mcap");
  IssueLog issues;
  auto reader = OpenLog(path.string(), issues);
  EXPECT_TRUE(reader->info().has_ego_pose);
  const std::vector<Frame> back = ReadAllFrames(*reader);
  ASSERT_EQ(back.size(), 4u);
  for (std::size_t i = 0; i < back.size(); ++i) {
    ASSERT_TRUE(back[i].ego) << i;
    EXPECT_EQ(back[i].ego->stamp, frames[i].ego->stamp);
    EXPECT_TRUE(back[i].ego->world_from_vehicle.isApprox(frames[i].ego->world_from_vehicle, 1e-12));
    EXPECT_TRUE(back[i].calibration->vehicle_from_lidar.isApprox(calibration->vehicle_from_lidar));
  }
  EXPECT_EQ(issues.count(), 0u);
}

}  // namespace
}  // namespace longtail::sensors
