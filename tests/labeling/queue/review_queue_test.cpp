// The conformance suite: every test runs against SQLite and PostgreSQL and must behave the same.
#include "labeling/queue/review_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "tests/labeling/queue/queue_test_util.h"

namespace longtail::labeling {
namespace {

using testing::Car;
using testing::Draft;
using testing::FakeClock;

class QueueConformance : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<ReviewQueue> Open(const std::string& url, int required_reviews = 1) {
    proto::QueueOptions options;
    options.set_lease_s(60);
    options.set_required_reviews(required_reviews);
    options.set_max_skips(2);
    return OpenQueue(url, options, clock_.AsClock());
  }
  std::unique_ptr<ReviewQueue> Open(const std::string& url, proto::QueueOptions options) {
    options.set_lease_s(60);
    options.set_max_skips(2);
    return OpenQueue(url, options, clock_.AsClock());
  }
  FakeClock clock_;
};

// A window whose one episode has `type`, an actor of `object_class` and the given speed.
TaskDraft Episode(const std::string& log_id, double severity, const std::string& type,
                  sensors::ObjectClass object_class, double speed_mps) {
  sensors::LabeledBox actor = Car(12, 0);
  actor.object_class = object_class;
  TaskDraft d = Draft(log_id, 0, 1, severity, {actor});
  d.events[0].type = type;
  d.events[0].peak_frame = 0;
  d.events[0].values = {{"distance_m", 12.0}, {"speed_mps", speed_mps}};
  return d;
}

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Backends, QueueConformance, ::testing::Values("sqlite", "postgresql"),
                         BackendName);

TEST_P(QueueConformance, EnqueueAddsOneTaskPerDraft) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  EXPECT_EQ(queue->CountTasks(), 0);
  const EnqueueResult result = queue->Enqueue({Draft("a", 0, 3, 0.5), Draft("a", 10, 12, 0.7)});
  EXPECT_EQ(result.inserted, 2);
  EXPECT_EQ(result.already_present, 0);
  EXPECT_EQ(queue->CountTasks(), 2);
}

TEST_P(QueueConformance, ReEnqueueingTheSameWindowAddsNothing) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 3, 0.5), Draft("a", 10, 12, 0.7)});
  const EnqueueResult again = queue->Enqueue({Draft("a", 0, 3, 0.9), Draft("a", 10, 12, 0.7)});
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.already_present, 2);
  EXPECT_EQ(queue->CountTasks(), 2);
}

TEST_P(QueueConformance, OtherOptionsHashOrWindowIsANewTask) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 3, 0.5)});
  const EnqueueResult result = queue->Enqueue({Draft("a", 0, 3, 0.5, {Car(10, 0)}, "opts-2"),
                                               Draft("a", 0, 4, 0.5), Draft("b", 0, 3, 0.5)});
  EXPECT_EQ(result.inserted, 3);
  EXPECT_EQ(queue->CountTasks(), 4);
}

TEST_P(QueueConformance, ReopeningKeepsTheTasks) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  Open(url)->Enqueue({Draft("a", 0, 3, 0.5)});
  EXPECT_EQ(Open(url)->CountTasks(), 1);
}

