// ReviewQueue over sql::Connection: one implementation, one set of queries, two backends. The only
// differences between SQLite and PostgreSQL are the id column type, row locks (SQLite serialises
// writers with BEGIN IMMEDIATE, PostgreSQL claims with FOR UPDATE SKIP LOCKED) and how the
// catalogue is read.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>

#include "labeling/queue/consensus.h"
#include "labeling/queue/novelty.h"
#include "labeling/queue/queue_json.h"
#include "labeling/queue/review_queue.h"
#include "labeling/queue/sql_connection.h"

namespace longtail::labeling {
namespace {

using sql::Dialect;
using sql::Row;
using sql::Value;

// Schema steps; step i takes a database from version i to i + 1. {ID} is the auto-increment key.
const char* const kSchemaV1 = R"SQL(
CREATE TABLE longtail_schema (version INTEGER NOT NULL);
CREATE TABLE tasks (
  id {ID},
  log_id TEXT NOT NULL,
  log_path TEXT NOT NULL,
  log_format TEXT NOT NULL,
  detectors TEXT NOT NULL,
  options_hash TEXT NOT NULL,
  first_frame BIGINT NOT NULL,
  last_frame BIGINT NOT NULL,
  start_ns BIGINT NOT NULL,
  end_ns BIGINT NOT NULL,
  severity DOUBLE PRECISION NOT NULL,
  events_json TEXT NOT NULL,
  state TEXT NOT NULL,
  required_reviews INTEGER NOT NULL,
  reviews_done INTEGER NOT NULL DEFAULT 0,
  active_claims INTEGER NOT NULL DEFAULT 0,
  skips INTEGER NOT NULL DEFAULT 0,
  created_ns BIGINT NOT NULL,
  updated_ns BIGINT NOT NULL,
  final_verdict TEXT,
  final_labels_json TEXT,
  disagreements_json TEXT NOT NULL DEFAULT '[]',
  UNIQUE (log_id, detectors, first_frame, last_frame, options_hash)
);
CREATE INDEX tasks_claim_order ON tasks (state, severity DESC, created_ns, id);
CREATE TABLE task_frames (
  task_id BIGINT NOT NULL REFERENCES tasks (id),
  frame_index BIGINT NOT NULL,
  stamp_ns BIGINT NOT NULL,
  boxes_json TEXT NOT NULL,
  PRIMARY KEY (task_id, frame_index)
);
CREATE TABLE reviews (
  id {ID},
  task_id BIGINT NOT NULL REFERENCES tasks (id),
  reviewer TEXT NOT NULL,
  state TEXT NOT NULL,
  claimed_ns BIGINT NOT NULL,
  lease_expires_ns BIGINT NOT NULL,
  finished_ns BIGINT,
  verdict TEXT,
  corrections_json TEXT,
  comment TEXT,
  agrees INTEGER
);
CREATE INDEX reviews_by_task ON reviews (task_id, reviewer);
CREATE INDEX reviews_by_lease ON reviews (state, lease_expires_ns);
CREATE TABLE audit (
  id {ID},
  task_id BIGINT NOT NULL,
  at_ns BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  details_json TEXT NOT NULL
);
CREATE INDEX audit_by_task ON audit (task_id, id);
)SQL";

// The audit trail refuses edits and deletions in the database itself, not only in this code.
const char* const kAppendOnlySqlite = R"SQL(
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
)SQL";
const char* const kAppendOnlyPostgres = R"SQL(
CREATE FUNCTION longtail_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'audit rows are append-only'; END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION longtail_audit_append_only();
)SQL";

// Version 2: the mined-logs ledger for sharded mining.
const char* const kSchemaV2 = R"SQL(
CREATE TABLE mined_logs (
  log_id TEXT NOT NULL,
  options_hash TEXT NOT NULL,
  log_path TEXT NOT NULL,
  tasks BIGINT NOT NULL,
  done_ns BIGINT NOT NULL,
  PRIMARY KEY (log_id, options_hash)
);
)SQL";

// Version 3: episodes. A task's events are episodes (first, peak and last frame); the task keeps
// how many and the peak frame of its most severe one, where a reviewer starts looking. Tasks
// queued before have no episode count, and their peak is their first frame.
const char* const kSchemaV3 = R"SQL(
ALTER TABLE tasks ADD COLUMN peak_frame BIGINT;
ALTER TABLE tasks ADD COLUMN episodes INTEGER;
UPDATE tasks SET peak_frame = first_frame WHERE peak_frame IS NULL;
)SQL";

// Version 4: what reviews teach. Why a task was rejected (per review and, once resolved, per
// task), gold tasks that check reviewers, and hidden gold-check claims that never count towards a
// task's reviews.
const char* const kSchemaV4 = R"SQL(
ALTER TABLE reviews ADD COLUMN reject_reason TEXT;
ALTER TABLE reviews ADD COLUMN gold_check INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN agrees_gold INTEGER;
ALTER TABLE tasks ADD COLUMN reject_reason TEXT;
ALTER TABLE tasks ADD COLUMN gold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN features_json TEXT;
CREATE INDEX tasks_gold ON tasks (gold, id);
)SQL";

// Version 5: reviewer accounts for the review server. A token is "<id>.<secret>"; only a password
// hash of the secret is kept. Names are unique so the audit trail's actor names one account.
const char* const kSchemaV5 = R"SQL(
CREATE TABLE reviewers (
  id {ID},
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_ns BIGINT NOT NULL,
  disabled_ns BIGINT
);
)SQL";

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

const char* const kSummaryColumns =
    "id, state, log_id, log_path, log_format, detectors, options_hash, first_frame, last_frame, "
    "start_ns, end_ns, severity, required_reviews, reviews_done, active_claims, skips, created_ns, "
    "updated_ns, peak_frame, episodes, gold";

// PostgreSQL's claim in one statement (see ClaimInOneStatement): the same choice, counters and
// audit row as the transactional claim. `stale` says whether any lease has expired; then nothing is
// claimed and the caller expires leases first. Parameters: now, reviewer, reviewer, now, expiry,
// now, max_skips, now, reviewer, expiry.
const char* const kClaimStatement = R"SQL(
WITH stale AS (
  SELECT COUNT(*) AS n FROM (SELECT 1 FROM reviews WHERE state = 'claimed'
    AND lease_expires_ns < ?::bigint LIMIT 1) AS any_expired
), pick AS (
  SELECT t.id, t.required_reviews, t.reviews_done, t.active_claims, t.skips FROM tasks t
  WHERE t.state = 'queued' AND (SELECT n FROM stale) = 0 AND NOT EXISTS (
    SELECT 1 FROM reviews r WHERE r.task_id = t.id AND r.reviewer = ?::text
      AND r.state IN ('claimed', 'submitted', 'skipped'))
  ORDER BY t.severity DESC, t.created_ns ASC, t.id ASC LIMIT 1 FOR UPDATE SKIP LOCKED
), claim AS (
  INSERT INTO reviews (task_id, reviewer, state, claimed_ns, lease_expires_ns)
  SELECT id, ?::text, 'claimed', ?::bigint, ?::bigint FROM pick RETURNING id, task_id
), counted AS (
  UPDATE tasks t SET active_claims = t.active_claims + 1, updated_ns = ?::bigint,
    state = CASE WHEN pick.active_claims + 1 + pick.reviews_done >= pick.required_reviews
                   OR pick.skips >= ?::bigint THEN 'claimed' ELSE 'queued' END
  FROM pick WHERE t.id = pick.id RETURNING t.id, t.state
), audited AS (
  INSERT INTO audit (task_id, at_ns, actor, action, from_state, to_state, details_json)
  SELECT claim.task_id, ?::bigint, ?::text, 'claim', 'queued', counted.state,
    '{"claim_id":"' || claim.id || '","lease_expires_ns":"' || ?::bigint || '"}'
  FROM claim JOIN counted ON counted.id = claim.task_id
)
SELECT stale.n, claim.id, claim.task_id FROM stale LEFT JOIN claim ON true
)SQL";

