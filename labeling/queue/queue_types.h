// The plain data the review queue takes and gives back. Times are nanoseconds since the Unix epoch
// (sensors::Timestamp); boxes are in the vehicle frame of their frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/types.h"
#include "sensors/box3d.h"
#include "sensors/time.h"

namespace longtail::labeling {

// The pre-labels (or reviewed labels) of one frame of a task's window.
struct FramePrelabels {
  std::int64_t frame_index = 0;
  sensors::Timestamp stamp;
  std::vector<sensors::LabeledBox> boxes;  // vehicle frame
};

enum class TaskState { kQueued, kClaimed, kSubmitted, kAccepted, kCorrected, kRejected, kSkipped };
std::string_view ToString(TaskState state);  // "queued", "claimed", ...
std::optional<TaskState> ParseTaskState(std::string_view text);
bool IsResolved(TaskState state);  // accepted, corrected, rejected or skipped

// What a reviewer says about a task.
enum class Verdict {
  kAccept,   // the event is real and the pre-labels are right
  kCorrect,  // the event is real; the labels needed the corrections given
  kReject,   // not a real event, or the data is unusable
};
std::string_view ToString(Verdict verdict);
std::optional<Verdict> ParseVerdict(std::string_view text);

// Why a reviewer rejected a task: what the detectors and the pre-labeller should learn from it.
enum class RejectReason {
  kFalseAlarm,      // nothing happened: the detector fired on noise or a misread scene
  kNotWorthReview,  // real, but ordinary: not worth a person's time
  kWrongObject,     // something happened, but the event names the wrong actor or class
  kWrongBox,        // the actor is right but its boxes are too wrong to correct
};
std::string_view ToString(RejectReason reason);  // "false_alarm", "not_worth_review", ...
std::optional<RejectReason> ParseRejectReason(std::string_view text);

// One reviewer's claim on one task, live or finished.
enum class ClaimState { kClaimed, kSubmitted, kReleased, kExpired, kSkipped };
std::string_view ToString(ClaimState state);
std::optional<ClaimState> ParseClaimState(std::string_view text);

// What an account may do on the review server. Each role may do everything the ones before it may.
enum class ReviewerRole {
  kReviewer,     // claim, review, submit, release, skip
  kAdjudicator,  // and decide tasks whose reviews disagree
  kAdmin,        // and mark gold tasks and manage accounts
};
std::string_view ToString(ReviewerRole role);  // "reviewer", "adjudicator", "admin"
std::optional<ReviewerRole> ParseReviewerRole(std::string_view text);

// A reviewer's account. The token is never stored: only `token_hash`, a self-describing password
// hash string (e.g. libsodium's "$argon2id$...") of the token's secret part.
struct ReviewerAccount {
  std::int64_t id = 0;  // the token's lookup id
  std::string name;     // what the audit trail records
  ReviewerRole role = ReviewerRole::kReviewer;
  std::string token_hash;
  bool disabled = false;
  sensors::Timestamp created;
};

// A ledger row: `log_id` was mined with `options_hash` (see ReviewQueue::EnqueueAndMarkMined).
struct MinedLog {
  std::string log_id;
  std::string options_hash;
  std::string log_path;    // where it was read from, for people
  std::int64_t tasks = 0;  // tasks the log produced (inserted or already present)
};

struct ClaimedTask {
  std::int64_t claim_id = 0;  // pass back to Heartbeat / Submit / Release / Skip
  std::int64_t task_id = 0;
  sensors::Timestamp lease_expires;  // the claim is lost after this unless Heartbeat extends it
};

struct Submission {
  std::int64_t claim_id = 0;
  std::string reviewer;  // must be the claimer
  Verdict verdict = Verdict::kAccept;
  // kCorrect only: the reviewed boxes of every frame that changed; each replaces that frame's
  // pre-labels as a whole. Frames not listed keep their pre-labels.
  std::vector<FramePrelabels> corrections;
  std::string comment;
  std::optional<RejectReason> reject_reason;  // kReject only (the review page always asks)
};

struct Adjudication {
  std::int64_t task_id = 0;
  std::string adjudicator;
  Verdict verdict = Verdict::kAccept;
  std::vector<FramePrelabels> corrections;  // as in Submission
  std::string comment;
  std::optional<RejectReason> reject_reason;
};

// Why the reviews of one task do not agree.
struct Disagreement {
  std::string kind;  // "verdict" (accept vs reject), "class", "box_iou", "missing_box"
  std::string reviewer_a, reviewer_b;
  std::int64_t frame_index = -1;  // -1 for "verdict"
  double iou = 0;                 // bird's-eye-view IoU of the matched boxes ("box_iou")
  std::string detail;             // for a person
};

struct TaskSummary {
  std::int64_t id = 0;
  TaskState state = TaskState::kQueued;
  std::string log_id, log_path, log_format, detectors, options_hash;
  std::int64_t first_frame = 0, last_frame = 0;  // inclusive
  sensors::Timestamp start, end;                 // of the window
  double severity = 0;                           // [0,1]
  std::int64_t peak_frame = 0;  // of the most severe episode: where a reviewer starts looking
  int episodes = -1;            // episodes in the task; -1 for tasks queued before schema 3
  int required_reviews = 1, submitted_reviews = 0, live_claims = 0, skips = 0;
  bool needs_adjudication = false;  // submitted with disagreements
  bool gold = false;  // a resolved task whose verdict and labels check reviewers (MarkGold)
  sensors::Timestamp created, updated;
};

struct ReviewRecord {
  std::int64_t claim_id = 0;
  std::string reviewer;
  ClaimState state = ClaimState::kClaimed;
  sensors::Timestamp claimed, lease_expires;
  std::optional<sensors::Timestamp> finished;  // submitted, released, expired or skipped
  std::optional<Verdict> verdict;              // submitted reviews only
  std::vector<FramePrelabels> corrections;
  std::string comment;  // the review's comment, or the skip reason
  std::optional<RejectReason> reject_reason;
  // A hidden check of the reviewer against a gold task: it never counts towards the task's
  // reviews; `agrees_with_gold` is set once it is submitted.
  bool gold_check = false;
  std::optional<bool> agrees_with_gold;
};

struct TaskDetail {
  TaskSummary summary;
  std::vector<pipeline::Event> events;
  std::vector<FramePrelabels> prelabels;  // every frame of the window, by frame index
  std::vector<ReviewRecord> reviews;      // every claim ever made, oldest first
  std::vector<Disagreement> disagreements;
  // Resolved tasks only: the decided verdict and, unless rejected, every frame's final labels
  // (pre-labels with the accepted corrections applied).
  std::optional<Verdict> final_verdict;
  std::vector<FramePrelabels> final_labels;
  std::optional<RejectReason> final_reject_reason;  // rejected tasks: the reviewers' main reason
};

struct TaskFilter {
  std::optional<TaskState> state;
  std::optional<std::string> log_id;
  std::optional<std::string> reviewer;  // tasks this reviewer claimed at some point
  std::int64_t after_id = 0;            // paging: only ids greater than this
  int limit = 100;
};

// One append-only row of the audit trail.
struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t task_id = 0;
  sensors::Timestamp at;
  std::string actor;   // reviewer, adjudicator, "miner" or "system" (lease expiry)
  std::string action;  // "enqueue", "claim", "heartbeat", "submit", "release", "expire", "skip",
                       // "resolve", "adjudicate", "edit_labels"
  std::string from_state, to_state;  // task states; equal when the action did not change it
  std::string details_json;          // what changed, e.g. the boxes before and after an edit
};