TEST_P(QueueConformance, GetTaskReturnsEventsAndPrelabelsExactly) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  const TaskDraft draft = Draft("log-7", 4, 6, 0.625, {Car(12.25, -1.5, 3), Car(30, 2, 4)});
  queue->Enqueue({draft});
  const auto tasks = queue->ListTasks({});
  ASSERT_EQ(tasks.size(), 1u);
  const auto detail = queue->GetTask(tasks[0].id);
  ASSERT_TRUE(detail.has_value());
  const TaskSummary& s = detail->summary;
  EXPECT_EQ(s.state, TaskState::kQueued);
  EXPECT_EQ(s.log_id, "log-7");
  EXPECT_EQ(s.log_path, "/data/log-7");
  EXPECT_EQ(s.log_format, "kitti-raw");
  EXPECT_EQ(s.detectors, "ego_corridor");
  EXPECT_EQ(s.options_hash, "opts-1");
  EXPECT_EQ(s.first_frame, 4);
  EXPECT_EQ(s.last_frame, 6);
  EXPECT_EQ(s.start, draft.start);
  EXPECT_EQ(s.end, draft.end);
  EXPECT_EQ(s.severity, 0.625);
  ASSERT_EQ(detail->events.size(), 1u);
  const pipeline::Event& e = detail->events[0];
  EXPECT_EQ(e.reason, "car #1 in the ego corridor 12.4 m ahead");
  EXPECT_EQ(e.values.at("ttc_s"), 1.0 / 3.0);  // every bit survives
  EXPECT_EQ(e.track_ids, std::vector<int>{1});
  EXPECT_EQ(e.start, draft.start);
  ASSERT_EQ(detail->prelabels.size(), 3u);
  EXPECT_EQ(detail->prelabels[0].frame_index, 4);
  EXPECT_EQ(detail->prelabels[2].stamp, draft.frames[2].stamp);
  ASSERT_EQ(detail->prelabels[1].boxes.size(), 2u);
  const sensors::LabeledBox& box = detail->prelabels[1].boxes[0];
  EXPECT_EQ(box.box.center.x(), 12.25);
  EXPECT_EQ(box.box.center.y(), -1.5);
  EXPECT_EQ(box.box.yaw, 0.1);
  EXPECT_EQ(box.object_class, sensors::ObjectClass::kCar);
  EXPECT_EQ(box.track_id, 3);
  EXPECT_EQ(box.score, 0.875);
  EXPECT_FALSE(detail->final_verdict.has_value());
  EXPECT_FALSE(queue->GetTask(tasks[0].id + 1000).has_value());
}

TEST_P(QueueConformance, ALongWindowKeepsEveryFrameOnceInOrder) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  TaskDraft draft = Draft("long", 0, 449, 0.5);
  draft.frames.push_back(draft.frames[7]);  // listed twice: stored once
  draft.frames.back().boxes.clear();
  queue->Enqueue({draft});
  const auto detail = queue->GetTask(queue->ListTasks({})[0].id);
  ASSERT_EQ(detail->prelabels.size(), 450u);
  for (std::size_t i = 0; i < detail->prelabels.size(); ++i) {
    EXPECT_EQ(detail->prelabels[i].frame_index, static_cast<std::int64_t>(i));
  }
  EXPECT_EQ(detail->prelabels[7].boxes.size(), 1u);  // the first listing wins
}

TEST_P(QueueConformance, ClaimTakesHighestSeverityThenOldest) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("old-low", 0, 1, 0.2)});
  clock_.AdvanceSeconds(1);
  queue->Enqueue({Draft("new-high", 0, 1, 0.9)});
  clock_.AdvanceSeconds(1);
  queue->Enqueue({Draft("newest-high", 0, 1, 0.9)});
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    const auto claim = queue->Claim("r" + std::to_string(i));
    ASSERT_TRUE(claim.has_value());
    order.push_back(queue->GetTask(claim->task_id)->summary.log_id);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"new-high", "newest-high", "old-low"}));
  EXPECT_FALSE(queue->Claim("r9").has_value());
}

TEST_P(QueueConformance, ClaimOnAnEmptyQueueGivesNothing) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  EXPECT_FALSE(Open(url)->Claim("alice").has_value());
}

TEST_P(QueueConformance, AcceptingResolvesASingleReviewTaskWithThePrelabels) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto claim = queue->Claim("alice");
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(queue->GetTask(claim->task_id)->summary.state, TaskState::kClaimed);
  EXPECT_EQ(queue->Submit({claim->claim_id, "alice", Verdict::kAccept, {}, "looks right", {}}),
            TaskState::kAccepted);
  const auto detail = queue->GetTask(claim->task_id);
  EXPECT_EQ(detail->summary.state, TaskState::kAccepted);
  EXPECT_EQ(detail->final_verdict, Verdict::kAccept);
  ASSERT_EQ(detail->final_labels.size(), 2u);
  EXPECT_EQ(detail->final_labels[0].boxes[0].box.center.x(), 10);
  ASSERT_EQ(detail->reviews.size(), 1u);
  EXPECT_EQ(detail->reviews[0].state, ClaimState::kSubmitted);
  EXPECT_EQ(detail->reviews[0].comment, "looks right");
  EXPECT_FALSE(queue->Claim("bob").has_value());
}

