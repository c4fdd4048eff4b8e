// `longtail mine` killed and restarted: the queue ends up identical to an uninterrupted run, and
// 4 sharded workers (one killed midway) produce exactly the tasks of one serial run. Logs are real
// KITTI drives, linked (never copied) under new drive names so that each has its own log id.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "labeling/queue/review_queue.h"
#include "tests/labeling/queue/cli_util.h"
#include "tests/test_support.h"

extern char** environ;

namespace longtail::labeling {
namespace {

namespace fs = std::filesystem;
using testing::CanonicalTasks;

// `count` drives named 2011_09_26_drive_90NN_sync, alternating the real 0052 and 0005, beside
// links to the real calibration files; returns the manifest listing them.
fs::path MakeManifest(const fs::path& real_date, const fs::path& dir, int count) {
  const fs::path date = dir / "2011_09_26";
  fs::create_directories(date);
  for (const char* calib :
       {"calib_cam_to_cam.txt", "calib_imu_to_velo.txt", "calib_velo_to_cam.txt"}) {
    fs::create_symlink(real_date / calib, date / calib);
  }
  std::ofstream manifest(dir / "manifest.txt");
  manifest << "# test drives\n";
  for (int i = 0; i < count; ++i) {
    char name[64];
    std::snprintf(name, sizeof(name), "2011_09_26_drive_%04d_sync", 9000 + i);
    const char* real = i % 2 == 0 ? "2011_09_26_drive_0052_sync" : "2011_09_26_drive_0005_sync";
    // A real folder of links: the reader names a log by its canonical folder, so a link to the
    // whole drive would keep the original's name.
    fs::create_directory(date / name);
    for (const auto& entry : fs::directory_iterator(real_date / real)) {
      if (entry.is_directory()) {
        fs::create_directory_symlink(entry.path(), date / name / entry.path().filename());
      } else {
        fs::create_symlink(entry.path(), date / name / entry.path().filename());
      }
    }
    manifest << "2011_09_26/" << name << "\n";
  }
  return dir / "manifest.txt";
}

pid_t StartMine(const std::vector<std::string>& args) {
  std::vector<std::string> all = {testing::LongtailBinary(), "mine", "--threads", "1"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int WaitFor(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Kills `pid` after `seconds` unless it exits first; returns true when it was killed.
bool KillAfter(pid_t pid, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return true;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST(MineRestart, KilledAtRandomPointsAndRestartedLeavesTheQueueOfAnUninterruptedRun) {
  LONGTAIL_REQUIRE_DATA(real_date, "kitti-raw/2011_09_26");
  const fs::path dir = longtail::testing::ScratchDir();
  const fs::path manifest = MakeManifest(real_date, dir, 2);
  const fs::path clean = dir / "clean.db", crashed = dir / "crashed.db";

  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(WaitFor(StartMine({"--manifest", manifest.string(), "--queue", clean.string()})), 0);
  const double full_run_s = Seconds(start);

  std::mt19937 random(7);  // seeded: the same kill points every run
  std::uniform_real_distribution<double> kill_at(0.05 * full_run_s, 0.95 * full_run_s);
  int kills = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const pid_t pid = StartMine({"--manifest", manifest.string(), "--queue", crashed.string()});
    if (KillAfter(pid, kill_at(random))) ++kills;
  }
  ASSERT_EQ(WaitFor(StartMine({"--manifest", manifest.string(), "--queue", crashed.string()})), 0);
  std::printf("[ measure ] uninterrupted run %.2f s; %d of 4 runs killed before the end\n",
              full_run_s, kills);

  auto expected = OpenQueue(clean.string());
  auto actual = OpenQueue(crashed.string());
  EXPECT_GT(expected->CountTasks(), 0);
  EXPECT_EQ(CanonicalTasks(*actual), CanonicalTasks(*expected));
  EXPECT_EQ(actual->Stats().mined_logs, 2);
}

TEST(MineRestart, FourShardsWithOneKilledAndRestartedMatchASerialRun) {
  LONGTAIL_REQUIRE_DATA(real_date, "kitti-raw/2011_09_26");
  const fs::path dir = longtail::testing::ScratchDir();
  const fs::path manifest = MakeManifest(real_date, dir, 20);
  const fs::path serial = dir / "serial.db", sharded = dir / "sharded.db";

  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(WaitFor(StartMine({"--manifest", manifest.string(), "--queue", serial.string()})), 0);
  const double serial_s = Seconds(start);

  const auto sharded_start = std::chrono::steady_clock::now();
  std::vector<pid_t> workers;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(StartMine({"--manifest", manifest.string(), "--queue", sharded.string(),
                                 "--shard", std::to_string(i) + "/4"}));
  }
  // Shard 1 dies a little before the serial run would have done a quarter of the logs.
  const bool killed = KillAfter(workers[1], serial_s / 8);
  if (killed) {
    workers[1] =
        StartMine({"--manifest", manifest.string(), "--queue", sharded.string(), "--shard", "1/4"});
  }
  for (pid_t pid : workers) EXPECT_EQ(WaitFor(pid), 0);
  std::printf("[ measure ] 20 logs: serial %.1f s, 4 shards %.1f s (shard 1 killed: %s)\n",
              serial_s, Seconds(sharded_start), killed ? "yes" : "no, it finished first");

  auto expected = OpenQueue(serial.string());
  auto actual = OpenQueue(sharded.string());
  EXPECT_EQ(CanonicalTasks(*actual), CanonicalTasks(*expected));
  EXPECT_EQ(actual->Stats().mined_logs, 20);
  EXPECT_EQ(expected->Stats().mined_logs, 20);

  // A rerun of any shard finds every log in the ledger and adds nothing.
  const auto before = actual->CountTasks();
  const auto rerun =
      testing::RunCli("mine --manifest " + testing::Quote(manifest.string()) + " --queue " +
                      testing::Quote(sharded.string()) + " --shard 2/4 --json");
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("\"already_mined\": true"), std::string::npos);
  EXPECT_EQ(actual->CountTasks(), before);
}

}  // namespace
}  // namespace longtail::labeling
