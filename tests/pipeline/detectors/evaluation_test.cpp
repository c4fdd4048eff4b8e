#include "pipeline/detectors/evaluation.h"

#include <gtest/gtest.h>

namespace longtail::pipeline {
namespace {

Timestamp At(double seconds) { return sensors::FromNanos(0) + sensors::FromSeconds(seconds); }

ExpectedWindow Expect(std::string type, double start, double end) {
  return {std::move(type), static_cast<std::int64_t>(start * 10),
          static_cast<std::int64_t>(end * 10), At(start), At(end)};
}

Event Detected(std::string detector, std::string type, double start, double end) {
  Event e;
  e.detector = std::move(detector);
  e.type = std::move(type);
  e.start = At(start);
  e.end = At(end);
  return e;
}

TEST(EvaluationTest, SynonymsAndDetectorNamesCount) {
  EXPECT_TRUE(
      CountsFor("object_in_corridor", Detected("ego_corridor", "object_in_corridor", 0, 0)));
  EXPECT_TRUE(CountsFor("hard_brake", Detected("harsh_ego", "hard_braking", 0, 0)));
  EXPECT_TRUE(CountsFor("lidar_dropout", Detected("lidar_health", "lidar_point_drop", 0, 0)));
  EXPECT_TRUE(CountsFor("cut_in", Detected("cut_in", "cut_in", 0, 0)));
  EXPECT_TRUE(CountsFor("lidar_health", Detected("lidar_health", "missing_frames", 0, 0)));
  EXPECT_FALSE(CountsFor("hard_brake", Detected("harsh_ego", "harsh_turn", 0, 0)));
  EXPECT_FALSE(CountsFor("cut_in", Detected("ego_corridor", "object_in_corridor", 0, 0)));
}

TEST(EvaluationTest, MatchesByTypeAndOverlapWithSlack) {
  const std::vector<ExpectedWindow> expected = {Expect("cut_in", 2.0, 3.0)};
  const auto score = ScoreLog(expected,
                              {Detected("cut_in", "cut_in", 1.6, 1.6),  // within 0.5 s slack
                               Detected("cut_in", "cut_in", 3.6, 3.6),  // too late
                               Detected("harsh_ego", "hard_braking", 2.5, 2.5)},
                              false, sensors::FromSeconds(0.5));
  ASSERT_EQ(score.expectations.size(), 1u);
  EXPECT_TRUE(score.expectations[0].found);
  EXPECT_NEAR(score.expectations[0].lead_time_s, 1.4, 1e-9);
  EXPECT_EQ(score.expectations[0].detector, "cut_in");
  ASSERT_EQ(score.detections.size(), 3u);
  EXPECT_TRUE(score.detections[0].true_positive);
  EXPECT_FALSE(score.detections[1].true_positive);
  EXPECT_FALSE(score.detections[2].true_positive);
  EXPECT_FALSE(score.detections[1].related);  // outside the window
  EXPECT_TRUE(score.detections[2].related);   // another type inside the window
}

TEST(EvaluationTest, SummaryGivesRecallPrecisionAndMedianLeadTime) {
  const Duration slack = sensors::FromSeconds(0.5);
  const std::vector<LogScore> logs = {
      ScoreLog({Expect("cut_in", 2, 3)}, {Detected("cut_in", "cut_in", 2, 2)}, false, slack),
      ScoreLog({Expect("cut_in", 2, 3)}, {}, false, slack),
      ScoreLog({Expect("cut_in", 2, 4)}, {Detected("cut_in", "cut_in", 2, 2)}, false, slack),
      ScoreLog({}, {Detected("low_ttc", "low_ttc", 1, 1)}, true, slack),
      ScoreLog({Expect("cut_in", 2, 3)}, {Detected("harsh_ego", "hard_braking", 2.5, 2.5)}, false,
               slack),
  };
  const EvaluationSummary summary = Summarize(logs);
  const Tally& cut_in = summary.by_expected_type.at("cut_in");
  EXPECT_EQ(cut_in.expected, 4);
  EXPECT_EQ(cut_in.found, 2);
  EXPECT_NEAR(cut_in.Recall(), 0.5, 1e-12);
  EXPECT_NEAR(cut_in.MedianLeadTime(), 1.5, 1e-9);
  EXPECT_NEAR(summary.by_detector.at("cut_in").Precision(), 1.0, 1e-12);
  EXPECT_NEAR(summary.by_detector.at("low_ttc").Precision(), 0.0, 1e-12);
  EXPECT_NEAR(summary.overall.Precision(), 2.0 / 4, 1e-12);
  EXPECT_NEAR(summary.overall.WindowPrecision(), 3.0 / 4, 1e-12);
  EXPECT_NEAR(summary.by_detector.at("harsh_ego").WindowPrecision(), 1.0, 1e-12);
  EXPECT_EQ(summary.hard_negative_logs, 1);
  EXPECT_EQ(summary.hard_negative_events, 1);
}

TEST(EvaluationTest, EmptyTalliesArePerfectNotNaN) {
  const Tally empty;
  EXPECT_EQ(empty.Recall(), 1.0);
  EXPECT_EQ(empty.Precision(), 1.0);
  EXPECT_EQ(empty.MedianLeadTime(), 0.0);
}

}  // namespace
}  // namespace longtail::pipeline