TEST_P(QueueConformance, CorrectionsReplaceFramesAndAreAudited) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto claim = queue->Claim("alice");
  Submission s{claim->claim_id, "alice", Verdict::kCorrect, {}, "", {}};
  sensors::LabeledBox moved = Car(11, 0.5);
  moved.object_class = sensors::ObjectClass::kVan;
  s.corrections.push_back({1, sensors::FromNanos(0), {moved}});
  EXPECT_EQ(queue->Submit(s), TaskState::kCorrected);
  const auto detail = queue->GetTask(claim->task_id);
  EXPECT_EQ(detail->final_verdict, Verdict::kCorrect);
  EXPECT_EQ(detail->final_labels[0].boxes[0].box.center.x(), 10);  // frame 0 kept
  EXPECT_EQ(detail->final_labels[1].boxes[0].object_class, sensors::ObjectClass::kVan);
  ASSERT_EQ(detail->reviews[0].corrections.size(), 1u);
  const auto audit = queue->AuditTrail(claim->task_id);
  const auto edit = std::find_if(audit.begin(), audit.end(),
                                 [](const AuditEntry& a) { return a.action == "edit_labels"; });
  ASSERT_NE(edit, audit.end());
  EXPECT_EQ(edit->actor, "alice");
  EXPECT_NE(edit->details_json.find("\"before\""), std::string::npos);
  EXPECT_NE(edit->details_json.find("Van"), std::string::npos);
}

TEST_P(QueueConformance, CorrectVerdictWithoutCorrectionsIsRefused) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto claim = queue->Claim("alice");
  EXPECT_THROW(queue->Submit({claim->claim_id, "alice", Verdict::kCorrect, {}, "", {}}),
               TaskConflict);
  EXPECT_EQ(queue->GetTask(claim->task_id)->summary.state, TaskState::kClaimed);
}

TEST_P(QueueConformance, ExpiredLeaseReturnsTheTaskAndTheLateSubmitIsRefused) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto claim = queue->Claim("alice");
  EXPECT_FALSE(queue->Claim("bob").has_value());
  clock_.AdvanceSeconds(61);
  EXPECT_EQ(queue->Stats().expired_claims, 1);
  const auto taken_over = queue->Claim("bob");
  ASSERT_TRUE(taken_over.has_value());
  EXPECT_EQ(taken_over->task_id, claim->task_id);
  EXPECT_THROW(queue->Submit({claim->claim_id, "alice", Verdict::kAccept, {}, "", {}}),
               TaskConflict);
  EXPECT_EQ(queue->Submit({taken_over->claim_id, "bob", Verdict::kAccept, {}, "", {}}),
            TaskState::kAccepted);
  const auto detail = queue->GetTask(claim->task_id);
  EXPECT_EQ(detail->reviews[0].state, ClaimState::kExpired);
}

TEST_P(QueueConformance, RequeueExpiredReturnsTasksWithoutAClaim) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5), Draft("b", 0, 1, 0.5)});
  queue->Claim("alice");
  queue->Claim("bob");
  EXPECT_EQ(queue->RequeueExpired(), 0);
  clock_.AdvanceSeconds(61);
  EXPECT_EQ(queue->RequeueExpired(), 2);
  EXPECT_EQ(queue->Stats().queued, 2);
  EXPECT_EQ(queue->RequeueExpired(), 0);
}

TEST_P(QueueConformance, HeartbeatKeepsTheLeaseAlive) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto claim = queue->Claim("alice");
  clock_.AdvanceSeconds(50);
  const sensors::Timestamp expires = queue->Heartbeat(claim->claim_id, "alice");
  EXPECT_GT(expires, claim->lease_expires);
  clock_.AdvanceSeconds(50);  // past the first expiry, within the extended one
  EXPECT_FALSE(queue->Claim("bob").has_value());
  EXPECT_EQ(queue->Submit({claim->claim_id, "alice", Verdict::kReject, {}, "sensor glitch", {}}),
            TaskState::kRejected);
}

