// End to end: hostile inputs built at test time from the bundled sample drive and the shared data
// (sparse files and generated text, nothing large in the repository). Each asserts the exit code,
// that the message names the file, the skip count, and that what should be unaffected is.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"
#include "tests/tools/cli/cli_runner.h"

namespace longtail {
namespace {

namespace fs = std::filesystem;
using testing::RunLongtail;

const fs::path kSampleDate = fs::path(LONGTAIL_SOURCE_DIR) / "sample_logs/kitti/2026_01_01";
const std::string kDriveName = "2026_01_01_drive_0001_sync";

// A copy of the sample drive's date folder in a scratch dir; returns the drive folder.
fs::path CopySampleDrive(const fs::path& dir) {
  fs::copy(kSampleDate, dir / "date", fs::copy_options::recursive);
  return dir / "date" / kDriveName;
}

std::string Quoted(const fs::path& path) {
  std::string quoted = "'";
  quoted += path.string();
  quoted += '\'';
  return quoted;
}

nlohmann::json Mine(const std::string& logs, const fs::path& queue, int expected_exit) {
  const auto result = RunLongtail("mine " + logs + " --queue " + Quoted(queue) + " --json");
  EXPECT_EQ(result.exit_code, expected_exit) << result.out;
  return nlohmann::json::parse(result.out);
}

int MinedLogs(const fs::path& queue) {
  const auto stats = RunLongtail("queue stats --queue " + Quoted(queue) + " --json");
  return nlohmann::json::parse(stats.out)["mined_logs"].get<int>();
}

TEST(BadInput, ALogWhoseStampsAreAllUnreadableIsNotMinedAndNotRecordedAsMined) {
  const fs::path dir = testing::ScratchDir();
  const fs::path drive = CopySampleDrive(dir);
  std::ofstream(drive / "velodyne_points" / "timestamps.txt") << "soon\nlater\n";
  std::ofstream(dir / "manifest.txt") << drive.string() << "\n";
  const auto json = Mine("--manifest " + Quoted(dir / "manifest.txt"), dir / "q.db", 3);
  const auto& log = json["logs"][0];
  EXPECT_FALSE(log["ok"].get<bool>());
  EXPECT_NE(log["error"].get<std::string>().find(drive.string()), std::string::npos);
  EXPECT_NE(log["error"].get<std::string>().find("no frame could be read"), std::string::npos);
  EXPECT_GT(log["skipped_inputs"].get<int>(), 2);
  EXPECT_EQ(MinedLogs(dir / "q.db"), 0);
  // Fixed, the same manifest mines it: the ledger did not mark it done.
  fs::copy_file(kSampleDate / kDriveName / "velodyne_points" / "timestamps.txt",
                drive / "velodyne_points" / "timestamps.txt", fs::copy_options::overwrite_existing);
  const auto again = Mine("--manifest " + Quoted(dir / "manifest.txt"), dir / "q.db", 0);
  EXPECT_GT(again["logs"][0]["frames"].get<int>(), 10);
  EXPECT_EQ(MinedLogs(dir / "q.db"), 1);
}

TEST(BadInput, NanInTheCalibrationStopsThatLogNamingTheFileAndTheOthersAreMined) {
  const fs::path dir = testing::ScratchDir();
  const fs::path drive = CopySampleDrive(dir);
  std::ofstream(drive.parent_path() / "calib_velo_to_cam.txt")
      << "R: 0 -1 0 0 0 -1 1 0 0\nT: nan -0.075 -0.27\n";
  const auto json = Mine(Quoted(drive) + " " + Quoted(kSampleDate / kDriveName), dir / "q.db", 3);
  EXPECT_FALSE(json["logs"][0]["ok"].get<bool>());
  EXPECT_NE(json["logs"][0]["error"].get<std::string>().find("calib_velo_to_cam.txt"),
            std::string::npos)
      << json["logs"][0]["error"];
  EXPECT_NE(json["logs"][0]["error"].get<std::string>().find("not a finite number"),
            std::string::npos);
  EXPECT_TRUE(json["logs"][1]["ok"].get<bool>());
  EXPECT_EQ(json["logs"][0]["tasks_inserted"].get<int>(), 0);
  EXPECT_GT(json["logs"][1]["tasks_inserted"].get<int>(), 0);
}

TEST(BadInput, AFourGigabyteScanIsSkippedUnreadAndTheRestIsMinedAsBefore) {
  const fs::path dir = testing::ScratchDir();
  const fs::path drive = CopySampleDrive(dir);
  const fs::path data = drive / "velodyne_points" / "data";
  const auto total = std::distance(fs::directory_iterator(data), fs::directory_iterator());
  fs::resize_file(data / "0000000004.bin", 4ull << 30);  // sparse: no disk, 4 GiB on paper
  const auto json = Mine(Quoted(drive), dir / "q.db", 0);
  const auto& log = json["logs"][0];
  EXPECT_EQ(log["frames"].get<int>(), total - 1);
  ASSERT_EQ(log["skipped_inputs"].get<int>(), 1);
  EXPECT_NE(log["skipped"][0]["file"].get<std::string>().find("0000000004.bin"), std::string::npos);
  EXPECT_NE(log["skipped"][0]["reason"].get<std::string>().find("more than a lidar scan can hold"),
            std::string::npos);
  EXPECT_GE(log["events_by_type"].value("object_in_corridor", 0), 1);
}

TEST(BadInput, ALabelFrameNumberFarBeyondTheDriveIsSkippedNotAllocated) {
  const fs::path dir = testing::ScratchDir();
  const fs::path drive = CopySampleDrive(dir);
  std::ofstream(drive / "label_02.txt", std::ios::app)
      << "30000000 1 Car 0 0 -1.57 100 150 200 250 1.5 1.8 4.5 -0.5 1.73 12 -1.57\n";
  const auto result = RunLongtail("detect --tracks " + Quoted(drive / "label_02.txt") +
                                  " --calib " + Quoted(drive.parent_path()) + " --poses " +
                                  Quoted(drive / "oxts" / "data") + " --json");
  EXPECT_EQ(result.exit_code, 0) << result.out;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["skipped"].size(), 1u) << json.dump(2);
  EXPECT_NE(json["skipped"][0]["file"].get<std::string>().find("label_02.txt"), std::string::npos);
  EXPECT_NE(json["skipped"][0]["reason"].get<std::string>().find("frame 30000000"),
            std::string::npos);
  EXPECT_LT(json["frames"].get<int>(), 100);
}

TEST(BadInput, DoctorChecksCalibrationAndTimestampsNotOnlyTheFiles) {
  const fs::path dir = testing::ScratchDir();
  const fs::path drive = CopySampleDrive(dir);
  EXPECT_EQ(RunLongtail("doctor " + Quoted(drive) + " >/dev/null").exit_code, 0);

  const fs::path stamps = drive / "velodyne_points" / "timestamps.txt";
  std::ifstream in(stamps);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  in.close();
  std::swap(lines[5], lines[6]);
  std::ofstream out(stamps);
  for (const auto& line : lines) out << line << "\n";
  out.close();
  auto result = RunLongtail("doctor " + Quoted(drive) + " --json");
  EXPECT_EQ(result.exit_code, 3);
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_FALSE(json["healthy"].get<bool>());
  ASSERT_EQ(json["problems"].size(), 1u) << json.dump(2);
  EXPECT_NE(json["problems"][0]["reason"].get<std::string>().find("frame 5 is out of order"),
            std::string::npos);

  std::ofstream(drive.parent_path() / "calib_velo_to_cam.txt")
      << "R: 0 -2 0 0 0 -1 1 0 0\nT: 0 -0.075 -0.27\n";
  result = RunLongtail("doctor " + Quoted(drive) + " 2>&1");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.out.find("calib_velo_to_cam.txt: key R is not a rotation"), std::string::npos)
      << result.out;
}

TEST(BadInput, AnOptionOutsideItsRangeIsAUsageErrorNamingTheField) {
  const fs::path dir = testing::ScratchDir();
  std::ofstream(dir / "run.pbtxt") << "detectors { ego_corridor { width_m: -2.6 } }\n";
  const auto result =
      RunLongtail("mine " + Quoted(kSampleDate / kDriveName) + " --queue " + Quoted(dir / "q.db") +
                  " --config " + Quoted(dir / "run.pbtxt") + " 2>&1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(
      result.out.find("run.pbtxt: detectors.ego_corridor.width_m = -2.6 must be a number >= 0"),
      std::string::npos)
      << result.out;
  EXPECT_FALSE(fs::exists(dir / "q.db"));
}

}  // namespace
}  // namespace longtail
