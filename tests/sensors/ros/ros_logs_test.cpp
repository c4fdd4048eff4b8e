// The real ROS logs in ../shared/data/ros-logs read through OpenLog: format chosen by content,
// topics chosen, frames and points per scan.
#include <gtest/gtest.h>

#include "sensors/log_reader.h"
#include "sensors/mcap/foxglove_log.h"
#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

struct ReadBack {
  LogInfo info;
  std::vector<std::size_t> points;  // per frame
  std::size_t issues = 0;
  std::vector<DataIssue> details;
};

ReadBack ReadAll(const std::filesystem::path& path) {
  IssueLog issues;
  ReadBack out;
  auto reader = OpenLog(path.string(), issues);
  while (auto frame = reader->Next()) out.points.push_back(frame->lidar.points.size());
  out.info = reader->info();
  out.issues = issues.count();
  out.details = issues.issues();
  return out;
}

bool HasNote(const LogInfo& info, const std::string& text) {
  for (const std::string& note : info.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

const StreamInfo* Stream(const LogInfo& info, const std::string& name) {
  for (const StreamInfo& s : info.streams) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// Both Ouster files hold the same two 2048 x 64 organised scans; only points with a return (not
// at the origin) are kept. The counts agree between the ROS 1 and the CDR encoding.
constexpr std::size_t kOusterScan0 = 45716;
constexpr std::size_t kOusterScan1 = 45809;

TEST(McapRos, Ros2OusterTwoOrganisedScans) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/mcap-ros2-ouster");
  const ReadBack log = ReadAll(dir / "pointcloudset_os1_ros2_0.mcap");
  EXPECT_EQ(log.info.format, "mcap-ros2");
  EXPECT_EQ(log.issues, 0u);
  ASSERT_EQ(log.points.size(), 2u);
  EXPECT_EQ(log.points[0], kOusterScan0);
  EXPECT_EQ(log.points[1], kOusterScan1);
  ASSERT_NE(Stream(log.info, "/os1_cloud_node/points"), nullptr);
  EXPECT_EQ(Stream(log.info, "/os1_cloud_node/points")->kind, "lidar");
  EXPECT_EQ(Stream(log.info, "/os1_node/lidar_packets")->count, 206);
  EXPECT_TRUE(HasNote(log.info, "lidar topic: /os1_cloud_node/points"));
  EXPECT_TRUE(HasNote(log.info, "vehicle frame os1_sensor, lidar frame os1_lidar"));
  // width x height - kept = the invalid points, counted: 2 x 131072 - 45716 - 45809.
  EXPECT_TRUE(HasNote(log.info, "170619 invalid points"))
      << ::testing::PrintToString(log.info.notes);
}

TEST(McapRos, Ros1OusterSameScansAsTheCdrCopy) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/mcap-ros1-ouster");
  const ReadBack log = ReadAll(dir / "test.mcap");
  EXPECT_EQ(log.info.format, "mcap-ros1");
  EXPECT_EQ(log.issues, 0u);
  ASSERT_EQ(log.points.size(), 2u);
  EXPECT_EQ(log.points[0], kOusterScan0);
  EXPECT_EQ(log.points[1], kOusterScan1);
  // /rosout was recorded on two ROS 1 connections: one topic, 12 messages.
  EXPECT_EQ(Stream(log.info, "/rosout")->count, 12);
}

}  // namespace
}  // namespace longtail::sensors

namespace longtail::sensors {
namespace {

TEST(Ros1Bag, LuminarBagFiveScansFromLz4Chunks) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/ros1-bag-luminar");
  const ReadBack log = ReadAll(dir / "test.bag");
  EXPECT_EQ(log.info.format, "ros1-bag");
  EXPECT_EQ(log.issues, 0u);
  ASSERT_EQ(log.points.size(), 5u);
  // Unorganised (height 1) and every point valid: each scan is the message's width.
  EXPECT_EQ(log.points, (std::vector<std::size_t>{35707, 36055, 36267, 36457, 36336}));
  EXPECT_FALSE(HasNote(log.info, "invalid points"));
  EXPECT_TRUE(HasNote(log.info, "indexed: 6 chunks"));
  EXPECT_EQ(Stream(log.info, "/luminar_pointcloud")->kind, "lidar");
  EXPECT_EQ(Stream(log.info, "/base_scan")->kind, "other");
}

}  // namespace
}  // namespace longtail::sensors

namespace longtail::sensors {
namespace {

TEST(Rosbag2Db3, GenuinePacketOnlyBagHasNoLidarTopicItCanDecode) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/db3-ros2-velodyne-packets/1673400471837873222");
  for (const auto& path : {dir, dir / "1673400471837873222_0.db3"}) {
    const ReadBack log = ReadAll(path);
    EXPECT_EQ(log.info.format, "rosbag2-db3");
    EXPECT_EQ(log.issues, 0u);
    EXPECT_TRUE(log.points.empty());
    ASSERT_NE(Stream(log.info, "/velodyne_packets"), nullptr);
    EXPECT_EQ(Stream(log.info, "/velodyne_packets")->count, 4);
    EXPECT_EQ(Stream(log.info, "/velodyne_packets")->kind, "other");
    EXPECT_TRUE(HasNote(log.info, "no lidar topic longtail can decode"));
    EXPECT_TRUE(HasNote(log.info, "ROS humble"));
  }
}

}  // namespace
}  // namespace longtail::sensors

namespace longtail::sensors {
namespace {

// What `longtail convert` does: a ROS log's frames written as Foxglove MCAP read back the same.
TEST(RosConvert, Ros1BagFramesRoundTripThroughFoxgloveMcap) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/ros1-bag-luminar");
  IssueLog issues;
  auto bag = OpenLog((dir / "test.bag").string(), issues);
  const auto out = testing::ScratchDir() / "luminar.mcap";
  std::vector<LidarScan> scans;
  {
    mcap::FoxgloveLogWriter writer(out);
    while (auto frame = bag->Next()) {
      scans.push_back(frame->lidar);
      writer.Write(*frame);
    }
    writer.Close();
  }
  ASSERT_EQ(scans.size(), 5u);
  auto back = OpenLog(out.string(), issues);
  EXPECT_EQ(back->info().format, "mcap");
  std::size_t i = 0;
  while (auto frame = back->Next()) {
    ASSERT_LT(i, scans.size());
    EXPECT_EQ(frame->lidar.stamp, scans[i].stamp);
    ASSERT_EQ(frame->lidar.points.size(), scans[i].points.size());
    EXPECT_EQ(frame->lidar.points.back().x, scans[i].points.back().x);
    ++i;
  }
  EXPECT_EQ(i, 5u);
  EXPECT_EQ(issues.count(), 0u);
}

}  // namespace
}  // namespace longtail::sensors