TEST_P(QueueConformance, OnlyTheClaimerMayActOnAClaim) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto claim = queue->Claim("alice");
  EXPECT_THROW(queue->Submit({claim->claim_id, "mallory", Verdict::kAccept, {}, "", {}}),
               TaskConflict);
  EXPECT_THROW(queue->Heartbeat(claim->claim_id, "mallory"), TaskConflict);
  EXPECT_THROW(queue->Release(claim->claim_id, "mallory"), TaskConflict);
  EXPECT_THROW(queue->Submit({claim->claim_id + 99, "alice", Verdict::kAccept, {}, "", {}}),
               TaskConflict);
  queue->Submit({claim->claim_id, "alice", Verdict::kAccept, {}, "", {}});
  EXPECT_THROW(queue->Submit({claim->claim_id, "alice", Verdict::kAccept, {}, "", {}}),
               TaskConflict);
}

TEST_P(QueueConformance, ReleasedTaskCanBeClaimedAgainEvenByTheSameReviewer) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto first = queue->Claim("alice");
  queue->Release(first->claim_id, "alice");
  EXPECT_EQ(queue->GetTask(first->task_id)->summary.state, TaskState::kQueued);
  const auto again = queue->Claim("alice");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->task_id, first->task_id);
  EXPECT_NE(again->claim_id, first->claim_id);
}

TEST_P(QueueConformance, SkippedTaskIsNotOfferedToThatReviewerAndRetiresAfterMaxSkips) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);  // max_skips = 2
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto a = queue->Claim("alice");
  EXPECT_EQ(queue->Skip(a->claim_id, "alice", "cannot tell"), TaskState::kQueued);
  EXPECT_FALSE(queue->Claim("alice").has_value());
  const auto b = queue->Claim("bob");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(queue->Skip(b->claim_id, "bob", "too dark"), TaskState::kSkipped);
  EXPECT_FALSE(queue->Claim("carol").has_value());
  EXPECT_EQ(queue->Stats().skipped, 1);
}

TEST_P(QueueConformance, KReviewsFromDifferentReviewersThatAgreeResolve) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url, /*required_reviews=*/2);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto a = queue->Claim("alice");
  const auto b = queue->Claim("bob");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->task_id, b->task_id);  // two slots, two reviewers at once
  EXPECT_FALSE(queue->Claim("carol").has_value());
  EXPECT_EQ(queue->Submit({a->claim_id, "alice", Verdict::kAccept, {}, "", {}}),
            TaskState::kClaimed);
  Submission nudge{b->claim_id, "bob", Verdict::kCorrect, {}, "", {}};
  nudge.corrections.push_back({0, sensors::FromNanos(0), {Car(10.2, 0)}});  // IoU ~0.96
  EXPECT_EQ(queue->Submit(nudge), TaskState::kCorrected);
  const auto detail = queue->GetTask(a->task_id);
  EXPECT_TRUE(detail->disagreements.empty());
  EXPECT_EQ(detail->final_labels[0].boxes[0].box.center.x(), 10.2);
}

TEST_P(QueueConformance, NeverOffersATaskToAReviewerWhoAlreadyReviewedIt) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url, /*required_reviews=*/2);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto a = queue->Claim("alice");
  queue->Submit({a->claim_id, "alice", Verdict::kAccept, {}, "", {}});
  EXPECT_FALSE(queue->Claim("alice").has_value());
  EXPECT_TRUE(queue->Claim("bob").has_value());
}

TEST_P(QueueConformance, DisagreementsAreFlaggedAndAdjudicated) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url, /*required_reviews=*/3);
  queue->Enqueue({Draft("a", 0, 0, 0.5)});
  const auto a = queue->Claim("alice");
  const auto b = queue->Claim("bob");
  const auto c = queue->Claim("carol");
  queue->Submit({a->claim_id, "alice", Verdict::kAccept, {}, "", {}});
  Submission van{b->claim_id, "bob", Verdict::kCorrect, {}, "", {}};
  sensors::LabeledBox box = Car(10, 0);
  box.object_class = sensors::ObjectClass::kVan;
  van.corrections.push_back({0, sensors::FromNanos(0), {box}});
  queue->Submit(van);
  EXPECT_EQ(queue->Submit({c->claim_id, "carol", Verdict::kReject, {}, "", {}}),
            TaskState::kSubmitted);
  auto detail = queue->GetTask(a->task_id);
  EXPECT_TRUE(detail->summary.needs_adjudication);
  EXPECT_FALSE(detail->final_verdict.has_value());
  std::vector<std::string> kinds;
  for (const auto& d : detail->disagreements) kinds.push_back(d.kind);
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"class", "verdict", "verdict"}));
  EXPECT_EQ(queue->Stats().needs_adjudication, 1);

  EXPECT_EQ(queue->Adjudicate({a->task_id, "lead", Verdict::kAccept, {}, "it is a car", {}}),
            TaskState::kAccepted);
  detail = queue->GetTask(a->task_id);
  EXPECT_EQ(detail->final_verdict, Verdict::kAccept);
  EXPECT_EQ(detail->final_labels[0].boxes[0].object_class, sensors::ObjectClass::kCar);
  EXPECT_THROW(queue->Adjudicate({a->task_id, "lead", Verdict::kReject, {}, "", {}}), TaskConflict);
}

