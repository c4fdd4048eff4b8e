// Folders of PCD clouds: the real binary_compressed sequence with its pose file, the real ascii
// cloud, file-name stamps, and damaged files (reported with the file, skipped).
#include "sensors/pcd/pcd_folder.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;

struct ReadBack {
  LogInfo info;
  std::vector<Frame> frames;
  std::vector<DataIssue> issues;
};

ReadBack ReadAll(const fs::path& path) {
  IssueLog issues;
  ReadBack out;
  auto reader = OpenLog(path.string(), issues);
  out.info = reader->info();
  while (auto frame = reader->Next()) out.frames.push_back(std::move(*frame));
  out.issues = issues.issues();
  return out;
}

TEST(PcdFolder, RealBinaryCompressedSequenceWithPoses) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/pcd-sequence/top_center_lidar");
  const ReadBack log = ReadAll(dir);
  EXPECT_EQ(log.info.format, "pcd-folder");
  EXPECT_TRUE(log.issues.empty());
  ASSERT_EQ(log.frames.size(), 5u);
  // Each file's WIDTH (HEIGHT 1); every point is valid.
  const std::vector<std::size_t> widths = {80787, 80753, 80793, 80764, 80748};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(log.frames[i].lidar.points.size(), widths[i]) << "frame " << i;
    ASSERT_TRUE(log.frames[i].ego) << "frame " << i;
  }
  // 2021-10-26 16:21:29.468 UTC and 100 ms apart.
  EXPECT_EQ(ToNanos(log.frames[0].lidar.stamp), 1635265289468000000);
  EXPECT_EQ((log.frames[4].lidar.stamp - log.frames[0].lidar.stamp).count(), 400000000);
  // The pose file's third frame: translation (0.000149598, -0.000081122, -0.000108566).
  EXPECT_NEAR(log.frames[2].ego->world_from_vehicle.translation().x(), 0.000149598, 1e-12);
  EXPECT_NEAR(log.frames[2].ego->world_from_vehicle.translation().z(), -0.000108566, 1e-12);
  EXPECT_TRUE(log.info.has_ego_pose);
}

TEST(PcdFolder, RealAsciiCloud) {
  LONGTAIL_REQUIRE_DATA(dir, "ros-logs/pcd-sequence/lidar_camera_pair");
  const ReadBack log = ReadAll(dir);
  ASSERT_EQ(log.frames.size(), 1u);
  EXPECT_EQ(log.frames[0].lidar.points.size(), 78238u);
  EXPECT_FALSE(log.frames[0].ego);
}

