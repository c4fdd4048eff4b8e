#include "evaluation/av2_scenario_mining.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace longtail::evaluation::av2 {
namespace {

TEST(Av2ScenarioMining, LoadsALogWithPosesAndVelocities) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  sensors::IssueLog issues;
  const Av2Log log = LoadAv2Log(dir / "3bffdcff-c3a7-38b6-a0f2-64196d130958", issues);
  EXPECT_EQ(issues.count(), 0u);
  EXPECT_EQ(log.frames.size(), 156u);
  EXPECT_EQ(log.uuids.size(), 115u);  // 116 tracks less the ego
  std::size_t boxes = 0;
  for (const auto& f : log.frames) boxes += f.tracks.size();
  EXPECT_EQ(boxes, 12342u - 156u);
  for (const auto& f : log.frames) {
    EXPECT_TRUE(f.ego.known);
    EXPECT_LT(std::abs(f.ego.speed), 30);
  }
}
}  // namespace
}  // namespace longtail::evaluation::av2

namespace longtail::evaluation::av2 {
namespace {

std::vector<PromptQuery> BothPrompts(const std::string& bicycle, const std::string& stopped) {
  return {{"vehicle with a bicycle to its right", bicycle, 1}, {"stopped car", stopped, 3}};
}

TEST(Av2ScenarioMining, PredictionsRoundTripInTheChallengeForm) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  sensors::IssueLog issues;
  const auto queries =
      ReadPromptQueries(std::string(LONGTAIL_SOURCE_DIR) + "/evaluation/av2_prompt_queries.txt");
  ASSERT_EQ(queries.size(), 2u);
  const PromptRun run = RunPromptQueries(dir, queries, {}, {}, issues);
  const ScenarioFile gt = ReadScenarioFile(dir / "ground_truth.json");
  const std::filesystem::path file = testing::ScratchDir() / "predictions.json";
  WriteScenarioFile(file, run.predictions);
  const ScenarioFile back = ReadScenarioFile(file);
  ASSERT_EQ(back.sequences.size(), gt.sequences.size());
  for (std::size_t s = 0; s < gt.sequences.size(); ++s) {
    ASSERT_EQ(back.sequences[s].frames.size(), gt.sequences[s].frames.size());
    for (std::size_t f = 0; f < gt.sequences[s].frames.size(); ++f) {
      EXPECT_EQ(back.sequences[s].frames[f].timestamp_ns, gt.sequences[s].frames[f].timestamp_ns);
      for (const auto& o : back.sequences[s].frames[f].objects) {
        EXPECT_TRUE(o.label == kReferred || o.label == 2);
      }
    }
  }
  const Scores again = Score(back.sequences, gt.sequences);
  EXPECT_DOUBLE_EQ(again.hota_temporal, run.scores.hota_temporal);
  EXPECT_DOUBLE_EQ(again.timestamp_ba, run.scores.timestamp_ba);
  // The same queries give the same predictions.
  const PromptRun twice = RunPromptQueries(dir, queries, {}, {}, issues);
  EXPECT_EQ(twice.scores.hota_temporal, run.scores.hota_temporal);
}

TEST(Av2ScenarioMining, QueriesThatNeverOrAlwaysMatchScoreAsTheMetricsSay) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  sensors::IssueLog issues;
  const PromptRun never =
      RunPromptQueries(dir, BothPrompts("not anything", "not anything"), {}, {}, issues);
  EXPECT_EQ(never.scores.hota_temporal, 0);
  // Every frame predicted negative: TPR 0, TNR 1 where there are negatives (the bicycle prompt
  // has 5), 0/0 = 1 where there are none.
  for (const auto& p : never.scores.by_prompt) {
    EXPECT_EQ(p.timestamps.tp, 0);
    EXPECT_EQ(p.timestamps.fp, 0);
  }
  EXPECT_DOUBLE_EQ(never.scores.timestamp_ba, 0.5 * (0.5 + 0.5));
  const PromptRun always = RunPromptQueries(dir, BothPrompts("object", "object"), {}, {}, issues);
  for (const auto& p : always.scores.by_prompt) {
    EXPECT_EQ(p.timestamps.fn, 0);
    EXPECT_EQ(p.timestamps.tn, 0);
  }
}

TEST(Av2ScenarioMining, AMissingPromptOrABadQueryIsAnError) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  sensors::IssueLog issues;
  EXPECT_THROW(RunPromptQueries(dir, {{"stopped car", "car", 1}}, {}, {}, issues),
               std::runtime_error);
  try {
    RunPromptQueries(dir, BothPrompts("car and", "car"), {}, {}, issues);
    ADD_FAILURE() << "no error";
  } catch (const query::QueryError& e) {
    EXPECT_EQ(e.line(), 1);
    EXPECT_EQ(e.column(), 8);
  }
}

}  // namespace
}  // namespace longtail::evaluation::av2