TEST_P(QueueConformance, ReviewerAccountsAreAddedListedFoundAndDisabled) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  EXPECT_EQ(queue->CountReviewers(), 0);
  const std::int64_t alice = queue->AddReviewer("alice", ReviewerRole::kReviewer, "$hash-a");
  const std::int64_t lead = queue->AddReviewer("lead", ReviewerRole::kAdjudicator, "$hash-l");
  EXPECT_NE(alice, lead);
  EXPECT_EQ(queue->CountReviewers(), 2);
  // A taken name is refused, also when its account is disabled: the audit trail names one person.
  EXPECT_THROW(queue->AddReviewer("alice", ReviewerRole::kAdmin, "$other"), TaskConflict);

  const auto found = queue->FindReviewer(lead);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "lead");
  EXPECT_EQ(found->role, ReviewerRole::kAdjudicator);
  EXPECT_EQ(found->token_hash, "$hash-l");
  EXPECT_FALSE(found->disabled);
  EXPECT_FALSE(queue->FindReviewer(lead + 100).has_value());

  queue->DisableReviewer("alice");
  EXPECT_THROW(queue->DisableReviewer("nobody"), TaskConflict);
  EXPECT_THROW(queue->AddReviewer("alice", ReviewerRole::kReviewer, "$again"), TaskConflict);
  const auto accounts = Open(url)->ListReviewers();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0].name, "alice");
  EXPECT_TRUE(accounts[0].disabled);
  EXPECT_EQ(accounts[0].token_hash, "$hash-a");
  EXPECT_EQ(accounts[1].name, "lead");
  EXPECT_FALSE(accounts[1].disabled);
  EXPECT_EQ(queue->CountReviewers(), 2);
}

TEST_P(QueueConformance, BoxesBelowTheIouThresholdDisagree) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url, /*required_reviews=*/2);
  queue->Enqueue({Draft("a", 0, 0, 0.5)});
  const auto a = queue->Claim("alice");
  const auto b = queue->Claim("bob");
  queue->Submit({a->claim_id, "alice", Verdict::kAccept, {}, "", {}});
  Submission shifted{b->claim_id, "bob", Verdict::kCorrect, {}, "", {}};
  shifted.corrections.push_back({0, sensors::FromNanos(0), {Car(13, 0)}});  // IoU ~0.2
  EXPECT_EQ(queue->Submit(shifted), TaskState::kSubmitted);
  const auto detail = queue->GetTask(a->task_id);
  ASSERT_EQ(detail->disagreements.size(), 1u);
  EXPECT_EQ(detail->disagreements[0].kind, "box_iou");
  EXPECT_EQ(detail->disagreements[0].frame_index, 0);
  EXPECT_LT(detail->disagreements[0].iou, 0.5);
}

