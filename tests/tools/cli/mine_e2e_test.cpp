// End to end: the `longtail` binary on the bundled sample log and on real KITTI drives.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"
#include "tests/tools/cli/cli_runner.h"

namespace longtail {
namespace {

namespace fs = std::filesystem;
using testing::RunLongtail;

const fs::path kSampleDrive =
    fs::path(LONGTAIL_SOURCE_DIR) / "sample_logs/kitti/2026_01_01/2026_01_01_drive_0001_sync";

nlohmann::json MineJson(const fs::path& log, const fs::path& queue, int expected_exit = 0,
                        const std::string& options = "") {
  const auto result =
      RunLongtail("mine '" + log.string() + "' --queue '" + queue.string() + "' --json " + options);
  EXPECT_EQ(result.exit_code, expected_exit) << result.out;
  return nlohmann::json::parse(result.out);
}

TEST(MineEndToEnd, SampleLogIsFlaggedAndReminingAddsNothing) {
  const fs::path queue = testing::ScratchDir() / "q.db";
  const auto first = MineJson(kSampleDrive, queue);
  const auto& log = first["logs"][0];
  EXPECT_TRUE(log["ok"].get<bool>());
  EXPECT_GT(log["frames"].get<int>(), 5);
  EXPECT_GT(log["windows"].get<int>(), 0);
  const int tasks = first["tasks_in_queue"].get<int>();
  EXPECT_EQ(log["tasks_inserted"].get<int>(), tasks);
  EXPECT_GT(tasks, 0);
  EXPECT_EQ(log["skipped_inputs"].get<int>(), 0);

  const auto second = MineJson(kSampleDrive, queue);
  EXPECT_EQ(second["tasks_in_queue"].get<int>(), tasks);
  EXPECT_EQ(second["logs"][0]["tasks_inserted"].get<int>(), 0);
  EXPECT_EQ(second["logs"][0]["tasks_already_present"].get<int>(), tasks);
  EXPECT_EQ(second["options_hash"], first["options_hash"]);
}

TEST(MineEndToEnd, TruncatedAndEmptyScansAreCountedAndTheRestIsMined) {
  const fs::path dir = testing::ScratchDir();
  fs::copy(kSampleDrive.parent_path(), dir / "date", fs::copy_options::recursive);
  const fs::path drive = dir / "date" / kSampleDrive.filename();
  const fs::path data = drive / "velodyne_points" / "data";
  const auto frames_total = std::distance(fs::directory_iterator(data), fs::directory_iterator());
  fs::resize_file(data / "0000000002.bin", 1000);  // not a multiple of 16 bytes
  fs::resize_file(data / "0000000003.bin", 0);
  const auto json = MineJson(drive, dir / "q.db");
  const auto& log = json["logs"][0];
  EXPECT_TRUE(log["ok"].get<bool>());
  EXPECT_EQ(log["frames"].get<int>(), frames_total - 2);
  EXPECT_EQ(log["skipped_inputs"].get<int>(), 2);
  EXPECT_NE(log["skipped"][0]["file"].get<std::string>().find("0000000002.bin"), std::string::npos);
}

TEST(MineEndToEnd, UnusableLogExitsThreeAndOtherLogsAreStillMined) {
  const fs::path dir = testing::ScratchDir();
  fs::create_directories(dir / "not_a_log");
  const auto result =
      RunLongtail("mine '" + (dir / "not_a_log").string() + "' '" + kSampleDrive.string() +
                  "' --queue '" + (dir / "q.db").string() + "' --json");
  EXPECT_EQ(result.exit_code, 3);
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_FALSE(json["logs"][0]["ok"].get<bool>());
  EXPECT_NE(json["logs"][0]["error"].get<std::string>().find("not_a_log"), std::string::npos);
  EXPECT_TRUE(json["logs"][1]["ok"].get<bool>());
  EXPECT_GT(json["logs"][1]["frames"].get<int>(), 0);
}

TEST(MineEndToEnd, BadConfigIsAUsageError) {
  const fs::path dir = testing::ScratchDir();
  std::ofstream(dir / "run.pbtxt") << "runner { no_such_field: 3 }\n";
  const auto result =
      RunLongtail("mine '" + kSampleDrive.string() + "' --queue '" + (dir / "q.db").string() +
                  "' --config '" + (dir / "run.pbtxt").string() + "' 2>&1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.out.find("run.pbtxt:1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("no_such_field"), std::string::npos) << result.out;
}

// The runner decodes every camera image in its parallel stage for the camera-fault detectors.
TEST(MineEndToEnd, FrozenCameraInASynthesisedLogIsFlagged) {
  const fs::path dir = testing::ScratchDir();
  const fs::path scenario =
      fs::path(LONGTAIL_SOURCE_DIR) / "sample_logs/scenarios/camera_freeze.pbtxt";
  ASSERT_EQ(RunLongtail("synth '" + scenario.string() + "' -o '" + (dir / "out").string() +
                        "' --seed 1 >/dev/null")
                .exit_code,
            0);
  const auto json = MineJson(dir / "out/2026_01_01/2026_01_01_drive_0001_sync", dir / "q.db");
  EXPECT_GE(json["logs"][0]["events_by_type"].value("camera_frozen", 0), 1) << json.dump(2);
}

TEST(MineEndToEnd, RealDrive0052QueueBehindTheStoppedCarIsOrdinaryAndMiningIsIdempotent) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");
  const fs::path dir = testing::ScratchDir();
  // The ego creeps in a queue behind a stopped car: episodes, but none worth a reviewer's time.
  const auto ordinary = MineJson(drive, dir / "default.db");
  const auto& log = ordinary["logs"][0];
  EXPECT_EQ(log["frames"].get<int>(), 30);
  EXPECT_GT(log["frames_per_second"].get<double>(), 0);
  EXPECT_EQ(log["windows"].get<int>(), 0) << log.dump(2);
  EXPECT_GE(log["episodes_below_threshold"].get<int>(), 1) << log.dump(2);
  // With no threshold the stopped car ahead is one of them; mining again adds nothing.
  std::ofstream(dir / "all.pbtxt") << "runner { min_severity: 0 }\n";
  const std::string config = "--config '" + (dir / "all.pbtxt").string() + "'";
  const fs::path queue = dir / "all.db";
  const auto all = MineJson(drive, queue, 0, config);
  EXPECT_GE(all["logs"][0]["events_by_type"].value("object_in_corridor", 0), 1) << all.dump(2);
  const int tasks = all["tasks_in_queue"].get<int>();
  EXPECT_GE(tasks, 1);
  EXPECT_EQ(MineJson(drive, queue, 0, config)["tasks_in_queue"].get<int>(), tasks);
}

TEST(MineEndToEnd, RealLidarOnlyDrive0005FlagsTheCyclistAhead) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0005_sync");
  const fs::path queue = testing::ScratchDir() / "q.db";
  const auto json = MineJson(drive, queue);
  EXPECT_EQ(json["logs"][0]["frames"].get<int>(), 40);
  EXPECT_TRUE(json["logs"][0]["ego_motion_estimated"].get<bool>());
  const auto task = RunLongtail("queue show 1 --json --queue '" + queue.string() + "'");
  ASSERT_EQ(task.exit_code, 0) << task.out;
  const auto shown = nlohmann::json::parse(task.out);
  bool cyclist = false;
  for (const auto& e : shown["events"]) {
    cyclist |= e["reason"].get<std::string>().rfind("Cyclist", 0) == 0 &&
               e["type"].get<std::string>().rfind("vru_", 0) == 0;
  }
  EXPECT_TRUE(cyclist) << task.out;
}