TEST(PcdFolder, StampsFromFileNames) {
  EXPECT_EQ(ToNanos(*StampFromFileName("1673400472138016708")), 1673400472138016708);
  EXPECT_EQ(ToNanos(*StampFromFileName("1673400472138")), 1673400472138000000);
  EXPECT_EQ(ToNanos(*StampFromFileName("1970-01-01-00-00-01-500")), 1500000000);
  EXPECT_FALSE(StampFromFileName("000042"));
  EXPECT_FALSE(StampFromFileName("scan"));
  // Names whose time would overflow a 64-bit nanosecond count are not stamps (found by the pcd
  // fuzzer: the first threw std::out_of_range, the others overflowed).
  EXPECT_FALSE(StampFromFileName("9999999999999999999"));
  EXPECT_FALSE(StampFromFileName("9999999999"));
  EXPECT_FALSE(StampFromFileName("9999999999999"));
  EXPECT_FALSE(StampFromFileName("0000-01-01-00-00-00-000"));
  EXPECT_FALSE(StampFromFileName("2021-10-26--1-21-29-468"));
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

const char kAsciiHeader[] =
    "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\n"
    "WIDTH 3\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 3\nDATA ascii\n";

TEST(PcdFolder, DamagedFileIsReportedWithItsNameAndSkipped) {
  const fs::path dir = testing::ScratchDir() / "clouds";
  fs::create_directories(dir);
  WriteText(dir / "000000.pcd", std::string(kAsciiHeader) + "1 2 3\nnan 0 0\n4 5 6\n");
  // Binary data cut short: 3 points promised, 1 present.
  std::string binary = kAsciiHeader;
  binary.replace(binary.find("DATA ascii"), 10, "DATA binary");
  const float one[3] = {1, 1, 1};
  binary.append(reinterpret_cast<const char*>(one), sizeof(one));
  WriteText(dir / "000001.pcd", binary);
  WriteText(dir / "000002.pcd", std::string(kAsciiHeader) + "7 8 9\n7 8 9\n7 8 9\n");
  WriteText(dir / "poses.txt", "1 0 0 5 0 1 0 0 0 0 1 0\n1 0 0 6 0 1 0 0 0 0 1 0\nbad line\n");
  const ReadBack log = ReadAll(dir);
  ASSERT_EQ(log.frames.size(), 2u);
  EXPECT_EQ(log.frames[0].lidar.points.size(), 2u);  // the NaN point dropped
  EXPECT_EQ(log.frames[1].index, 2);
  EXPECT_FALSE(log.frames[1].ego);  // two pose lines for three clouds
  EXPECT_NEAR(log.frames[0].ego->world_from_vehicle.translation().x(), 5, 1e-12);
  ASSERT_EQ(log.issues.size(), 2u);
  EXPECT_NE(log.issues[0].file.find("poses.txt"), std::string::npos);
  EXPECT_EQ(log.issues[0].offset, 48u);  // the third line, after two of 24 bytes
  EXPECT_NE(log.issues[1].file.find("000001.pcd"), std::string::npos);
  EXPECT_TRUE(log.info.notes.end() != std::find(log.info.notes.begin(), log.info.notes.end(),
                                                "file names hold no time: 10 Hz from 0 assumed"));
}

// PCL sizes the cloud from the header before reading: found by the pcd fuzzer, a 24-byte body
// claiming 10^8 points cost 1.4 GB. Such a file is now refused from its header alone.
TEST(PcdFolder, HeaderClaimingMorePointsThanTheFileHoldsIsRefusedUnread) {
  const fs::path dir = testing::ScratchDir() / "clouds";
  fs::create_directories(dir);
  std::string header = kAsciiHeader;
  header.replace(header.find("DATA ascii"), 10, "DATA binary");
  for (const char* key : {"WIDTH ", "POINTS "}) {
    const std::size_t at = header.find(key) + std::string(key).size();
    header.replace(at, header.find('\n', at) - at, "100000000");
  }
  WriteText(dir / "000000.pcd", header + std::string(24, '\0'));
  WriteText(dir / "000001.pcd", std::string(kAsciiHeader) + "7 8 9\n7 8 9\n7 8 9\n");
  const ReadBack log = ReadAll(dir);
  ASSERT_EQ(log.frames.size(), 1u);
  ASSERT_EQ(log.issues.size(), 1u);
  EXPECT_NE(log.issues[0].file.find("000000.pcd"), std::string::npos);
  EXPECT_NE(log.issues[0].reason.find("claims 100000000 points"), std::string::npos)
      << log.issues[0].reason;
}

// Found by the pcd fuzzer: PCL's ascii reader crashed on malformed headers (no FIELDS; keys out of
// order with stray words; a NUL in a comment) and touched freed memory on stray bytes in an
// ascii body. Headers that break the PCD v0.7 grammar are refused
// before PCL sees them.
TEST(PcdFolder, HeaderThatBreaksThePcdRulesIsRefusedUnread) {
  const fs::path dir = testing::ScratchDir() / "clouds";
  fs::create_directories(dir);
  const std::string header = kAsciiHeader;
  std::string no_fields = header, bad_size = header;
  no_fields.replace(no_fields.find("FIELDS"), 6, "FIE~DS");
  bad_size.replace(bad_size.find("SIZE 4 4 4"), 10, "SIZE 4 4 3");
  WriteText(dir / "000000.pcd", no_fields + "1 2 3\n4 5 6\n7 8 9\n");
  WriteText(dir / "000001.pcd", bad_size + "1 2 3\n4 5 6\n7 8 9\n");
  WriteText(dir / "000002.pcd", header + "7 8 9\n7 8 9\n7 8 9\n");
  WriteText(dir / "000003.pcd", std::string("# .PCD \x01\0G\n", 11) + header + "1 2 3\n");
  WriteText(dir / "000004.pcd", header + "1 2 3\n4 5 6 7\n6 7 8\n");
  std::string binary = header;
  binary.replace(binary.find("DATA ascii"), 10, "DATA binary");
  WriteText(dir / "000005.pcd", binary + "FIELDS x y z\n" + std::string(36, '\0'));
  const ReadBack log = ReadAll(dir);
  ASSERT_EQ(log.frames.size(), 1u);
  ASSERT_EQ(log.issues.size(), 5u);
  EXPECT_NE(log.issues[4].reason.find("begins like a header line"), std::string::npos)
      << log.issues[4].reason;
  EXPECT_NE(log.issues[3].reason.find("ascii data line 2 is not 3 numbers"), std::string::npos)
      << log.issues[3].reason;
  EXPECT_NE(log.issues[2].reason.find("holds a byte that is not text"), std::string::npos)
      << log.issues[2].reason;
  EXPECT_NE(log.issues[0].reason.find("'FIE~DS x y z' is not the next PCD v0.7 key"),
            std::string::npos)
      << log.issues[0].reason;
  EXPECT_NE(log.issues[1].reason.find("field 'z' has an invalid SIZE"), std::string::npos)
      << log.issues[1].reason;
}

}  // namespace
}  // namespace longtail::sensors