TEST_P(QueueConformance, ReviewerAgreementCountsAgreementsPerReviewer) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url, /*required_reviews=*/2);
  queue->Enqueue({Draft("a", 0, 0, 0.9), Draft("b", 0, 0, 0.5)});
  // Task a: alice and bob agree. Task b: alice accepts, carol rejects.
  auto a1 = queue->Claim("alice");
  auto b1 = queue->Claim("bob");
  queue->Submit({a1->claim_id, "alice", Verdict::kAccept, {}, "", {}});
  queue->Submit({b1->claim_id, "bob", Verdict::kAccept, {}, "", {}});
  auto a2 = queue->Claim("alice");
  auto c2 = queue->Claim("carol");
  queue->Submit({a2->claim_id, "alice", Verdict::kAccept, {}, "", {}});
  queue->Submit({c2->claim_id, "carol", Verdict::kReject, {}, "", {}});
  const auto stats = queue->ReviewerAgreement();
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_EQ(stats[0].reviewer, "alice");
  EXPECT_EQ(stats[0].submitted, 2);
  EXPECT_EQ(stats[0].compared, 2);
  EXPECT_EQ(stats[0].agreed, 1);
  EXPECT_DOUBLE_EQ(stats[0].agreement_rate, 0.5);
  EXPECT_EQ(stats[1].reviewer, "bob");
  EXPECT_DOUBLE_EQ(stats[1].agreement_rate, 1.0);
  EXPECT_EQ(stats[2].reviewer, "carol");
  EXPECT_EQ(stats[2].rejected, 1);
  EXPECT_EQ(stats[2].agreed, 0);
}

TEST_P(QueueConformance, AuditTrailRecordsEveryStateChange) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  auto first = queue->Claim("alice");
  queue->Release(first->claim_id, "alice");
  queue->Claim("bob");
  clock_.AdvanceSeconds(61);
  queue->RequeueExpired();
  auto third = queue->Claim("carol");
  queue->Submit({third->claim_id, "carol", Verdict::kAccept, {}, "", {}});
  std::vector<std::string> actions;
  for (const auto& a : queue->AuditTrail(first->task_id)) {
    actions.push_back(a.action + ":" + a.from_state + "->" + a.to_state);
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"enqueue:queued->queued", "claim:queued->claimed",
                                      "release:claimed->queued", "claim:queued->claimed",
                                      "expire:claimed->queued", "claim:queued->claimed",
                                      "submit:claimed->submitted", "resolve:submitted->accepted"}));
}

TEST_P(QueueConformance, ListTasksFiltersAndPages) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5), Draft("a", 5, 6, 0.5), Draft("b", 0, 1, 0.9)});
  const auto claim = queue->Claim("alice");  // takes b (highest severity)
  TaskFilter by_log;
  by_log.log_id = "a";
  EXPECT_EQ(queue->ListTasks(by_log).size(), 2u);
  TaskFilter claimed;
  claimed.state = TaskState::kClaimed;
  const auto claimed_tasks = queue->ListTasks(claimed);
  ASSERT_EQ(claimed_tasks.size(), 1u);
  EXPECT_EQ(claimed_tasks[0].id, claim->task_id);
  TaskFilter by_reviewer;
  by_reviewer.reviewer = "alice";
  EXPECT_EQ(queue->ListTasks(by_reviewer).size(), 1u);
  TaskFilter page;
  page.limit = 2;
  const auto first_page = queue->ListTasks(page);
  ASSERT_EQ(first_page.size(), 2u);
  page.after_id = first_page.back().id;
  EXPECT_EQ(queue->ListTasks(page).size(), 1u);
}

TEST_P(QueueConformance, MinedLedgerIsWrittenWithTheLastEnqueue) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  EXPECT_FALSE(queue->IsMined("a", "opts-1"));
  const auto result =
      queue->EnqueueAndMarkMined({Draft("a", 0, 1, 0.5)}, {"a", "opts-1", "/data/a", 1});
  EXPECT_EQ(result.inserted, 1);
  EXPECT_TRUE(queue->IsMined("a", "opts-1"));
  EXPECT_FALSE(queue->IsMined("a", "opts-2"));
  queue->EnqueueAndMarkMined({Draft("a", 0, 1, 0.5)}, {"a", "opts-1", "/data/a", 1});
  EXPECT_EQ(queue->Stats().mined_logs, 1);
  EXPECT_EQ(queue->CountTasks(), 1);
}

TEST_P(QueueConformance, StatsCountEveryState) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.9), Draft("b", 0, 1, 0.5), Draft("c", 0, 1, 0.1)});
  const auto a = queue->Claim("alice");
  queue->Submit({a->claim_id, "alice", Verdict::kReject, {}, "", {}});
  queue->Claim("alice");
  const QueueStats s = queue->Stats();
  EXPECT_EQ(s.tasks, 3);
  EXPECT_EQ(s.rejected, 1);
  EXPECT_EQ(s.claimed, 1);
  EXPECT_EQ(s.queued, 1);
  EXPECT_EQ(s.live_claims, 1);
  EXPECT_EQ(s.schema_version, kQueueSchemaVersion);
  EXPECT_EQ(s.backend, GetParam());
}

