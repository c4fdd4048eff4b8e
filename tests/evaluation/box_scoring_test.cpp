#include "evaluation/box_scoring.h"

#include <gtest/gtest.h>

namespace longtail::evaluation {
namespace {

using sensors::ObjectClass;

sensors::Box3D CarAt(double x, double y) {
  sensors::Box3D box;
  box.center = {x, y, 0.8};
  box.length = 4, box.width = 2, box.height = 1.6;
  return box;
}

ScoredTruth Truth(double x, double y, bool scored = true) {
  return {CarAt(x, y), ObjectClass::kCar, ScoredGroup::kVehicle, 1, scored};
}

ScoredPrediction Detection(double x, double y, double score, bool neutral = false) {
  return {CarAt(x, y), ObjectClass::kCar, ScoredGroup::kVehicle, score, -1, neutral, 0};
}

TEST(MatchByIoU, PairsTheBestOverlapsWithinAGroupAboveTheThreshold) {
  const std::vector<ScoredTruth> truths = {Truth(10, 0), Truth(20, 0)};
  const std::vector<ScoredPrediction> predictions = {Detection(20.2, 0, 0.9),
                                                     Detection(10, 5, 0.9),  // no overlap
                                                     Detection(10.1, 0, 0.5)};
  EXPECT_EQ(MatchByIoU(predictions, truths, {}), (std::vector<int>{1, -1, 0}));
}

TEST(MatchByScore, LetsTheHigherScoreTakeTheTruthFirst) {
  const std::vector<ScoredTruth> truths = {Truth(10, 0)};
  // The worse box scores higher: KITTI's rule gives it the truth and the better box goes unmatched.
  const std::vector<ScoredPrediction> predictions = {Detection(10, 0, 0.4),
                                                     Detection(10.8, 0, 0.8)};
  EXPECT_EQ(MatchByScore(predictions, truths, {}, false), (std::vector<int>{-1, 0}));
  // At the strict IoU (0.7) the offset box no longer matches, so the exact one takes the truth.
  EXPECT_EQ(MatchByScore(predictions, truths, {}, true), (std::vector<int>{0, -1}));
}

TEST(ScoreFrame, CountsMatchesMissesAndFalsePositivesPerRow) {
  const std::vector<ScoredTruth> truths = {Truth(10, 0), Truth(30, 0), Truth(50, 0, false)};
  const std::vector<ScoredPrediction> predictions = {
      Detection(10.2, 0, 0.9),       // matches the first truth
      Detection(0, 10, 0.7),         // a false positive
      Detection(0, -10, 0.6, true),  // unmatched but neutral (DontCare)
      Detection(50, 0, 0.8)};        // matches the unscored truth: neither right nor wrong
  const FrameBoxScore frame = ScoreFrame(truths, predictions, {});
  const FrameBoxScore::Row& car = frame.rows[0];
  EXPECT_EQ(car.num_truth, 2);
  ASSERT_EQ(car.matched.size(), 1u);
  EXPECT_NEAR(car.matched[0].center_m, 0.2, 1e-12);
  EXPECT_EQ(car.num_predicted, 2);
  EXPECT_EQ(car.num_false_positives, 1);
  EXPECT_EQ(frame.num_truth[0], 2);
  // The curves keep the match and the false positive, not the neutral or the unscored match.
  ASSERT_EQ(frame.loose[0].size(), 2u);
  EXPECT_TRUE(frame.loose[0][0].true_positive);
  EXPECT_FALSE(frame.loose[0][1].true_positive);
}

TEST(ScoreFrame, RanksUnsureCandidatesInTheCurvesButLeavesThemOutOfTheRows) {
  const std::vector<ScoredTruth> truths = {Truth(10, 0), Truth(30, 0)};
  std::vector<ScoredPrediction> predictions = {Detection(10.2, 0, 0.9), Detection(30.1, 0, 0.2),
                                               Detection(0, 10, 0.1)};
  predictions[1].unsure = predictions[2].unsure = true;
  const FrameBoxScore frame = ScoreFrame(truths, predictions, {});
  // The rows are what the pipeline reports: one match, one miss, no false positive.
  const FrameBoxScore::Row& car = frame.rows[0];
  EXPECT_EQ(car.num_truth, 2);
  EXPECT_EQ(car.matched.size(), 1u);
  EXPECT_EQ(car.num_predicted, 1);
  EXPECT_EQ(car.num_false_positives, 0);
  // The curves rank all three: the unsure match is found at its low score.
  ASSERT_EQ(frame.loose[0].size(), 3u);
  int true_positives = 0;
  for (const ScoredDetection& d : frame.loose[0]) true_positives += d.true_positive;
  EXPECT_EQ(true_positives, 2);
}

TEST(BoxScoreSums, AddsFramesIntoRecallPrecisionAndMeanErrors) {
  BoxScoreSums sums{pipeline::proto::BoxEvaluationOptions()};
  sums.Add(ScoreFrame({Truth(10, 0)}, {Detection(10.2, 0, 0.9)}, {}));
  sums.Add(ScoreFrame({Truth(10, 0)}, {Detection(0, 10, 0.9)}, {}));
  const std::vector<ClassScore> classes = sums.Classes();
  ASSERT_EQ(classes.size(), 7u);
  EXPECT_EQ(classes[0].name, "Car");
  EXPECT_EQ(classes[0].num_truth, 2);
  EXPECT_DOUBLE_EQ(classes[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(classes[0].precision, 0.5);
  EXPECT_NEAR(classes[0].center_error_m, 0.2, 1e-12);
  EXPECT_EQ(classes[3].name, "Vehicle");
  EXPECT_EQ(classes[3].num_truth, 2);
  EXPECT_EQ(sums.Detections()[0].loose.size(), 2u);
  EXPECT_EQ(sums.Detections()[0].num_truth, 2);
}

}  // namespace
}  // namespace longtail::evaluation