TaskSummary SummaryFrom(const Row& r) {
  TaskSummary s;
  s.id = r.Int(0);
  s.state = ParseTaskState(r.Text(1)).value_or(TaskState::kQueued);
  s.log_id = r.Text(2);
  s.log_path = r.Text(3);
  s.log_format = r.Text(4);
  s.detectors = r.Text(5);
  s.options_hash = r.Text(6);
  s.first_frame = r.Int(7);
  s.last_frame = r.Int(8);
  s.start = sensors::FromNanos(r.Int(9));
  s.end = sensors::FromNanos(r.Int(10));
  s.severity = r.Double(11);
  s.required_reviews = static_cast<int>(r.Int(12));
  s.submitted_reviews = static_cast<int>(r.Int(13));
  s.live_claims = static_cast<int>(r.Int(14));
  s.skips = static_cast<int>(r.Int(15));
  s.needs_adjudication = s.state == TaskState::kSubmitted;
  s.created = sensors::FromNanos(r.Int(16));
  s.updated = sensors::FromNanos(r.Int(17));
  s.peak_frame = r.IsNull(18) ? s.first_frame : r.Int(18);
  s.episodes = r.IsNull(19) ? -1 : static_cast<int>(r.Int(19));
  s.gold = r.Int(20) != 0;
  return s;
}

// The peak frame of the draft's most severe episode (its first frame when it has none).
std::int64_t PeakFrame(const TaskDraft& d) {
  const auto worst = std::max_element(
      d.events.begin(), d.events.end(),
      [](const pipeline::Event& a, const pipeline::Event& b) { return a.severity < b.severity; });
  return worst == d.events.end() ? d.first_frame : worst->peak_frame;
}

TaskState StateOf(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccept:
      return TaskState::kAccepted;
    case Verdict::kCorrect:
      return TaskState::kCorrected;
    case Verdict::kReject:
      return TaskState::kRejected;
  }
  return TaskState::kAccepted;
}

// A reject reason for the database: only rejections carry one.
Value ReasonValue(Verdict verdict, const std::optional<RejectReason>& reason) {
  if (verdict != Verdict::kReject || !reason) return Value();
  return Value(std::string(ToString(*reason)));
}

// The reason most reviews gave (the first of equals), or NULL when none gave one.
Value MostCommon(const std::vector<std::string>& reasons) {
  std::string best;
  long best_count = 0;
  for (const auto& r : reasons) {
    const long n = std::count(reasons.begin(), reasons.end(), r);
    if (n > best_count) {
      best = r;
      best_count = n;
    }
  }
  return best_count > 0 ? Value(best) : Value();
}

std::string Str(TaskState state) { return std::string(ToString(state)); }
std::string Str(ClaimState state) { return std::string(ToString(state)); }
std::string Str(Verdict verdict) { return std::string(ToString(verdict)); }

// The counters that decide an unresolved task's state.
struct Counters {
  TaskState state = TaskState::kQueued;
  int required = 1, done = 0, active = 0, skips = 0;
};

class SqlReviewQueue final : public ReviewQueue {
 public:
  SqlReviewQueue(std::unique_ptr<sql::Connection> db, const proto::QueueOptions& options,
                 QueueClock clock)
      : db_(std::move(db)), options_(options), clock_(std::move(clock)) {
    if (!clock_)
      clock_ = [] {
        return std::chrono::time_point_cast<sensors::Duration>(std::chrono::system_clock::now());
      };
    lock_ = db_->dialect() == Dialect::kPostgres ? " FOR UPDATE" : "";
    skip_locked_ = db_->dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
    Open();
  }

  // --- Mining -----------------------------------------------------------------------------------
  EnqueueResult Enqueue(const std::vector<TaskDraft>& drafts) override {
    return Write([&] { return Insert(drafts, Now()); });
  }

  EnqueueResult EnqueueAndMarkMined(const std::vector<TaskDraft>& drafts,
                                    const MinedLog& log) override {
    return Write([&] {
      const std::int64_t now = Now();
      EnqueueResult result = Insert(drafts, now);
      db_->Query(
          "INSERT INTO mined_logs (log_id, options_hash, log_path, tasks, done_ns) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (log_id, options_hash) DO NOTHING",
          {log.log_id, log.options_hash, log.log_path, log.tasks, now});
      return result;
    });
  }

  bool IsMined(const std::string& log_id, const std::string& options_hash) override {
    return Read([&] {
      return !db_->Query("SELECT 1 FROM mined_logs WHERE log_id = ? AND options_hash = ?",
                         {log_id, options_hash})
                  .empty();
    });
  }

  std::int64_t CountTasks() override {
    return Read([&] { return db_->Query("SELECT COUNT(*) FROM tasks").at(0).Int(0); });
  }

  // --- Reviewing
  // ----------------------------------------------------------------------------------
  std::optional<ClaimedTask> Claim(const std::string& reviewer) override {
    const bool by_severity = options_.claim_order() == proto::QueueOptions::SEVERITY;
    if (db_->dialect() == Dialect::kPostgres && by_severity && options_.gold_rate() <= 0) {
      if (const auto decided = ClaimInOneStatement(reviewer)) return *decided;
    }
    return Write([&]() -> std::optional<ClaimedTask> {
      const std::int64_t now = Now();
      ExpireLeases(now);
      if (GoldCheckIsDue(reviewer)) {
        if (auto gold = ClaimGold(reviewer, now)) return gold;
      }
      const auto candidates = by_severity ? NextBySeverity(reviewer) : NextByNovelty(reviewer);
      if (candidates.empty()) return std::nullopt;
      ClaimedTask claim;
      claim.task_id = candidates[0].Int(0);
      const std::int64_t expires = now + LeaseNanos();
      claim.claim_id = db_->Query(
                              "INSERT INTO reviews (task_id, reviewer, state, claimed_ns, "
                              "lease_expires_ns) VALUES (?, ?, 'claimed', ?, ?) RETURNING id",
                              {claim.task_id, reviewer, now, expires})
                           .at(0)
                           .Int(0);
      claim.lease_expires = sensors::FromNanos(expires);
      // The candidate row is locked (PostgreSQL) or the database is (SQLite): its counters are
      // current, no need to read them again.
      Counters c = CountersFrom(candidates[0], 1);
      const TaskState before = c.state;
      c.active += 1;
      StoreCounters(claim.task_id, c, now);
      Audit(claim.task_id, now, reviewer, "claim", before, c.state,
            json::Object({{"claim_id", std::to_string(claim.claim_id)},
                          {"lease_expires_ns", std::to_string(expires)}}));
      return claim;
    });
  }