struct QueueStats {
  std::int64_t tasks = 0;
  std::int64_t queued = 0, claimed = 0, submitted = 0, accepted = 0, corrected = 0, rejected = 0,
               skipped = 0;
  std::int64_t needs_adjudication = 0;
  std::int64_t live_claims = 0;     // leases not yet expired
  std::int64_t expired_claims = 0;  // leases past expiry that no one has returned yet
  std::int64_t mined_logs = 0;
  int schema_version = 0;
  std::string backend;  // "sqlite" or "postgresql"
};

struct ReviewerStats {
  std::string reviewer;
  // Every claim, gold checks included.
  std::int64_t claims = 0, submitted = 0, accepted = 0, corrected = 0, rejected = 0, skipped = 0,
               expired = 0;
  // Over this reviewer's submitted reviews of tasks with k >= 2 whose reviews are all in: how many
  // agreed with every co-reviewer (no disagreement names this reviewer).
  std::int64_t compared = 0, agreed = 0;
  double agreement_rate = 0;  // agreed / compared, 0 when nothing was compared
  // Over this reviewer's submitted gold checks: how many agreed with the gold verdict and labels.
  std::int64_t gold_compared = 0, gold_agreed = 0;
  double gold_agreement_rate = 0;  // gold_agreed / gold_compared, 0 when none
};

}  // namespace longtail::labeling