TEST(PostgresQueue, ARoleWithoutWriteRightsGetsAReadOnlyErrorAndWritesNothing) {
  LONGTAIL_REQUIRE_BACKEND(url, "postgresql");
  OpenQueue(url)->Enqueue({Draft("a", 0, 1, 0.5)});
  auto reader = OpenQueue(testing::ReadOnlyRoleUrl(url));
  EXPECT_EQ(reader->CountTasks(), 1);
  try {
    reader->Enqueue({Draft("b", 0, 1, 0.5)});
    FAIL() << "expected QueueError";
  } catch (const QueueError& e) {
    EXPECT_NE(std::string(e.what()).find("read-only"), std::string::npos) << e.what();
  }
  EXPECT_THROW(reader->Claim("alice"), QueueError);
  EXPECT_EQ(OpenQueue(url)->CountTasks(), 1);
}

TEST(PostgresQueue, UnreachableServerIsOneClearError) {
  try {
    OpenQueue("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2");
    FAIL() << "expected QueueError";
  } catch (const QueueError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot use the PostgreSQL queue"), std::string::npos)
        << e.what();
  }
}

TEST(PostgresQueue, ErrorMessagesHideThePassword) {
  try {
    OpenQueue("postgresql://postgres:hunter2@127.0.0.1:1/postgres?connect_timeout=2");
    FAIL() << "expected QueueError";
  } catch (const QueueError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

TEST_P(QueueConformance, RejectReasonsAreKeptWithTheReviewAndTheTask) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url, 2);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto a = queue->Claim("alice");
  const auto b = queue->Claim("bob");
  queue->Submit({a->claim_id, "alice", Verdict::kReject, {}, "", RejectReason::kWrongObject});
  EXPECT_EQ(queue->Submit(
                {b->claim_id, "bob", Verdict::kReject, {}, "shadow", RejectReason::kWrongObject}),
            TaskState::kRejected);
  const auto detail = queue->GetTask(a->task_id);
  EXPECT_EQ(detail->reviews[0].reject_reason, RejectReason::kWrongObject);
  EXPECT_EQ(detail->reviews[1].reject_reason, RejectReason::kWrongObject);
  EXPECT_EQ(detail->final_reject_reason, RejectReason::kWrongObject);
}

TEST_P(QueueConformance, AnAcceptCarriesNoRejectReason) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  auto queue = Open(url);
  queue->Enqueue({Draft("a", 0, 1, 0.5)});
  const auto a = queue->Claim("alice");
  queue->Submit({a->claim_id, "alice", Verdict::kAccept, {}, "", RejectReason::kFalseAlarm});
  const auto detail = queue->GetTask(a->task_id);
  EXPECT_FALSE(detail->reviews[0].reject_reason.has_value());
  EXPECT_FALSE(detail->final_reject_reason.has_value());
}