  sensors::Timestamp Heartbeat(std::int64_t claim_id, const std::string& reviewer) override {
    return Write([&] {
      const std::int64_t now = Now();
      LiveClaim(claim_id, reviewer, now);
      const std::int64_t expires = now + LeaseNanos();
      db_->Query("UPDATE reviews SET lease_expires_ns = ? WHERE id = ?", {expires, claim_id});
      return sensors::FromNanos(expires);
    });
  }

  TaskState Submit(const Submission& submission) override {
    if (submission.verdict == Verdict::kCorrect && submission.corrections.empty()) {
      throw TaskConflict("a 'correct' verdict needs at least one corrected frame");
    }
    return Write([&] {
      const std::int64_t now = Now();
      const LiveClaimInfo claim = LiveClaim(submission.claim_id, submission.reviewer, now);
      const std::int64_t task_id = claim.task_id;
      db_->Query(
          "UPDATE reviews SET state = 'submitted', finished_ns = ?, verdict = ?, "
          "corrections_json = ?, comment = ?, reject_reason = ? WHERE id = ?",
          {now, Str(submission.verdict), json::FramesToJson(submission.corrections),
           submission.comment, ReasonValue(submission.verdict, submission.reject_reason),
           submission.claim_id});
      if (claim.gold_check) return SubmitGoldCheck(task_id, submission, now);
      Counters c = LoadCounters(task_id);
      const TaskState before = c.state;
      c.active -= 1;
      c.done += 1;
      AuditLabelEdits(task_id, now, submission.reviewer, before, submission.corrections);
      if (c.done < c.required) {
        StoreCounters(task_id, c, now);
        Audit(task_id, now, submission.reviewer, "submit", before, c.state,
              json::Object({{"claim_id", std::to_string(submission.claim_id)},
                            {"verdict", Str(submission.verdict)}}));
        return c.state;
      }
      return ResolveByConsensus(task_id, c, now, submission, before);
    });
  }

  void MarkGold(std::int64_t task_id, const std::string& actor) override {
    Write([&] {
      const std::int64_t now = Now();
      const Counters c = LoadCounters(task_id);
      if (!IsResolved(c.state) || c.state == TaskState::kSkipped) {
        throw TaskConflict("task " + std::to_string(task_id) + " is " + Str(c.state) +
                           ": only an accepted, corrected or rejected task can be gold");
      }
      db_->Query("UPDATE tasks SET gold = 1 WHERE id = ?", {task_id});
      Audit(task_id, now, actor, "mark_gold", c.state, c.state, "{}");
    });
  }

  void Release(std::int64_t claim_id, const std::string& reviewer) override {
    Write([&] { EndClaim(claim_id, reviewer, ClaimState::kReleased, "release", ""); });
  }

  TaskState Skip(std::int64_t claim_id, const std::string& reviewer,
                 const std::string& reason) override {
    return Write(
        [&] { return EndClaim(claim_id, reviewer, ClaimState::kSkipped, "skip", reason); });
  }

  int RequeueExpired() override {
    return Write([&] { return ExpireLeases(Now()); });
  }

  TaskState Adjudicate(const Adjudication& a) override {
    if (a.verdict == Verdict::kCorrect && a.corrections.empty()) {
      throw TaskConflict("a 'correct' verdict needs at least one corrected frame");
    }
    return Write([&] {
      const std::int64_t now = Now();
      Counters c = LoadCounters(a.task_id);
      if (c.state != TaskState::kSubmitted) {
        throw TaskConflict("task " + std::to_string(a.task_id) + " is " + Str(c.state) +
                           ", not submitted with disagreements: nothing to adjudicate");
      }
      const TaskState before = c.state;
      c.state = StateOf(a.verdict);
      const auto labels = a.verdict == Verdict::kReject
                              ? std::vector<FramePrelabels>{}
                              : ApplyCorrections(LoadPrelabels(a.task_id), a.corrections);
      AuditLabelEdits(a.task_id, now, a.adjudicator, before, a.corrections);
      db_->Query(
          "UPDATE tasks SET state = ?, final_verdict = ?, final_labels_json = ?, updated_ns = ?, "
          "reject_reason = ? WHERE id = ?",
          {Str(c.state), Str(a.verdict), json::FramesToJson(labels), now,
           ReasonValue(a.verdict, a.reject_reason), a.task_id});
      Audit(a.task_id, now, a.adjudicator, "adjudicate", before, c.state,
            json::Object({{"verdict", Str(a.verdict)}, {"comment", a.comment}}));
      return c.state;
    });
  }

  // --- Reading
  // ------------------------------------------------------------------------------------
  QueueStats Stats() override {
    return Read([&] {
      QueueStats s;
      s.backend = db_->dialect() == Dialect::kPostgres ? "postgresql" : "sqlite";
      s.schema_version = kQueueSchemaVersion;
      for (const Row& r : db_->Query("SELECT state, COUNT(*) FROM tasks GROUP BY state")) {
        const std::int64_t n = r.Int(1);
        s.tasks += n;
        switch (ParseTaskState(r.Text(0)).value_or(TaskState::kQueued)) {
          case TaskState::kQueued:
            s.queued += n;
            break;
          case TaskState::kClaimed:
            s.claimed += n;
            break;
          case TaskState::kSubmitted:
            s.submitted += n;
            break;
          case TaskState::kAccepted:
            s.accepted += n;
            break;
          case TaskState::kCorrected:
            s.corrected += n;
            break;
          case TaskState::kRejected:
            s.rejected += n;
            break;
          case TaskState::kSkipped:
            s.skipped += n;
            break;
        }
      }
      s.needs_adjudication = s.submitted;
      const std::int64_t now = Now();
      const Row claims =
          db_->Query(
                 "SELECT COALESCE(SUM(CASE WHEN lease_expires_ns >= ? THEN 1 ELSE 0 END), 0), "
                 "COALESCE(SUM(CASE WHEN lease_expires_ns < ? THEN 1 ELSE 0 END), 0) FROM reviews "
                 "WHERE state = 'claimed'",
                 {now, now})
              .at(0);
      s.live_claims = claims.Int(0);
      s.expired_claims = claims.Int(1);
      s.mined_logs = db_->Query("SELECT COUNT(*) FROM mined_logs").at(0).Int(0);
      return s;
    });
  }

