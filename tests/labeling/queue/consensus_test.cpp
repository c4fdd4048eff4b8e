#include "labeling/queue/consensus.h"

#include <gtest/gtest.h>

#include "tests/labeling/queue/queue_test_util.h"

namespace longtail::labeling {
namespace {

using testing::Car;

std::vector<FramePrelabels> OneFrame(std::vector<sensors::LabeledBox> boxes) {
  return {{0, sensors::FromNanos(0), std::move(boxes)}};
}

TEST(ApplyCorrections, ReplacesOnlyTheCorrectedFrames) {
  const std::vector<FramePrelabels> pre = {{0, sensors::FromNanos(0), {Car(1, 0)}},
                                           {1, sensors::FromNanos(1), {Car(2, 0)}}};
  const auto out = ApplyCorrections(pre, {{1, sensors::FromNanos(1), {}}, {7, {}, {Car(9, 9)}}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].boxes.size(), 1u);
  EXPECT_TRUE(out[1].boxes.empty());
}

TEST(CompareReviews, IdenticalAcceptsAgree) {
  const auto pre = OneFrame({Car(10, 0)});
  const auto result =
      CompareReviews({{"a", Verdict::kAccept, pre}, {"b", Verdict::kAccept, pre}}, pre, 0.5);
  EXPECT_TRUE(result.agreed);
  EXPECT_EQ(result.verdict, Verdict::kAccept);
}

TEST(CompareReviews, AllRejectsAgreeOnReject) {
  const auto pre = OneFrame({Car(10, 0)});
  const auto result =
      CompareReviews({{"a", Verdict::kReject, {}}, {"b", Verdict::kReject, {}}}, pre, 0.5);
  EXPECT_TRUE(result.agreed);
  EXPECT_EQ(result.verdict, Verdict::kReject);
  EXPECT_TRUE(result.labels.empty());
}

TEST(CompareReviews, AcceptVersusRejectIsAVerdictDisagreement) {
  const auto pre = OneFrame({Car(10, 0)});
  const auto result =
      CompareReviews({{"a", Verdict::kAccept, pre}, {"b", Verdict::kReject, {}}}, pre, 0.5);
  EXPECT_FALSE(result.agreed);
  ASSERT_EQ(result.disagreements.size(), 1u);
  EXPECT_EQ(result.disagreements[0].kind, "verdict");
  EXPECT_EQ(result.disagreements[0].frame_index, -1);
}

TEST(CompareReviews, SmallCorrectionAgreesAndWins) {
  const auto pre = OneFrame({Car(10, 0)});
  const auto nudged = OneFrame({Car(10.3, 0)});
  const auto result =
      CompareReviews({{"a", Verdict::kAccept, pre}, {"b", Verdict::kCorrect, nudged}}, pre, 0.5);
  EXPECT_TRUE(result.agreed);
  EXPECT_EQ(result.verdict, Verdict::kCorrect);
  EXPECT_EQ(result.labels[0].boxes[0].box.center.x(), 10.3);
}

TEST(CompareReviews, LowIouIsFlaggedWithTheIou) {
  const auto pre = OneFrame({Car(10, 0)});
  const auto result = CompareReviews(
      {{"a", Verdict::kAccept, pre}, {"b", Verdict::kCorrect, OneFrame({Car(13.5, 0)})}}, pre, 0.5);
  ASSERT_EQ(result.disagreements.size(), 1u);
  EXPECT_EQ(result.disagreements[0].kind, "box_iou");
  EXPECT_GT(result.disagreements[0].iou, 0.0);
  EXPECT_LT(result.disagreements[0].iou, 0.5);
}

TEST(CompareReviews, ClassMismatchIsFlagged) {
  const auto pre = OneFrame({Car(10, 0)});
  sensors::LabeledBox ped = Car(10, 0);
  ped.object_class = sensors::ObjectClass::kPedestrian;
  const auto result = CompareReviews(
      {{"a", Verdict::kAccept, pre}, {"b", Verdict::kCorrect, OneFrame({ped})}}, pre, 0.5);
  ASSERT_EQ(result.disagreements.size(), 1u);
  EXPECT_EQ(result.disagreements[0].kind, "class");
  EXPECT_EQ(result.disagreements[0].detail, "Car vs Pedestrian");
}

TEST(CompareReviews, AnAddedOrDeletedBoxIsMissing) {
  const auto pre = OneFrame({Car(10, 0)});
  const auto result = CompareReviews(
      {{"a", Verdict::kAccept, pre}, {"b", Verdict::kCorrect, OneFrame({Car(10, 0), Car(30, 5)})}},
      pre, 0.5);
  ASSERT_EQ(result.disagreements.size(), 1u);
  EXPECT_EQ(result.disagreements[0].kind, "missing_box");
  EXPECT_EQ(result.disagreements[0].reviewer_b, "b");
}

TEST(CompareReviews, EveryPairIsCompared) {
  const auto pre = OneFrame({Car(10, 0)});
  const auto result = CompareReviews(
      {{"a", Verdict::kAccept, pre}, {"b", Verdict::kAccept, pre}, {"c", Verdict::kReject, {}}},
      pre, 0.5);
  EXPECT_EQ(result.disagreements.size(), 2u);  // a-c and b-c
}

}  // namespace
}  // namespace longtail::labeling
