// The scenario catalog in sample_logs/scenarios: every file builds, positives expect events whose
// anchors fire inside the log, hard negatives expect none.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/test_support.h"
#include "tools/synth/synthesizer.h"

namespace longtail::tools::synth {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CatalogFiles() {
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(fs::path(LONGTAIL_SOURCE_DIR) / "sample_logs/scenarios")) {
    if (entry.path().extension() == ".pbtxt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(CatalogTest, HasTenPositivesAndFiveHardNegatives) {
  int positives = 0, negatives = 0;
  for (const fs::path& file : CatalogFiles()) {
    const proto::Scenario scenario = ReadScenario(file);
    EXPECT_EQ(scenario.name(), file.stem().string()) << "name the file after the scenario";
    EXPECT_FALSE(scenario.description().empty()) << file;
    (scenario.hard_negative() ? negatives : positives) += 1;
  }
  EXPECT_GE(positives, 10);
  EXPECT_GE(negatives, 5);
}

TEST(CatalogTest, EveryScenarioBuildsWithItsEventsInsideTheLog) {
  for (const fs::path& file : CatalogFiles()) {
    const proto::Scenario scenario = ReadScenario(file);
    for (std::uint64_t seed : {1, 2, 3}) {
      const Synthesizer synthesizer(scenario, seed);
      const GroundTruth truth = synthesizer.TruthWithoutFrames();
      if (scenario.hard_negative()) {
        EXPECT_TRUE(truth.events.empty()) << file;
        continue;
      }
      ASSERT_FALSE(truth.events.empty()) << file;
      for (const ExpectedEvent& event : truth.events) {
        EXPECT_LT(event.first_frame, synthesizer.frame_count() - 1) << file << " seed " << seed;
        EXPECT_LE(event.first_frame, event.last_frame) << file;
      }
      for (const ActorSpec& actor : synthesizer.scene().actors()) {
        if (actor.path.empty()) continue;
        bool anchored = false;
        for (const auto& spec : scenario.events())
          anchored |= spec.anchor_actor_id() == actor.track_id;
        if (!anchored) continue;
        ASSERT_TRUE(actor.first_behaviour_s.has_value()) << file << " actor " << actor.track_id;
        EXPECT_LT(*actor.first_behaviour_s, synthesizer.scene().duration_s() - 0.5) << file;
      }
    }
  }
}

}  // namespace
}  // namespace longtail::tools::synth