  std::vector<TaskSummary> ListTasks(const TaskFilter& filter) override {
    return Read([&] {
      std::string sql = std::string("SELECT ") + kSummaryColumns + " FROM tasks WHERE id > ?";
      std::vector<Value> params{filter.after_id};
      if (filter.state) {
        sql += " AND state = ?";
        params.emplace_back(Str(*filter.state));
      }
      if (filter.log_id) {
        sql += " AND log_id = ?";
        params.emplace_back(*filter.log_id);
      }
      if (filter.reviewer) {
        sql += " AND id IN (SELECT task_id FROM reviews WHERE reviewer = ?)";
        params.emplace_back(*filter.reviewer);
      }
      sql += " ORDER BY id LIMIT ?";
      params.emplace_back(static_cast<std::int64_t>(std::max(filter.limit, 0)));
      std::vector<TaskSummary> out;
      for (const Row& r : db_->Query(sql, params)) out.push_back(SummaryFrom(r));
      return out;
    });
  }

  std::optional<TaskDetail> GetTask(std::int64_t task_id) override {
    return Read([&]() -> std::optional<TaskDetail> {
      const auto rows = db_->Query(std::string("SELECT ") + kSummaryColumns +
                                       ", events_json, final_verdict, final_labels_json, "
                                       "disagreements_json, reject_reason FROM tasks WHERE id = ?",
                                   {task_id});
      if (rows.empty()) return std::nullopt;
      const Row& r = rows[0];
      TaskDetail d;
      d.summary = SummaryFrom(r);
      d.events = json::EventsFromJson(r.Text(21));
      if (!r.IsNull(22)) d.final_verdict = ParseVerdict(r.Text(22));
      if (!r.IsNull(23)) d.final_labels = json::FramesFromJson(r.Text(23));
      d.disagreements = json::DisagreementsFromJson(r.Text(24));
      if (!r.IsNull(25)) d.final_reject_reason = ParseRejectReason(r.Text(25));
      d.prelabels = LoadPrelabels(task_id);
      for (const Row& v : db_->Query(
               "SELECT id, reviewer, state, claimed_ns, lease_expires_ns, finished_ns, verdict, "
               "corrections_json, comment, reject_reason, gold_check, agrees_gold FROM reviews "
               "WHERE task_id = ? ORDER BY id",
               {task_id})) {
        ReviewRecord rec;
        rec.claim_id = v.Int(0);
        rec.reviewer = v.Text(1);
        rec.state = ParseClaimState(v.Text(2)).value_or(ClaimState::kClaimed);
        rec.claimed = sensors::FromNanos(v.Int(3));
        rec.lease_expires = sensors::FromNanos(v.Int(4));
        if (!v.IsNull(5)) rec.finished = sensors::FromNanos(v.Int(5));
        if (!v.IsNull(6)) rec.verdict = ParseVerdict(v.Text(6));
        rec.corrections = json::FramesFromJson(v.Text(7));
        rec.comment = v.Text(8);
        if (!v.IsNull(9)) rec.reject_reason = ParseRejectReason(v.Text(9));
        rec.gold_check = v.Int(10) != 0;
        if (!v.IsNull(11)) rec.agrees_with_gold = v.Int(11) != 0;
        d.reviews.push_back(std::move(rec));
      }
      return d;
    });
  }

  std::vector<AuditEntry> AuditTrail(std::int64_t task_id) override {
    return Read([&] {
      std::vector<AuditEntry> out;
      for (const Row& r : db_->Query(
               "SELECT id, task_id, at_ns, actor, action, from_state, to_state, details_json "
               "FROM audit WHERE task_id = ? ORDER BY id",
               {task_id})) {
        out.push_back({r.Int(0), r.Int(1), sensors::FromNanos(r.Int(2)), r.Text(3), r.Text(4),
                       r.Text(5), r.Text(6), r.Text(7)});
      }
      return out;
    });
  }

  std::vector<ReviewerStats> ReviewerAgreement() override {
    return Read([&] {
      std::vector<ReviewerStats> out;
      for (const Row& r : db_->Query("SELECT reviewer, COUNT(*), "
                                     "SUM(CASE WHEN state = 'submitted' THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN verdict = 'accept' THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN verdict = 'correct' THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN verdict = 'reject' THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN state = 'skipped' THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN state = 'expired' THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN agrees IS NOT NULL THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN agrees = 1 THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN agrees_gold IS NOT NULL THEN 1 ELSE 0 END), "
                                     "SUM(CASE WHEN agrees_gold = 1 THEN 1 ELSE 0 END) "
                                     "FROM reviews GROUP BY reviewer ORDER BY reviewer")) {
        ReviewerStats s;
        s.reviewer = r.Text(0);
        s.claims = r.Int(1);
        s.submitted = r.Int(2);
        s.accepted = r.Int(3);
        s.corrected = r.Int(4);
        s.rejected = r.Int(5);
        s.skipped = r.Int(6);
        s.expired = r.Int(7);
        s.compared = r.Int(8);
        s.agreed = r.Int(9);
        s.gold_compared = r.Int(10);
        s.gold_agreed = r.Int(11);
        s.gold_agreement_rate = s.gold_compared > 0 ? static_cast<double>(s.gold_agreed) /
                                                          static_cast<double>(s.gold_compared)
                                                    : 0;
        s.agreement_rate =
            s.compared > 0 ? static_cast<double>(s.agreed) / static_cast<double>(s.compared) : 0;
        out.push_back(std::move(s));
      }
      return out;
    });
  }

  // --- Accounts
  // ----------------------------------------------------------------------------------
  std::int64_t AddReviewer(const std::string& name, ReviewerRole role,
                           const std::string& token_hash) override {
    return Write([&] {
      const auto rows = db_->Query(
          "INSERT INTO reviewers (name, role, token_hash, created_ns) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (name) DO NOTHING RETURNING id",
          {name, std::string(ToString(role)), token_hash, Now()});
      if (rows.empty()) throw TaskConflict("a reviewer named '" + name + "' already exists");
      return rows[0].Int(0);
    });
  }

  std::vector<ReviewerAccount> ListReviewers() override {
    return Read([&] {
      std::vector<ReviewerAccount> out;
      for (const Row& r :
           db_->Query(std::string("SELECT ") + kAccountColumns + " FROM reviewers ORDER BY id")) {
        out.push_back(AccountFrom(r));
      }
      return out;
    });
  }

  std::optional<ReviewerAccount> FindReviewer(std::int64_t id) override {
    return Read([&]() -> std::optional<ReviewerAccount> {
      const auto rows = db_->Query(
          std::string("SELECT ") + kAccountColumns + " FROM reviewers WHERE id = ?", {id});
      if (rows.empty()) return std::nullopt;
      return AccountFrom(rows[0]);
    });
  }

  void DisableReviewer(const std::string& name) override {
    Write([&] {
      const auto rows = db_->Query(
          "UPDATE reviewers SET disabled = 1, disabled_ns = COALESCE(disabled_ns, ?) "
          "WHERE name = ? RETURNING id",
          {Now(), name});
      if (rows.empty()) throw TaskConflict("no reviewer named '" + name + "'");
    });
  }

  std::int64_t CountReviewers() override {
    return Read([&] { return db_->Query("SELECT COUNT(*) FROM reviewers").at(0).Int(0); });
  }