TEST(InspectEndToEnd, RealDrivesListTheirStreamsAndMissingOxts) {
  LONGTAIL_REQUIRE_DATA(date, "kitti-raw/2011_09_26");
  const auto result =
      RunLongtail("inspect '" + (date / "2011_09_26_drive_0052_sync").string() + "' --json");
  ASSERT_EQ(result.exit_code, 0) << result.out;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_FALSE(json["has_ego_pose"].get<bool>());
  EXPECT_TRUE(json["has_calibration"].get<bool>());
  std::map<std::string, nlohmann::json> streams;
  for (const auto& s : json["streams"]) streams[s["name"]] = s;
  EXPECT_EQ(streams["velodyne_points"]["count"].get<int>(), 30);
  EXPECT_EQ(streams["image_02"]["count"].get<int>(), 30);
  EXPECT_NEAR(streams["velodyne_points"]["rate_hz"].get<double>(), 9.65, 0.5);
  EXPECT_NE(json["notes"].dump().find("oxts"), std::string::npos);

  const auto lidar_only =
      RunLongtail("inspect '" + (date / "2011_09_26_drive_0005_sync").string() + "' --json");
  ASSERT_EQ(lidar_only.exit_code, 0) << lidar_only.out;
  const auto json5 = nlohmann::json::parse(lidar_only.out);
  ASSERT_EQ(json5["streams"].size(), 1u);
  EXPECT_EQ(json5["streams"][0]["count"].get<int>(), 40);
}

TEST(InspectEndToEnd, MissingLogIsAClearErrorWithExitThree) {
  const auto result = RunLongtail("inspect /no/such/drive 2>&1");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(result.out.find("/no/such/drive"), std::string::npos);
}

}  // namespace
}  // namespace longtail
