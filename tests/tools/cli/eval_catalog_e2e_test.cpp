// End to end: the detectors' acceptance targets on the synthesiser's whole scenario catalog at a
// fixed small set of seeds (the closing notes report the same on 20 seeds per scenario).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/test_support.h"
#include "tests/tools/cli/cli_runner.h"

namespace longtail {
namespace {

namespace fs = std::filesystem;
using testing::RunLongtail;

constexpr int kSeeds[] = {1, 2};

// Synthesises every scenario of sample_logs/scenarios at every seed, two at a time.
std::vector<std::string> SynthesiseCatalog(const fs::path& into) {
  std::vector<std::pair<fs::path, int>> jobs;
  for (const auto& entry :
       fs::directory_iterator(fs::path(LONGTAIL_SOURCE_DIR) / "sample_logs" / "scenarios")) {
    if (entry.path().extension() != ".pbtxt") continue;
    for (int seed : kSeeds) jobs.emplace_back(entry.path(), seed);
  }
  std::sort(jobs.begin(), jobs.end());
  std::vector<std::string> logs(jobs.size());
  std::vector<int> exit_codes(jobs.size(), -1);
  const auto work = [&](std::size_t first) {
    for (std::size_t i = first; i < jobs.size(); i += 2) {
      const auto& [scenario, seed] = jobs[i];
      const fs::path out = into / (scenario.stem().string() + "_" + std::to_string(seed));
      exit_codes[i] = RunLongtail("synth '" + scenario.string() + "' -o '" + out.string() +
                                  "' --seed " + std::to_string(seed) + " > /dev/null")
                          .exit_code;
      logs[i] = (out / "2026_01_01" / "2026_01_01_drive_0001_sync").string();
    }
  };
  std::thread other(work, 1);
  work(0);
  other.join();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(exit_codes[i], 0) << jobs[i].first << " seed " << jobs[i].second;
  }
  return logs;
}

TEST(EvalCatalogEndToEnd, DetectorsMeetTheirTargetsOnEveryScenario) {
  const std::vector<std::string> logs = SynthesiseCatalog(testing::ScratchDir());
  ASSERT_GE(logs.size(), 2 * 16u);
  std::string args = "eval --json";
  for (const std::string& log : logs) args += " '" + log + "'";
  const auto result = RunLongtail(args);
  ASSERT_EQ(result.exit_code, 0) << result.out;
  const auto scores = nlohmann::json::parse(result.out);

  // Recall of every expected event type, positive scenarios only by construction.
  for (const auto& [type, tally] : scores["by_expected_type"].items()) {
    EXPECT_GE(tally["recall"].get<double>(), 0.95) << type << ": " << tally.dump();
  }
  EXPECT_GE(scores["overall"]["precision"].get<double>(), 0.90) << scores["overall"].dump();
  // Incursions are flagged early enough that the review window shows the build-up.
  const auto& incursion = scores["by_expected_type"]["roadway_incursion"];
  EXPECT_GE(incursion["median_window_lead_time_s"].get<double>(), 1.0) << incursion.dump();
  // Hard negatives raise no incursion, vulnerable road user or time-to-collision event.
  const std::set<std::string> forbidden = {"roadway_incursion", "vru_in_path", "vru_near_path",
                                           "low_ttc", "near_miss"};
  for (const auto& [type, count] : scores["hard_negative_events_by_type"].items()) {
    EXPECT_EQ(forbidden.count(type), 0u) << count << " " << type << " event(s) on hard negatives";
  }
  EXPECT_EQ(scores["hard_negative_logs"].get<int>(), 5 * int(std::size(kSeeds)));
}

}  // namespace
}  // namespace longtail