 private:
  static constexpr const char* kAccountColumns = "id, name, role, token_hash, disabled, created_ns";
  static ReviewerAccount AccountFrom(const Row& r) {
    ReviewerAccount a;
    a.id = r.Int(0);
    a.name = r.Text(1);
    // An unknown role (written by a newer longtail) gets the least rights, never more.
    a.role = ParseReviewerRole(r.Text(2)).value_or(ReviewerRole::kReviewer);
    a.token_hash = r.Text(3);
    a.disabled = r.Int(4) != 0;
    a.created = sensors::FromNanos(r.Int(5));
    return a;
  }

  std::int64_t Now() const { return sensors::ToNanos(clock_()); }
  std::int64_t LeaseNanos() const { return sensors::FromSeconds(options_.lease_s()).count(); }

  // --- Opening and migrations -----------------------------------------------------------------
  std::vector<std::string> TableNames() {
    const char* sql = db_->dialect() == Dialect::kSqlite
                          ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                          : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                            "current_schema() ORDER BY table_name";
    std::vector<std::string> names;
    for (const Row& r : db_->Query(sql)) names.push_back(r.Text(0));
    return names;
  }

  // 0 for an empty database; throws for a foreign one.
  int SchemaVersion() {
    const auto tables = TableNames();
    if (tables.empty()) return 0;
    if (std::find(tables.begin(), tables.end(), "longtail_schema") == tables.end()) {
      std::string list;
      for (std::size_t i = 0; i < tables.size() && i < 5; ++i) list += (i ? ", " : "") + tables[i];
      throw QueueError(db_->Describe() + ": not a longtail review queue (it holds tables " + list +
                       (tables.size() > 5 ? ", ..." : "") + " but no longtail_schema)");
    }
    const auto rows = db_->Query("SELECT version FROM longtail_schema");
    if (rows.size() != 1) {
      throw QueueError(db_->Describe() + ": damaged review queue: longtail_schema has " +
                       std::to_string(rows.size()) + " rows instead of 1");
    }
    return static_cast<int>(rows[0].Int(0));
  }

  void CheckNotNewer(int version) {
    if (version > kQueueSchemaVersion) {
      throw QueueError(db_->Describe() + ": the queue's schema version " + std::to_string(version) +
                       " is newer than this longtail supports (" +
                       std::to_string(kQueueSchemaVersion) + "); upgrade longtail to use it");
    }
  }

  void Migrate(int from) {
    const bool sqlite = db_->dialect() == Dialect::kSqlite;
    const std::string id = sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
    if (from < 1) {
      db_->Script(ReplaceAll(kSchemaV1, "{ID}", id));
      db_->Script(sqlite ? kAppendOnlySqlite : kAppendOnlyPostgres);
      db_->Query("INSERT INTO longtail_schema (version) VALUES (1)");
    }
    if (from < 2) db_->Script(kSchemaV2);
    if (from < 3) db_->Script(kSchemaV3);
    if (from < 4) db_->Script(kSchemaV4);
    if (from < 5) db_->Script(ReplaceAll(kSchemaV5, "{ID}", id));
    db_->Query("UPDATE longtail_schema SET version = ?",
               {static_cast<std::int64_t>(kQueueSchemaVersion)});
  }

  void Open() {
    try {
      const bool sqlite = db_->dialect() == Dialect::kSqlite;
      if (sqlite && options_.verify_on_open()) {
        const auto check = db_->Query("PRAGMA quick_check");
        if (check.empty() || check[0].Text(0) != "ok") {
          throw QueueError(db_->Describe() + ": the SQLite file is corrupt (quick_check: " +
                           (check.empty() ? std::string("no answer") : check[0].Text(0)) + ")");
        }
      }
      if (options_.read_only()) {
        db_->BeginRead();
        const int version = SchemaVersion();
        db_->Commit();
        CheckNotNewer(version);
        if (version != kQueueSchemaVersion) {
          throw QueueError(db_->Describe() + ": " +
                           (version == 0 ? std::string("not a longtail review queue (empty)")
                                         : "schema version " + std::to_string(version) +
                                               " needs a migration, which read-only mode forbids"));
        }
        return;
      }
      // Look before taking the write lock so that a foreign or newer file is refused untouched.
      const int seen = SchemaVersion();
      CheckNotNewer(seen);
      if (sqlite) {
        db_->Script("PRAGMA journal_mode = WAL");
        // NORMAL is durable against a killed process in WAL mode; only power loss can drop the
        // last commits, never corrupt the file.
        db_->Script("PRAGMA synchronous = NORMAL");
        db_->Script("PRAGMA foreign_keys = ON");
      }
      if (seen == kQueueSchemaVersion) return;
      db_->BeginWrite();
      try {
        if (!sqlite) db_->Query("SELECT pg_advisory_xact_lock(7411017)");
        const int version = SchemaVersion();  // another process may have migrated meanwhile
        CheckNotNewer(version);
        if (version < kQueueSchemaVersion) Migrate(version);
        db_->Commit();
      } catch (...) {
        db_->Rollback();
        throw;
      }
    } catch (const sql::Error& e) {
      throw Translate(e);
    }
  }

  // --- Transactions -----------------------------------------------------------------------------
  QueueError Translate(const sql::Error& e) const {
    switch (e.kind()) {
      case sql::ErrorKind::kBusy:
        return QueueError(db_->Describe() + ": the database is locked by another process (waited " +
                          std::to_string(options_.busy_timeout_ms()) + " ms); nothing written");
      case sql::ErrorKind::kReadOnly:
        return QueueError(db_->Describe() + ": the database is read-only; nothing written (" +
                          e.what() + ")");
      case sql::ErrorKind::kCorrupt:
      case sql::ErrorKind::kNotADatabase:
        return QueueError(db_->Describe() +
                          ": not a usable SQLite database (corrupt, truncated or another kind of "
                          "file); nothing written (" +
                          e.what() + ")");
      case sql::ErrorKind::kConnection:
        return QueueError(std::string("cannot use the PostgreSQL queue: ") + e.what());
      default:
        return QueueError(e.what());
    }
  }

  template <typename F>
  auto Write(F&& body) -> decltype(body()) {
    std::lock_guard<std::mutex> guard(mutex_);
    for (int attempt = 0;; ++attempt) {
      try {
        db_->BeginWrite();
      } catch (const sql::Error& e) {
        throw Translate(e);
      }
      try {
        if constexpr (std::is_void_v<decltype(body())>) {
          body();
          db_->Commit();
          return;
        } else {
          auto result = body();
          db_->Commit();
          return result;
        }
      } catch (const sql::Error& e) {
        db_->Rollback();
        if (e.kind() == sql::ErrorKind::kRetry && attempt < 20) continue;
        throw Translate(e);
      } catch (...) {
        db_->Rollback();
        throw;
      }
    }
  }

  template <typename F>
  auto Read(F&& body) -> decltype(body()) {
    std::lock_guard<std::mutex> guard(mutex_);
    try {
      db_->BeginRead();
    } catch (const sql::Error& e) {
      throw Translate(e);
    }
    try {
      auto result = body();
      db_->Commit();
      return result;
    } catch (const sql::Error& e) {
      db_->Rollback();
      throw Translate(e);
    } catch (...) {
      db_->Rollback();
      throw;
    }
  }

