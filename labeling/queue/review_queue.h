// The review queue: flagged windows waiting for, and going through, human review.
//
// Life cycle of a task (TaskState):
//   queued ──Claim──► claimed ──Submit──► … ──► submitted ──Adjudicate──►
//   accepted|corrected|rejected
//      ▲                 │ Release / lease expiry / Skip           (only on disagreement)
//      └─────────────────┘
// A task needs `required_reviews` (k) independent submitted reviews. While fewer than k are in and
// a slot is free it is `queued` (claimable); when every slot is taken by a live claim or a
// submitted review it is `claimed`. When the k-th review is submitted the reviews are compared: if
// they agree the task resolves at once (all reject → rejected; any correction → corrected; else
// accepted); if not, it stays `submitted` with its disagreements listed until an adjudicator
// decides. A task skipped `max_skips` times becomes `skipped`. Every state change and label edit
// appends an audit row.
//
// One ReviewQueue object is one database connection: use one per thread (any number per process).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "labeling/queue/queue_options.pb.h"
#include "labeling/queue/queue_types.h"
#include "pipeline/types.h"
#include "sensors/box3d.h"

namespace longtail::labeling {

// What mining hands to the queue: one flagged window of one log.
struct TaskDraft {
  std::string log_id;      // stable id of the log (LogInfo::log_id)
  std::string log_path;    // where the source log was read from (a pointer, never a copy)
  std::string log_format;  // "kitti-raw", "mcap", ...
  std::string detectors;  // sorted, comma-separated names of the detectors that fired in the window
  std::string options_hash;                      // hash of the effective run options
  std::int64_t first_frame = 0, last_frame = 0;  // inclusive
  sensors::Timestamp start, end;
  double severity = 0;  // max over the window's events, [0,1]
  std::vector<pipeline::Event> events;
  std::vector<FramePrelabels> frames;
};

struct EnqueueResult {
  int inserted = 0;
  int already_present = 0;  // same (log_id, detectors, frame range, options_hash): not added again
};

// A database that cannot be used (corrupt, newer schema, locked, read-only, foreign, unreachable).
// Nothing was written.
class QueueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A request the task's current state does not allow (claim lost to lease expiry, unknown claim, a
// reviewer acting on someone else's claim, adjudicating a task that has no disagreement ...).
// Nothing was written.
class TaskConflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where "now" comes from; tests pass a fake. Defaults to the system clock.
using QueueClock = std::function<sensors::Timestamp()>;

class ReviewQueue {
 public:
  virtual ~ReviewQueue() = default;

  // --- Mining -----------------------------------------------------------------------------------
  // Adds the drafts in one transaction: all or none. Idempotent on the key above.
  virtual EnqueueResult Enqueue(const std::vector<TaskDraft>& drafts) = 0;
  // Enqueue, and in the same transaction record that `log` is mined for its options hash, so a
  // killed worker either left both or neither.
  virtual EnqueueResult EnqueueAndMarkMined(const std::vector<TaskDraft>& drafts,
                                            const MinedLog& log) = 0;
  virtual bool IsMined(const std::string& log_id, const std::string& options_hash) = 0;
  virtual std::int64_t CountTasks() = 0;

  // --- Reviewing
  // ---------------------------------------------------------------------------------- The
  // highest-severity, then oldest, claimable task that `reviewer` has not claimed, reviewed or
  // skipped (severity times novelty under ClaimOrder NOVELTY); nullopt when there is none. Expired
  // leases are returned to the queue first. With a gold rate, that share of the reviewer's claims
  // are gold tasks they have not seen, claimed like any other: a gold check, submitted as usual.
  virtual std::optional<ClaimedTask> Claim(const std::string& reviewer) = 0;
  // Extends a live lease by the lease length; returns the new expiry. TaskConflict when it is lost.
  virtual sensors::Timestamp Heartbeat(std::int64_t claim_id, const std::string& reviewer) = 0;
  // Submits a review on a live claim; returns the task's state afterwards.
  virtual TaskState Submit(const Submission& submission) = 0;
  // Gives a claimed task back without reviewing it; the reviewer may claim it again later.
  virtual void Release(std::int64_t claim_id, const std::string& reviewer) = 0;
  // Gives a claimed task back for good: this reviewer will not be offered it again.
  virtual TaskState Skip(std::int64_t claim_id, const std::string& reviewer,
                         const std::string& reason) = 0;
  // Returns every task whose lease has expired to the queue; returns how many claims expired.
  virtual int RequeueExpired() = 0;
  // Decides a `submitted` task whose reviews disagree.
  virtual TaskState Adjudicate(const Adjudication& adjudication) = 0;
  // Makes a resolved (accepted, corrected or rejected) task gold: its final verdict and labels
  // become the answer that hidden gold checks (QueueOptions.gold_rate) compare reviewers with.
  // TaskConflict for an unresolved or skipped task.
  virtual void MarkGold(std::int64_t task_id, const std::string& actor) = 0;

  // --- Reading (the review page and the exporters are built on these) ---------------------------
  virtual QueueStats Stats() = 0;
  // Summaries matching `filter`, ordered by id.
  virtual std::vector<TaskSummary> ListTasks(const TaskFilter& filter) = 0;
  // Everything about one task: events, every frame's pre-labels, reviews with their corrections,
  // disagreements and (once resolved) the final labels. nullopt for an unknown id.
  virtual std::optional<TaskDetail> GetTask(std::int64_t task_id) = 0;
  // The task's audit trail, oldest first.
  virtual std::vector<AuditEntry> AuditTrail(std::int64_t task_id) = 0;
  // Per reviewer: reviews, verdicts, and agreement with co-reviewers on multi-review tasks.
  virtual std::vector<ReviewerStats> ReviewerAgreement() = 0;

  // --- Accounts (who may use the review server) ----------------------------------------------
  // Adds an account; returns its id. `token_hash` is stored as given (hash it first: the queue
  // never sees a token). TaskConflict when the name is taken (disabled accounts keep theirs).
  virtual std::int64_t AddReviewer(const std::string& name, ReviewerRole role,
                                   const std::string& token_hash) = 0;
  // Every account, by id.
  virtual std::vector<ReviewerAccount> ListReviewers() = 0;
  // The account with this id (a token's lookup id); nullopt when there is none.
  virtual std::optional<ReviewerAccount> FindReviewer(std::int64_t id) = 0;
  // Disables the account for good: its token stops working. TaskConflict for an unknown name.
  virtual void DisableReviewer(const std::string& name) = 0;
  // How many accounts exist, disabled ones included.
  virtual std::int64_t CountReviewers() = 0;
};

// The schema version this build writes; older databases are migrated on open.
inline constexpr int kQueueSchemaVersion = 5;

// "sqlite:///abs/path.db", "sqlite://rel.db", a plain path, or "postgresql://..." ("postgres://").
// Throws QueueError when the database cannot be used; nothing is written then.
std::unique_ptr<ReviewQueue> OpenQueue(const std::string& url);
std::unique_ptr<ReviewQueue> OpenQueue(const std::string& url, const proto::QueueOptions& options,
                                       QueueClock clock = nullptr);
// The URL with any password replaced by "***", for printing.
std::string RedactedQueueUrl(const std::string& url);

}  // namespace longtail::labeling
