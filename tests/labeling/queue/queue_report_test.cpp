#include "labeling/queue/queue_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/labeling/queue/queue_test_util.h"

namespace longtail::labeling {
namespace {

using testing::Car;

TEST(SuggestThreshold, KeepsNinetyFivePercentOfAcceptedAndDropsTheRejectedBelow) {
  std::vector<double> accepted, rejected;
  for (int i = 0; i < 20; ++i) accepted.push_back(0.5 + 0.025 * i);
  for (int i = 0; i < 8; ++i) rejected.push_back(0.1 + 0.05 * i);
  rejected.push_back(0.9);  // one rejected episode no threshold can drop
  const ThresholdSuggestion s = SuggestThreshold(accepted, rejected);
  EXPECT_TRUE(s.keep_above);
  EXPECT_DOUBLE_EQ(s.threshold, 0.525);  // one of 20 accepted may go
  EXPECT_EQ(s.accepted_kept, 19);
  EXPECT_EQ(s.rejected_dropped, 8);
  EXPECT_EQ(s.rejected, 9);
}

TEST(SuggestThreshold, FindsTheDirectionFromTheData) {
  // Short time gaps were real, long ones were not: keep values at or below the threshold.
  const ThresholdSuggestion s = SuggestThreshold({0.5, 0.8, 1.0, 1.2}, {2.5, 3.0, 1.1});
  EXPECT_FALSE(s.keep_above);
  EXPECT_DOUBLE_EQ(s.threshold, 1.2);  // 5 % of 4 is no episode: keep all accepted
  EXPECT_EQ(s.accepted_kept, 4);
  EXPECT_EQ(s.rejected_dropped, 2);
}

TaskDetail Reviewed(std::int64_t id, const std::string& type, Verdict verdict, double ttc_s,
                    std::optional<RejectReason> reason = std::nullopt) {
  TaskDetail t;
  t.summary.id = id;
  t.summary.state = verdict == Verdict::kReject    ? TaskState::kRejected
                    : verdict == Verdict::kCorrect ? TaskState::kCorrected
                                                   : TaskState::kAccepted;
  pipeline::Event e;
  e.detector = "cut_in";
  e.type = type;
  e.severity = 0.7;
  e.values = {{"ttc_s", ttc_s}};
  t.events = {e};
  t.final_verdict = verdict;
  t.final_reject_reason = reason;
  t.prelabels = {{0, {}, {Car(10, 0, 1), Car(20, 3, 2)}}};
  if (verdict != Verdict::kReject) t.final_labels = t.prelabels;
  ReviewRecord r;
  r.reviewer = "ann";
  r.state = ClaimState::kSubmitted;
  r.claimed = sensors::FromNanos(0);
  r.finished = sensors::FromNanos(id * 1'000'000'000LL);
  r.verdict = verdict;
  t.reviews = {r};
  return t;
}

TEST(QueueReport, PrecisionReasonsCorrectionsAndThroughput) {
  std::vector<TaskDetail> tasks = {
      Reviewed(1, "cut_in", Verdict::kAccept, 1.0),
      Reviewed(2, "cut_in", Verdict::kCorrect, 1.5),
      Reviewed(3, "cut_in", Verdict::kReject, 4.0, RejectReason::kFalseAlarm),
      Reviewed(4, "cut_in", Verdict::kReject, 5.0, RejectReason::kNotWorthReview),
      Reviewed(5, "hard_brake", Verdict::kReject, 0.5),
  };
  // Task 2's reviewer moved car 1 by 0.3 m forward and 0.4 m left, turned it 0.1 rad and made it
  // 0.5 m longer, deleted car 2 and added a pedestrian.
  auto& boxes = tasks[1].final_labels[0].boxes;
  boxes[0].box.center += Eigen::Vector3d(0.3, 0.4, 0);
  boxes[0].box.yaw += 0.1;
  boxes[0].box.length += 0.5;
  sensors::LabeledBox walker = Car(5, -2, 9);
  walker.object_class = sensors::ObjectClass::kPedestrian;
  boxes = {boxes[0], walker};
  ReviewerStats ann;
  ann.reviewer = "ann";
  ann.submitted = 5;
  ann.gold_compared = 2;
  ann.gold_agreed = 1;
  ann.gold_agreement_rate = 0.5;
  const QueueReport r = BuildQueueReport(tasks, {ann});

  EXPECT_EQ(r.tasks_reviewed, 5);
  ASSERT_EQ(r.detectors.size(), 2u);
  EXPECT_EQ(r.detectors[0].type, "cut_in");
  EXPECT_EQ(r.detectors[0].episodes, 4);
  EXPECT_DOUBLE_EQ(r.detectors[0].precision, 0.5);
  EXPECT_EQ(r.detectors[0].reject_reasons,
            (std::map<std::string, std::int64_t>{{"false_alarm", 1}, {"not_worth_review", 1}}));
  EXPECT_EQ(r.detectors[1].reject_reasons,
            (std::map<std::string, std::int64_t>{{"unspecified", 1}}));

  ASSERT_EQ(r.classes.size(), 2u);  // Car, Pedestrian
  const ClassQuality& car = r.classes[0];
  EXPECT_EQ(car.object_class, "Car");
  EXPECT_EQ(car.prelabelled, 4);  // two boxes in each of the two accepted tasks
  EXPECT_EQ(car.kept, 2);
  EXPECT_EQ(car.moved, 1);
  EXPECT_EQ(car.deleted, 1);
  EXPECT_NEAR(car.mean_center_shift_m, 0.5, 1e-9);
  EXPECT_NEAR(car.mean_size_change_m, 0.5, 1e-9);
  EXPECT_NEAR(car.mean_yaw_change_rad, 0.1, 1e-9);
  EXPECT_EQ(r.classes[1].object_class, "Pedestrian");
  EXPECT_EQ(r.classes[1].added, 1);

  ASSERT_EQ(r.reviewers.size(), 1u);
  EXPECT_DOUBLE_EQ(r.reviewers[0].median_s_per_task, 3.0);  // 1..5 s
  EXPECT_DOUBLE_EQ(r.reviewers[0].gold_agreement_rate, 0.5);

  // The detector's ttc: accepted 1.0 and 1.5, rejected 4.0, 5.0 and 0.5: keeping ttc <= 1.5 drops
  // two, keeping ttc >= 1.0 only one.
  const auto ttc = std::find_if(r.thresholds.begin(), r.thresholds.end(), [](const auto& t) {
    return t.detector == "cut_in" && t.value == "ttc_s";
  });
  ASSERT_NE(ttc, r.thresholds.end());
  EXPECT_FALSE(ttc->keep_above);
  EXPECT_DOUBLE_EQ(ttc->threshold, 1.5);
  EXPECT_EQ(ttc->rejected_dropped, 2);
  EXPECT_EQ(ttc->rejected, 3);
  const nlohmann::json json = ReportToJson(r);
  EXPECT_EQ(json["detectors"][0]["precision"], 0.5);
  EXPECT_NE(ReportToText(r).find("cut_in ttc_s <= 1.5"), std::string::npos);
}

}  // namespace
}  // namespace longtail::labeling