  // PostgreSQL: pick, lock, lease, count and audit in one statement, one round trip, its own
  // transaction. The answer is undecided (nullopt) when some lease has expired: expiring frees
  // slots and changes counters this statement cannot also change, so the caller takes the
  // transactional path, which expires first. No expired lease is the usual case.
  std::optional<std::optional<ClaimedTask>> ClaimInOneStatement(const std::string& reviewer) {
    std::lock_guard<std::mutex> guard(mutex_);
    for (int attempt = 0;; ++attempt) {
      const std::int64_t now = Now();
      const std::int64_t expires = now + LeaseNanos();
      try {
        const Row r = db_->Query(kClaimStatement, {now, reviewer, reviewer, now, expires, now,
                                                   static_cast<std::int64_t>(options_.max_skips()),
                                                   now, reviewer, expires})
                          .at(0);
        if (r.Int(0) > 0) return std::nullopt;
        if (r.IsNull(1)) return std::optional<ClaimedTask>();
        return std::optional<ClaimedTask>(
            ClaimedTask{r.Int(1), r.Int(2), sensors::FromNanos(expires)});
      } catch (const sql::Error& e) {
        if (e.kind() == sql::ErrorKind::kRetry && attempt < 20) continue;
        throw Translate(e);
      }
    }
  }

  // The claimable task of highest severity, then oldest, that `reviewer` has not seen.
  std::vector<Row> NextBySeverity(const std::string& reviewer) {
    return db_->Query(
        "SELECT id, state, required_reviews, reviews_done, active_claims, skips FROM tasks t "
        "WHERE state = 'queued' AND NOT EXISTS (SELECT 1 FROM reviews r "
        "WHERE r.task_id = t.id AND r.reviewer = ? AND r.state IN ('claimed', 'submitted', "
        "'skipped')) ORDER BY severity DESC, created_ns ASC, id ASC LIMIT 1" +
            skip_locked_,
        {reviewer});
  }

