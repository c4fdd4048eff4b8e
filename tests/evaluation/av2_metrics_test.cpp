#include "evaluation/av2_metrics.h"

#include <gtest/gtest.h>

#include "evaluation/av2_scenario_mining.h"
#include "tests/test_support.h"

namespace longtail::evaluation::av2 {
namespace {

const char* kBicycle = "vehicle with a bicycle to its right";
const char* kStoppedCar = "stopped car";

const PromptScore& ByPrompt(const Scores& scores, const std::string& prompt) {
  for (const auto& s : scores.by_prompt) {
    if (s.prompt == prompt) return s;
  }
  throw std::runtime_error("no prompt " + prompt);
}

TEST(Av2Metrics, AssignmentIsOptimalOnEitherOrientation) {
  // Greedy would take 1 first and pay 2 + 100.
  EXPECT_EQ(MinCostAssignment({{1, 2}, {2, 100}}), (std::vector<int>{1, 0}));
  EXPECT_EQ(MinCostAssignment({{5, 1, 9}}), (std::vector<int>{1}));
  EXPECT_EQ(MinCostAssignment({{5}, {1}, {9}}), (std::vector<int>{-1, 0, -1}));
  EXPECT_TRUE(MinCostAssignment({}).empty());
}

TEST(Av2Metrics, BalancedAccuracyCountsEmptyClassesAsPerfect) {
  EXPECT_DOUBLE_EQ(BalancedAccuracy({27, 3, 2, 0}), (1.0 + 0.4) / 2);
  EXPECT_DOUBLE_EQ(BalancedAccuracy({32, 0, 0, 0}), 1.0);
  EXPECT_DOUBLE_EQ(BalancedAccuracy({0, 0, 0, 5}), 0.5);
}

TEST(Av2Metrics, ReproducesTheOfficialScorerOnTheSamplePredictions) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  const ScenarioFile gt = ReadScenarioFile(dir / "ground_truth.json");
  const ScenarioFile pred = ReadScenarioFile(dir / "sample_predictions.json");
  ASSERT_EQ(gt.sequences.size(), 2u);

  const Scores roi = Score(pred.sequences, gt.sequences, {50, true});
  EXPECT_NEAR(roi.hota_temporal, 0.38317, 5e-4);
  EXPECT_NEAR(roi.hota_track, 0.40166, 5e-4);
  EXPECT_NEAR(roi.timestamp_ba, 0.85, 5e-4);
  EXPECT_NEAR(roi.log_ba, 1.0, 5e-4);
  EXPECT_NEAR(ByPrompt(roi, kBicycle).hota_temporal, 0.33745, 5e-4);
  EXPECT_NEAR(ByPrompt(roi, kStoppedCar).hota_temporal, 0.42888, 5e-4);
  EXPECT_NEAR(ByPrompt(roi, kBicycle).threshold_temporal, 0.28862, 5e-5);
  EXPECT_NEAR(ByPrompt(roi, kStoppedCar).threshold_temporal, 0.21852, 5e-5);
  const Confusion c = ByPrompt(roi, kBicycle).timestamps;
  EXPECT_EQ(c.tp, 27);
  EXPECT_EQ(c.fp, 3);
  EXPECT_EQ(c.tn, 2);
  EXPECT_EQ(c.fn, 0);
  EXPECT_EQ(ByPrompt(roi, kStoppedCar).timestamps.tp, 32);

  const Scores no_roi = Score(pred.sequences, gt.sequences, {50, false});
  EXPECT_NEAR(no_roi.hota_temporal, 0.37955, 5e-4);
  EXPECT_NEAR(no_roi.hota_track, 0.39414, 5e-4);
  EXPECT_NEAR(no_roi.timestamp_ba, 0.85, 5e-4);
  EXPECT_NEAR(no_roi.log_ba, 1.0, 5e-4);
  EXPECT_NEAR(ByPrompt(no_roi, kStoppedCar).hota_temporal, 0.42165, 5e-4);
}

TEST(Av2Metrics, GroundTruthAgainstItselfScoresOne) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  const ScenarioFile gt = ReadScenarioFile(dir / "ground_truth.json");
  const Scores scores = Score(gt.sequences, gt.sequences);
  EXPECT_NEAR(scores.hota_temporal, 1.0, 1e-12);
  EXPECT_NEAR(scores.hota_track, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(scores.timestamp_ba, 1.0);
  EXPECT_DOUBLE_EQ(scores.log_ba, 1.0);
}

TEST(Av2Metrics, MismatchedFramesAreAnError) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  const ScenarioFile gt = ReadScenarioFile(dir / "ground_truth.json");
  std::vector<ScenarioSequence> short_prediction = gt.sequences;
  short_prediction[0].frames.pop_back();
  EXPECT_THROW(Score(short_prediction, gt.sequences), std::invalid_argument);
  EXPECT_THROW(Score({gt.sequences[0]}, gt.sequences), std::invalid_argument);
}

}  // namespace
}  // namespace longtail::evaluation::av2