TEST_P(QueueConformance, GoldChecksComeAtTheRateAndNeverChangeTheGoldTask) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  proto::QueueOptions options;
  options.set_gold_rate(0.5);
  auto queue = Open(url, options);
  queue->Enqueue({Draft("gold", 0, 1, 0.9), Draft("b", 0, 1, 0.5), Draft("c", 0, 1, 0.4),
                  Draft("d", 0, 1, 0.3)});
  EXPECT_THROW(queue->MarkGold(1, "lead"), TaskConflict);  // not reviewed yet
  const auto first = queue->Claim("lead");                 // the lead's 1st claim: not a gold check
  ASSERT_EQ(first->task_id, 1);
  queue->Submit({first->claim_id, "lead", Verdict::kAccept, {}, "", {}});
  queue->MarkGold(1, "lead");
  for (const std::string reviewer : {"bob", "carol"}) {
    const auto normal = queue->Claim(reviewer);  // 1st claim: floor(0.5) == floor(0)
    ASSERT_TRUE(normal);
    EXPECT_NE(normal->task_id, 1);
    queue->Release(normal->claim_id, reviewer);
    const auto check = queue->Claim(reviewer);  // 2nd claim: floor(1.0) > floor(0.5)
    ASSERT_TRUE(check);
    EXPECT_EQ(check->task_id, 1);
    const Verdict verdict = reviewer == "bob" ? Verdict::kReject : Verdict::kAccept;
    EXPECT_EQ(queue->Submit({check->claim_id, reviewer, verdict, {}, "", {}}),
              TaskState::kAccepted);
    const auto third = queue->Claim(reviewer);  // 3rd: no check due
    ASSERT_TRUE(third);
    EXPECT_NE(third->task_id, 1);
  }
  const auto gold = queue->GetTask(1);
  EXPECT_TRUE(gold->summary.gold);
  EXPECT_EQ(gold->summary.state, TaskState::kAccepted);
  EXPECT_EQ(gold->summary.submitted_reviews, 1);
  EXPECT_EQ(gold->summary.live_claims, 0);
  ASSERT_EQ(gold->reviews.size(), 3u);
  EXPECT_TRUE(gold->reviews[1].gold_check);
  EXPECT_EQ(gold->reviews[1].agrees_with_gold, false);
  EXPECT_EQ(gold->reviews[2].agrees_with_gold, true);
  std::map<std::string, double> rate;
  for (const auto& r : queue->ReviewerAgreement()) {
    if (r.gold_compared > 0) rate[r.reviewer] = r.gold_agreement_rate;
  }
  EXPECT_EQ(rate, (std::map<std::string, double>{{"bob", 0.0}, {"carol", 1.0}}));
}

TEST_P(QueueConformance, AnExpiredGoldCheckLeavesTheGoldTaskAlone) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  proto::QueueOptions options;
  options.set_gold_rate(1.0);
  auto queue = Open(url, options);
  queue->Enqueue({Draft("gold", 0, 1, 0.9)});
  const auto first = queue->Claim("lead");
  queue->Submit({first->claim_id, "lead", Verdict::kReject, {}, "", RejectReason::kFalseAlarm});
  queue->MarkGold(1, "lead");
  const auto check = queue->Claim("bob");
  ASSERT_TRUE(check);
  clock_.AdvanceSeconds(61);
  EXPECT_EQ(queue->RequeueExpired(), 1);
  const auto gold = queue->GetTask(1);
  EXPECT_EQ(gold->summary.state, TaskState::kRejected);
  EXPECT_EQ(gold->summary.live_claims, 0);
  EXPECT_FALSE(queue->Claim("bob").has_value());  // seen it: no second check on the same task
}

TEST_P(QueueConformance, NoveltyOrderPutsTheOddEpisodeBeforeRepeatsOfAcceptedOnes) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  proto::QueueOptions novelty;
  novelty.set_claim_order(proto::QueueOptions::NOVELTY);
  auto by_severity = Open(url, proto::QueueOptions());
  auto by_novelty = Open(url, novelty);
  std::vector<TaskDraft> drafts;
  for (int i = 0; i < 6; ++i) {
    drafts.push_back(Episode("cut-in-" + std::to_string(i), 0.9 - 0.02 * i, "cut_in",
                             sensors::ObjectClass::kCar, 10.0));
  }
  drafts.push_back(Episode("trolley", 0.6, "object_in_corridor", sensors::ObjectClass::kMisc, 1.0));
  by_severity->Enqueue(drafts);
  // Before anything is accepted everything is new: both orders agree.
  const auto first = by_novelty->Claim("lead");
  EXPECT_EQ(first->task_id, 1);
  by_novelty->Submit({first->claim_id, "lead", Verdict::kAccept, {}, "", {}});
  const auto next_by_severity = by_severity->Claim("alice");
  const auto next_by_novelty = by_novelty->Claim("bob");
  EXPECT_EQ(next_by_severity->task_id, 2);  // the next cut-in, severity 0.88
  EXPECT_EQ(next_by_novelty->task_id, 7);   // the trolley, severity 0.6
  // Repeats still come in severity order among themselves.
  by_novelty->Release(next_by_novelty->claim_id, "bob");
  by_severity->Release(next_by_severity->claim_id, "alice");
  std::vector<std::int64_t> order;
  while (const auto claim = by_novelty->Claim("carol")) order.push_back(claim->task_id);
  EXPECT_EQ(order, (std::vector<std::int64_t>{7, 2, 3, 4, 5, 6}));
}

}  // namespace
}  // namespace longtail::labeling