  // The claimable task `reviewer` has not seen with the highest NoveltyPriority against the
  // episodes of accepted and corrected tasks; ties go to the severity order.
  std::vector<Row> NextByNovelty(const std::string& reviewer) {
    std::vector<EpisodeFeatures> accepted;
    for (const Row& r : db_->Query("SELECT features_json FROM tasks WHERE state IN ('accepted', "
                                   "'corrected') AND features_json IS NOT NULL")) {
      for (auto& f : FeaturesFromJson(r.Text(0))) accepted.push_back(std::move(f));
    }
    const auto rows = db_->Query(
        "SELECT id, severity, features_json FROM tasks t WHERE state = 'queued' AND NOT EXISTS "
        "(SELECT 1 FROM reviews r WHERE r.task_id = t.id AND r.reviewer = ? AND r.state IN "
        "('claimed', 'submitted', 'skipped')) ORDER BY severity DESC, created_ns ASC, id ASC",
        {reviewer});
    std::vector<std::pair<double, std::size_t>> ranked;  // (-priority, position)
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double novelty = Novelty(FeaturesFromJson(rows[i].Text(2)), accepted);
      ranked.push_back({-NoveltyPriority(rows[i].Double(1), novelty), i});
    }
    std::stable_sort(ranked.begin(), ranked.end());
    for (const auto& [priority, position] : ranked) {
      // PostgreSQL: another claimer may hold the row; take the next best rather than wait.
      auto locked = db_->Query(
          "SELECT id, state, required_reviews, reviews_done, active_claims, skips FROM tasks "
          "WHERE id = ? AND state = 'queued'" +
              skip_locked_,
          {rows[position].Int(0)});
      if (!locked.empty()) return locked;
    }
    return {};
  }

  // Whether this reviewer's next claim is a gold check: with rate r, claim n (from 1) is one when
  // floor(n r) passes an integer, so every reviewer meets gold at the same steady share.
  bool GoldCheckIsDue(const std::string& reviewer) {
    const double rate = std::clamp(options_.gold_rate(), 0.0, 1.0);
    if (rate <= 0) return false;
    const std::int64_t before =
        db_->Query("SELECT COUNT(*) FROM reviews WHERE reviewer = ?", {reviewer}).at(0).Int(0);
    const auto n = static_cast<double>(before + 1);
    return std::floor(n * rate) > std::floor((n - 1) * rate);
  }

  // A claim on the oldest gold task `reviewer` never claimed. It changes nothing of the task: the
  // task stays resolved, only the review row (gold_check = 1) and an audit row are written.
  std::optional<ClaimedTask> ClaimGold(const std::string& reviewer, std::int64_t now) {
    const auto rows = db_->Query(
        "SELECT id, state FROM tasks t WHERE gold = 1 AND NOT EXISTS (SELECT 1 FROM reviews r "
        "WHERE r.task_id = t.id AND r.reviewer = ?) ORDER BY id LIMIT 1",
        {reviewer});
    if (rows.empty()) return std::nullopt;
    ClaimedTask claim;
    claim.task_id = rows[0].Int(0);
    const std::int64_t expires = now + LeaseNanos();
    claim.claim_id = db_->Query(
                            "INSERT INTO reviews (task_id, reviewer, state, claimed_ns, "
                            "lease_expires_ns, gold_check) VALUES (?, ?, 'claimed', ?, ?, 1) "
                            "RETURNING id",
                            {claim.task_id, reviewer, now, expires})
                         .at(0)
                         .Int(0);
    claim.lease_expires = sensors::FromNanos(expires);
    const TaskState state = ParseTaskState(rows[0].Text(1)).value_or(TaskState::kAccepted);
    Audit(claim.task_id, now, reviewer, "gold_claim", state, state,
          json::Object({{"claim_id", std::to_string(claim.claim_id)}}));
    return claim;
  }

  // A submitted gold check: compared with the gold verdict and labels exactly as two reviews are
  // in consensus; the task itself does not change.
  TaskState SubmitGoldCheck(std::int64_t task_id, const Submission& s, std::int64_t now) {
    const Row task =
        db_->Query("SELECT state, final_verdict, final_labels_json FROM tasks WHERE id = ?",
                   {task_id})
            .at(0);
    const auto prelabels = LoadPrelabels(task_id);
    const Verdict gold_verdict = ParseVerdict(task.Text(1)).value_or(Verdict::kAccept);
    const ReviewLabels gold{"gold", gold_verdict,
                            task.IsNull(2) || gold_verdict == Verdict::kReject
                                ? prelabels
                                : json::FramesFromJson(task.Text(2))};
    const ReviewLabels mine{s.reviewer, s.verdict, ApplyCorrections(prelabels, s.corrections)};
    const bool agrees = CompareReviews({gold, mine}, prelabels, options_.agreement_iou()).agreed;
    db_->Query("UPDATE reviews SET agrees_gold = ? WHERE id = ?",
               {static_cast<std::int64_t>(agrees ? 1 : 0), s.claim_id});
    const TaskState state = ParseTaskState(task.Text(0)).value_or(TaskState::kAccepted);
    Audit(task_id, now, s.reviewer, "gold_check", state, state,
          json::Object({{"claim_id", std::to_string(s.claim_id)},
                        {"verdict", Str(s.verdict)},
                        {"agrees", agrees ? "true" : "false"}}));
    return state;
  }

  // --- Pieces of transactions
  // ---------------------------------------------------------------------
  EnqueueResult Insert(const std::vector<TaskDraft>& drafts, std::int64_t now) {
    EnqueueResult result;
    for (const TaskDraft& d : drafts) {
      const auto rows = db_->Query(
          "INSERT INTO tasks (log_id, log_path, log_format, detectors, options_hash, first_frame, "
          "last_frame, start_ns, end_ns, severity, events_json, state, required_reviews, "
          "created_ns, updated_ns, peak_frame, episodes, features_json) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (log_id, detectors, first_frame, last_frame, options_hash) DO NOTHING "
          "RETURNING id",
          {d.log_id, d.log_path, d.log_format, d.detectors, d.options_hash, d.first_frame,
           d.last_frame, sensors::ToNanos(d.start), sensors::ToNanos(d.end), d.severity,
           json::EventsToJson(d.events),
           static_cast<std::int64_t>(std::max(1, options_.required_reviews())), now, now,
           PeakFrame(d), static_cast<std::int64_t>(d.events.size()),
           FeaturesToJson(FeaturesOf(d.events, d.frames))});
      if (rows.empty()) {
        ++result.already_present;
        continue;
      }
      const std::int64_t id = rows[0].Int(0);
      InsertFrames(id, d.frames);
      Audit(id, now, "miner", "enqueue", TaskState::kQueued, TaskState::kQueued,
            json::Object(
                {{"detectors", d.detectors},
                 {"frames", std::to_string(d.first_frame) + "-" + std::to_string(d.last_frame)}}));
      ++result.inserted;
    }
    return result;
  }

  // Many frames per statement: a round trip to PostgreSQL costs far more than the row.
  void InsertFrames(std::int64_t task_id, const std::vector<FramePrelabels>& frames) {
    constexpr std::size_t kFramesPerStatement = 200;
    std::set<std::int64_t> seen_frames;
    std::vector<Value> params;
    std::size_t count = 0;
    auto flush = [&] {
      if (count == 0) return;
      std::string sql =
          "INSERT INTO task_frames (task_id, frame_index, stamp_ns, boxes_json) VALUES ";
      for (std::size_t i = 0; i < count; ++i) sql += i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
      db_->Query(sql, params);
      params.clear();
      count = 0;
    };
    for (const FramePrelabels& f : frames) {
      // A frame listed twice keeps its first pre-labels rather than failing the whole batch.
      if (!seen_frames.insert(f.frame_index).second) continue;
      params.insert(params.end(), {task_id, f.frame_index, sensors::ToNanos(f.stamp),
                                   json::BoxesToJson(f.boxes)});
      if (++count == kFramesPerStatement) flush();
    }
    flush();
  }

  void Audit(std::int64_t task_id, std::int64_t now, const std::string& actor,
             const std::string& action, TaskState from, TaskState to, const std::string& details) {
    db_->Query(
        "INSERT INTO audit (task_id, at_ns, actor, action, from_state, to_state, details_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {task_id, now, actor, action, Str(from), Str(to), details});
  }

  // One audit row per edited frame, with the boxes before (pre-labels) and after.
  void AuditLabelEdits(std::int64_t task_id, std::int64_t now, const std::string& actor,
                       TaskState state, const std::vector<FramePrelabels>& corrections) {
    if (corrections.empty()) return;
    const auto prelabels = LoadPrelabels(task_id);
    for (const auto& c : corrections) {
      std::string before = "[]";
      for (const auto& p : prelabels) {
        if (p.frame_index == c.frame_index) before = json::BoxesToJson(p.boxes);
      }
      Audit(task_id, now, actor, "edit_labels", state, state,
            "{\"frame_index\":" + std::to_string(c.frame_index) + ",\"before\":" + before +
                ",\"after\":" + json::BoxesToJson(c.boxes) + "}");
    }
  }

  std::vector<FramePrelabels> LoadPrelabels(std::int64_t task_id) {
    std::vector<FramePrelabels> out;
    for (const Row& r :
         db_->Query("SELECT frame_index, stamp_ns, boxes_json FROM task_frames WHERE task_id = ? "
                    "ORDER BY frame_index",
                    {task_id})) {
      out.push_back({r.Int(0), sensors::FromNanos(r.Int(1)), json::BoxesFromJson(r.Text(2))});
    }
    return out;
  }

  Counters LoadCounters(std::int64_t task_id) {
    const auto rows = db_->Query(
        "SELECT state, required_reviews, reviews_done, active_claims, skips FROM tasks WHERE id = "
        "?" +
            lock_,
        {task_id});
    if (rows.empty()) throw TaskConflict("no task " + std::to_string(task_id));
    return CountersFrom(rows[0], 0);
  }

  // state, required_reviews, reviews_done, active_claims, skips from column `first` on.
  static Counters CountersFrom(const Row& r, std::size_t first) {
    Counters c;
    c.state = ParseTaskState(r.Text(first)).value_or(TaskState::kQueued);
    c.required = static_cast<int>(r.Int(first + 1));
    c.done = static_cast<int>(r.Int(first + 2));
    c.active = static_cast<int>(r.Int(first + 3));
    c.skips = static_cast<int>(r.Int(first + 4));
    return c;
  }

  // Derives the state of an unresolved task from its counters and stores both.
  void StoreCounters(std::int64_t task_id, Counters& c, std::int64_t now) {
    if (!IsResolved(c.state) && c.state != TaskState::kSubmitted) {
      if (c.active + c.done >= c.required) {
        c.state = TaskState::kClaimed;
      } else if (c.skips >= options_.max_skips()) {
        c.state = c.active > 0 ? TaskState::kClaimed : TaskState::kSkipped;
      } else {
        c.state = TaskState::kQueued;
      }
    }
    db_->Query(
        "UPDATE tasks SET state = ?, reviews_done = ?, active_claims = ?, skips = ?, "
        "updated_ns = ? WHERE id = ?",
        {Str(c.state), static_cast<std::int64_t>(c.done), static_cast<std::int64_t>(c.active),
         static_cast<std::int64_t>(c.skips), now, task_id});
  }

  // Checks that `claim_id` is a live claim of `reviewer`; returns its task id. Writes nothing.
  struct LiveClaimInfo {
    std::int64_t task_id = 0;
    bool gold_check = false;
  };
  LiveClaimInfo LiveClaim(std::int64_t claim_id, const std::string& reviewer, std::int64_t now) {
    const auto rows = db_->Query(
        "SELECT task_id, reviewer, state, lease_expires_ns, gold_check FROM reviews WHERE id = ?" +
            lock_,
        {claim_id});
    if (rows.empty()) throw TaskConflict("no claim " + std::to_string(claim_id));
    const Row& r = rows[0];
    if (r.Text(1) != reviewer) {
      throw TaskConflict("claim " + std::to_string(claim_id) + " belongs to " + r.Text(1) +
                         ", not " + reviewer);
    }
    if (r.Text(2) != "claimed") {
      throw TaskConflict("claim " + std::to_string(claim_id) + " is " + r.Text(2) +
                         ", no longer live");
    }
    if (r.Int(3) < now) {
      throw TaskConflict("claim " + std::to_string(claim_id) +
                         "'s lease has expired; the task went back to the queue");
    }
    return {r.Int(0), r.Int(4) != 0};
  }

  TaskState EndClaim(std::int64_t claim_id, const std::string& reviewer, ClaimState end,
                     const std::string& action, const std::string& reason) {
    const std::int64_t now = Now();
    const LiveClaimInfo claim = LiveClaim(claim_id, reviewer, now);
    const std::int64_t task_id = claim.task_id;
    db_->Query("UPDATE reviews SET state = ?, finished_ns = ?, comment = ? WHERE id = ?",
               {Str(end), now, reason, claim_id});
    Counters c = LoadCounters(task_id);
    if (claim.gold_check) return c.state;  // a gold task's counters never saw the check
    const TaskState before = c.state;
    c.active -= 1;
    if (end == ClaimState::kSkipped) c.skips += 1;
    StoreCounters(task_id, c, now);
    Audit(task_id, now, reviewer, action, before, c.state,
          json::Object({{"claim_id", std::to_string(claim_id)}, {"reason", reason}}));
    return c.state;
  }

  // Marks every claim whose lease ran out as expired and frees its slot. Rows another transaction
  // holds are left for the next call rather than waited on; tasks are touched in id order so two
  // expirers never deadlock.
  int ExpireLeases(std::int64_t now) {
    const auto expired = db_->Query(
        "SELECT id, task_id, reviewer, gold_check FROM reviews WHERE state = 'claimed' AND "
        "lease_expires_ns < ? ORDER BY task_id, id" +
            skip_locked_,
        {now});
    for (const Row& r : expired) {
      const std::int64_t claim_id = r.Int(0), task_id = r.Int(1);
      db_->Query("UPDATE reviews SET state = 'expired', finished_ns = ? WHERE id = ?",
                 {now, claim_id});
      if (r.Int(3) != 0) continue;  // a gold check: the gold task's counters never saw it
      Counters c = LoadCounters(task_id);
      const TaskState before = c.state;
      c.active -= 1;
      StoreCounters(task_id, c, now);
      Audit(task_id, now, "system", "expire", before, c.state,
            json::Object({{"claim_id", std::to_string(claim_id)}, {"reviewer", r.Text(2)}}));
    }
    return static_cast<int>(expired.size());
  }

  TaskState ResolveByConsensus(std::int64_t task_id, Counters& c, std::int64_t now,
                               const Submission& submission, TaskState before) {
    const auto prelabels = LoadPrelabels(task_id);
    std::vector<ReviewLabels> reviews;
    std::vector<std::int64_t> review_ids;
    std::vector<std::string> reasons;
    for (const Row& r : db_->Query(
             "SELECT id, reviewer, verdict, corrections_json, reject_reason FROM reviews WHERE "
             "task_id = ? AND state = 'submitted' AND gold_check = 0 ORDER BY id",
             {task_id})) {
      review_ids.push_back(r.Int(0));
      if (!r.IsNull(4)) reasons.push_back(r.Text(4));
      reviews.push_back({r.Text(1), ParseVerdict(r.Text(2)).value_or(Verdict::kAccept),
                         ApplyCorrections(prelabels, json::FramesFromJson(r.Text(3)))});
    }
    const ConsensusResult consensus = CompareReviews(reviews, prelabels, options_.agreement_iou());
    if (reviews.size() >= 2) {
      for (std::size_t i = 0; i < reviews.size(); ++i) {
        const bool named = std::any_of(
            consensus.disagreements.begin(), consensus.disagreements.end(), [&](const auto& d) {
              return d.reviewer_a == reviews[i].reviewer || d.reviewer_b == reviews[i].reviewer;
            });
        db_->Query("UPDATE reviews SET agrees = ? WHERE id = ?",
                   {static_cast<std::int64_t>(named ? 0 : 1), review_ids[i]});
      }
    }
    c.state = consensus.agreed ? StateOf(consensus.verdict) : TaskState::kSubmitted;
    StoreCounters(task_id, c, now);
    db_->Query(
        "UPDATE tasks SET final_verdict = ?, final_labels_json = ?, disagreements_json = ?, "
        "reject_reason = ? WHERE id = ?",
        {consensus.agreed ? Value(Str(consensus.verdict)) : Value(),
         consensus.agreed ? Value(json::FramesToJson(consensus.labels)) : Value(),
         json::DisagreementsToJson(consensus.disagreements),
         consensus.agreed && consensus.verdict == Verdict::kReject ? MostCommon(reasons) : Value(),
         task_id});
    Audit(task_id, now, submission.reviewer, "submit", before, TaskState::kSubmitted,
          json::Object({{"claim_id", std::to_string(submission.claim_id)},
                        {"verdict", Str(submission.verdict)}}));
    Audit(task_id, now, "system", consensus.agreed ? "resolve" : "flag_disagreement",
          TaskState::kSubmitted, c.state,
          json::Object({{"reviews", std::to_string(reviews.size())},
                        {"disagreements", std::to_string(consensus.disagreements.size())}}));
    return c.state;
  }

  std::unique_ptr<sql::Connection> db_;
  proto::QueueOptions options_;
  QueueClock clock_;
  std::string lock_, skip_locked_;
  std::mutex mutex_;
};

}  // namespace

std::string RedactedQueueUrl(const std::string& url) { return sql::RedactUrl(url); }

std::unique_ptr<ReviewQueue> OpenQueue(const std::string& url) {
  return OpenQueue(url, proto::QueueOptions(), nullptr);
}

std::unique_ptr<ReviewQueue> OpenQueue(const std::string& url, const proto::QueueOptions& options,
                                       QueueClock clock) {
  std::unique_ptr<sql::Connection> db;
  try {
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
      db = sql::OpenPostgres(url);
      if (options.read_only()) db->Script("SET default_transaction_read_only = on");
    } else {
      std::string path = url;
      if (path.rfind("sqlite://", 0) == 0) {
        path = path.substr(9);
      } else if (path.find("://") != std::string::npos) {
        throw QueueError(url +
                         ": unknown queue URL scheme (use sqlite://, postgresql:// or a path)");
      }
      if (path.empty()) throw QueueError("empty queue path");
      db = sql::OpenSqlite({path, options.busy_timeout_ms(), options.read_only()});
    }
  } catch (const sql::Error& e) {
    if (e.kind() == sql::ErrorKind::kConnection && url.find("://") != std::string::npos &&
        url.rfind("sqlite://", 0) != 0) {
      throw QueueError(std::string("cannot use the PostgreSQL queue: ") + e.what());
    }
    throw QueueError(e.what());
  }
  return std::make_unique<SqlReviewQueue>(std::move(db), options, std::move(clock));
}

}  // namespace longtail::labeling
