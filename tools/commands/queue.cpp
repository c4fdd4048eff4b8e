// `longtail queue stats|list|show|claim|heartbeat|submit|release|skip|adjudicate|requeue-expired|
// export|report|mark-gold --queue URL [--json]`: look into and drive the review queue from a shell.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "labeling/queue/queue_json.h"
#include "labeling/queue/queue_report.h"
#include "labeling/queue/review_queue.h"
#include "sensors/atomic_file.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

using nlohmann::json;

struct QueueCommandOptions {
  std::string queue;
  bool json = false;
  // list / export
  std::string state, log_id, reviewer;
  std::int64_t after_id = 0;
  int limit = 50;
  std::string out;
  // show / adjudicate / claim / submit / release / skip / heartbeat
  std::int64_t task_id = 0, claim_id = 0;
  std::string verdict, corrections_file, comment, reject_reason;
  double lease_s = 0;
  double gold_rate = 0;
  std::string claim_order = "severity";
};

json FramesJson(const std::vector<labeling::FramePrelabels>& frames) {
  return json::parse(labeling::json::FramesToJson(frames));
}

json SummaryJson(const labeling::TaskSummary& s) {
  return {{"id", s.id},
          {"state", labeling::ToString(s.state)},
          {"log_id", s.log_id},
          {"log_path", s.log_path},
          {"log_format", s.log_format},
          {"detectors", s.detectors},
          {"options_hash", s.options_hash},
          {"first_frame", s.first_frame},
          {"peak_frame", s.peak_frame},
          {"episodes", s.episodes},
          {"last_frame", s.last_frame},
          {"start_ns", sensors::ToNanos(s.start)},
          {"end_ns", sensors::ToNanos(s.end)},
          {"severity", s.severity},
          {"required_reviews", s.required_reviews},
          {"submitted_reviews", s.submitted_reviews},
          {"live_claims", s.live_claims},
          {"skips", s.skips},
          {"needs_adjudication", s.needs_adjudication},
          {"gold", s.gold},
          {"created_ns", sensors::ToNanos(s.created)},
          {"updated_ns", sensors::ToNanos(s.updated)}};
}

json DetailJson(const labeling::TaskDetail& d) {
  json reviews = json::array();
  for (const auto& r : d.reviews) {
    reviews.push_back(
        {{"claim_id", r.claim_id},
         {"reviewer", r.reviewer},
         {"state", labeling::ToString(r.state)},
         {"claimed_ns", sensors::ToNanos(r.claimed)},
         {"lease_expires_ns", sensors::ToNanos(r.lease_expires)},
         {"finished_ns", r.finished ? json(sensors::ToNanos(*r.finished)) : json()},
         {"verdict", r.verdict ? json(labeling::ToString(*r.verdict)) : json()},
         {"corrections", FramesJson(r.corrections)},
         {"comment", r.comment},
         {"reject_reason", r.reject_reason ? json(labeling::ToString(*r.reject_reason)) : json()},
         {"gold_check", r.gold_check},
         {"agrees_with_gold", r.agrees_with_gold ? json(*r.agrees_with_gold) : json()}});
  }
  json out = SummaryJson(d.summary);
  out["events"] = json::parse(labeling::json::EventsToJson(d.events));
  out["prelabels"] = FramesJson(d.prelabels);
  out["reviews"] = reviews;
  out["disagreements"] = json::parse(labeling::json::DisagreementsToJson(d.disagreements));
  out["final_verdict"] = d.final_verdict ? json(labeling::ToString(*d.final_verdict)) : json();
  out["final_labels"] = FramesJson(d.final_labels);
  out["reject_reason"] =
      d.final_reject_reason ? json(labeling::ToString(*d.final_reject_reason)) : json();
  return out;
}

json AuditJson(const std::vector<labeling::AuditEntry>& entries) {
  json out = json::array();
  for (const auto& a : entries) {
    out.push_back({{"id", a.id},
                   {"at_ns", sensors::ToNanos(a.at)},
                   {"actor", a.actor},
                   {"action", a.action},
                   {"from_state", a.from_state},
                   {"to_state", a.to_state},
                   {"details", json::parse(a.details_json)}});
  }
  return out;
}

labeling::TaskFilter FilterOf(const QueueCommandOptions& o) {
  labeling::TaskFilter filter;
  if (!o.state.empty()) {
    filter.state = labeling::ParseTaskState(o.state);
    if (!filter.state) throw CLI::ValidationError("--state", "unknown state '" + o.state + "'");
  }
  if (!o.log_id.empty()) filter.log_id = o.log_id;
  if (!o.reviewer.empty()) filter.reviewer = o.reviewer;
  filter.after_id = o.after_id;
  filter.limit = o.limit;
  return filter;
}

labeling::Verdict VerdictOf(const std::string& text) {
  const auto verdict = labeling::ParseVerdict(text);
  if (!verdict) {
    throw CLI::ValidationError("--verdict", "'" + text + "' is not accept, correct or reject");
  }
  return *verdict;
}

std::optional<labeling::RejectReason> RejectReasonOf(const QueueCommandOptions& o) {
  if (o.reject_reason.empty()) return std::nullopt;
  const auto reason = labeling::ParseRejectReason(o.reject_reason);
  if (!reason) {
    throw CLI::ValidationError("--reject-reason", "'" + o.reject_reason +
                                                      "' is not false_alarm, not_worth_review, "
                                                      "wrong_object or wrong_box");
  }
  return reason;
}

std::vector<labeling::FramePrelabels> CorrectionsOf(const std::string& file) {
  if (file.empty()) return {};
  std::ifstream in(file);
  if (!in) throw CLI::ValidationError("--corrections", "cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return labeling::json::FramesFromJson(text.str());
  } catch (const std::exception& e) {
    throw CLI::ValidationError("--corrections", file + ": " + e.what());
  }
}

std::unique_ptr<labeling::ReviewQueue> Open(const QueueCommandOptions& o, bool read_only) {
  labeling::proto::QueueOptions options;
  options.set_read_only(read_only);
  if (o.lease_s > 0) options.set_lease_s(o.lease_s);
  options.set_gold_rate(o.gold_rate);
  options.set_claim_order(o.claim_order == "novelty" ? labeling::proto::QueueOptions::NOVELTY
                                                     : labeling::proto::QueueOptions::SEVERITY);
  return labeling::OpenQueue(o.queue, options);
}

void Print(const QueueCommandOptions& o, const json& value, const std::string& text) {
  if (o.json) {
    std::cout << value.dump(2) << "\n";
  } else {
    std::cout << text;
  }
}

int Stats(const QueueCommandOptions& o) {
  const auto s = Open(o, true)->Stats();
  std::ostringstream text;
  text << o.queue << " (" << s.backend << ", schema " << s.schema_version << ")\n"
       << "  tasks " << s.tasks << ": queued " << s.queued << ", claimed " << s.claimed
       << ", submitted " << s.submitted << " (needs adjudication " << s.needs_adjudication
       << "), accepted " << s.accepted << ", corrected " << s.corrected << ", rejected "
       << s.rejected << ", skipped " << s.skipped << "\n"
       << "  claims: live " << s.live_claims << ", expired " << s.expired_claims
       << "\n  mined logs " << s.mined_logs << "\n";
  Print(o, labeling::json::StatsToJson(s), text.str());
  return kExitOk;
}

int List(const QueueCommandOptions& o) {
  const auto tasks = Open(o, true)->ListTasks(FilterOf(o));
  json out = json::array();
  std::ostringstream text;
  text << std::left << std::setw(8) << "id" << std::setw(11) << "state" << std::setw(9)
       << "severity" << std::setw(14) << "frames" << std::setw(8) << "reviews"
       << "log / detectors\n";
  for (const auto& t : tasks) {
    out.push_back(SummaryJson(t));
    text << std::left << std::setw(8) << t.id << std::setw(11) << labeling::ToString(t.state)
         << std::setw(9) << std::fixed << std::setprecision(2) << t.severity << std::setw(14)
         << (std::to_string(t.first_frame) + "-" + std::to_string(t.last_frame)) << std::setw(8)
         << (std::to_string(t.submitted_reviews) + "/" + std::to_string(t.required_reviews))
         << t.log_id << " / " << t.detectors << "\n";
  }
  Print(o, out, text.str());
  return kExitOk;
}

int Show(const QueueCommandOptions& o) {
  auto queue = Open(o, true);
  const auto detail = queue->GetTask(o.task_id);
  if (!detail) throw RuntimeFailure("no task " + std::to_string(o.task_id));
  const auto audit = queue->AuditTrail(o.task_id);
  json out = DetailJson(*detail);
  out["audit"] = AuditJson(audit);
  std::ostringstream text;
  const auto& s = detail->summary;
  text << "task " << s.id << " [" << labeling::ToString(s.state) << "] severity " << s.severity
       << "\n  log " << s.log_id << " (" << s.log_format << ") " << s.log_path << "\n  frames "
       << s.first_frame << "-" << s.last_frame << " (peak " << s.peak_frame << "), detectors "
       << s.detectors << "\n";
  for (const auto& e : detail->events) {
    text << "  episode " << e.type << " frames " << e.first_frame << "-" << e.last_frame
         << ", peak " << e.peak_frame << " (severity " << e.severity << "): " << e.reason << "\n";
  }
  for (const auto& f : detail->prelabels) {
    text << "  frame " << f.frame_index << ": " << f.boxes.size() << " pre-labelled boxes\n";
  }
  for (const auto& r : detail->reviews) {
    text << "  claim " << r.claim_id << " by " << r.reviewer << ": " << labeling::ToString(r.state)
         << (r.verdict ? " (" + std::string(labeling::ToString(*r.verdict)) + ")" : "") << "\n";
  }
  for (const auto& d : detail->disagreements) {
    text << "  disagreement " << d.kind << " " << d.reviewer_a << " vs " << d.reviewer_b << ": "
         << d.detail << "\n";
  }
  for (const auto& a : audit) {
    text << "  audit " << a.id << " " << a.actor << " " << a.action << " " << a.from_state << " -> "
         << a.to_state << "\n";
  }
  Print(o, out, text.str());
  return kExitOk;
}

int Claim(const QueueCommandOptions& o) {
  const auto claim = Open(o, false)->Claim(o.reviewer);
  if (!claim) {
    Print(o, json{{"claimed", false}}, "no task to claim\n");
    return kExitOk;
  }
  Print(o,
        {{"claimed", true},
         {"claim_id", claim->claim_id},
         {"task_id", claim->task_id},
         {"lease_expires_ns", sensors::ToNanos(claim->lease_expires)}},
        "claim " + std::to_string(claim->claim_id) + " on task " + std::to_string(claim->task_id) +
            "\n");
  return kExitOk;
}

int Heartbeat(const QueueCommandOptions& o) {
  const auto expires = Open(o, false)->Heartbeat(o.claim_id, o.reviewer);
  Print(o, {{"claim_id", o.claim_id}, {"lease_expires_ns", sensors::ToNanos(expires)}},
        "lease extended\n");
  return kExitOk;
}

int Submit(const QueueCommandOptions& o) {
  const labeling::TaskState state =
      Open(o, false)->Submit({o.claim_id, o.reviewer, VerdictOf(o.verdict),
                              CorrectionsOf(o.corrections_file), o.comment, RejectReasonOf(o)});
  Print(o, {{"claim_id", o.claim_id}, {"task_state", labeling::ToString(state)}},
        "submitted; task is " + std::string(labeling::ToString(state)) + "\n");
  return kExitOk;
}

int Release(const QueueCommandOptions& o) {
  Open(o, false)->Release(o.claim_id, o.reviewer);
  Print(o, {{"claim_id", o.claim_id}, {"released", true}}, "released\n");
  return kExitOk;
}

int Skip(const QueueCommandOptions& o) {
  const auto state = Open(o, false)->Skip(o.claim_id, o.reviewer, o.comment);
  Print(o, {{"claim_id", o.claim_id}, {"task_state", labeling::ToString(state)}},
        "skipped; task is " + std::string(labeling::ToString(state)) + "\n");
  return kExitOk;
}

int Adjudicate(const QueueCommandOptions& o) {
  const auto state =
      Open(o, false)->Adjudicate({o.task_id, o.reviewer, VerdictOf(o.verdict),
                                  CorrectionsOf(o.corrections_file), o.comment, RejectReasonOf(o)});
  Print(o, {{"task_id", o.task_id}, {"task_state", labeling::ToString(state)}},
        "task is " + std::string(labeling::ToString(state)) + "\n");
  return kExitOk;
}

int RequeueExpired(const QueueCommandOptions& o) {
  const int n = Open(o, false)->RequeueExpired();
  Print(o, {{"expired_claims", n}}, std::to_string(n) + " expired claims returned to the queue\n");
  return kExitOk;
}

// JSON Lines, one resolved task per line with its final labels; written to a temporary file and
// renamed so that a reader never sees half an export.
int Export(const QueueCommandOptions& o) {
  auto queue = Open(o, true);
  labeling::TaskFilter filter = FilterOf(o);
  filter.limit = 500;
  std::ostringstream lines;
  std::int64_t count = 0;
  while (true) {
    const auto page = queue->ListTasks(filter);
    if (page.empty()) break;
    for (const auto& summary : page) {
      filter.after_id = summary.id;
      if (!labeling::IsResolved(summary.state) || summary.state == labeling::TaskState::kSkipped) {
        continue;
      }
      const auto detail = queue->GetTask(summary.id);
      if (!detail) continue;
      lines << DetailJson(*detail).dump() << "\n";
      ++count;
    }
  }
  if (o.out.empty() || o.out == "-") {
    std::cout << lines.str();
  } else {
    sensors::WriteFileAtomically(o.out, lines.str());
    std::cerr << "exported " << count << " resolved tasks to " << o.out << "\n";
  }
  return kExitOk;
}

int MarkGold(const QueueCommandOptions& o) {
  Open(o, false)->MarkGold(o.task_id, o.reviewer);
  Print(o, {{"task_id", o.task_id}, {"gold", true}},
        "task " + std::to_string(o.task_id) + " is gold\n");
  return kExitOk;
}

// Every task (paged by id) and every reviewer's agreement, through the report's pure functions.
int Report(const QueueCommandOptions& o) {
  auto queue = Open(o, true);
  std::vector<labeling::TaskDetail> tasks;
  labeling::TaskFilter filter;
  filter.limit = 500;
  while (true) {
    const auto page = queue->ListTasks(filter);
    if (page.empty()) break;
    for (const auto& summary : page) {
      filter.after_id = summary.id;
      if (auto detail = queue->GetTask(summary.id)) tasks.push_back(std::move(*detail));
    }
  }
  const auto report = labeling::BuildQueueReport(tasks, queue->ReviewerAgreement());
  Print(o, labeling::ReportToJson(report), labeling::ReportToText(report));
  return kExitOk;
}

// The `queue` command that subcommands are added to, and the options they all fill.
struct QueueSubcommands {
  CLI::App* command;
  std::shared_ptr<QueueCommandOptions> o;
  int* exit_code;

  CLI::App* Add(const std::string& name, const std::string& help,
                int (*run)(const QueueCommandOptions&)) const {
    return AddQueueSubcommand(command, o, exit_code, name, help, run);
  }
};

void AddTaskFilters(CLI::App* sub, QueueCommandOptions& o) {
  sub->add_option("--state", o.state, "only tasks in this state (queued, claimed, ...)");
  sub->add_option("--log", o.log_id, "only tasks of this log id");
  sub->add_option("--reviewer", o.reviewer, "only tasks this reviewer claimed");
  sub->add_option("--after", o.after_id, "only task ids greater than this (paging)");
}

void AddClaimArgs(CLI::App* sub, QueueCommandOptions& o) {
  sub->add_option("--reviewer", o.reviewer, "who is reviewing")->required();
  sub->add_option("--claim", o.claim_id, "the claim id `claim` printed")->required();
}

// stats, list, show: reading the queue.
void AddLookSubcommands(const QueueSubcommands& q) {
  q.Add("stats", "task counts by state, live and expired claims, mined logs", Stats);
  auto* list = q.Add("list", "task summaries, by id", List);
  AddTaskFilters(list, *q.o);
  list->add_option("--limit", q.o->limit, "at most this many tasks");
  auto* show = q.Add("show", "one task: events, pre-labels, reviews, disagreements, audit", Show);
  show->add_option("task", q.o->task_id, "task id")->required();
}

// claim, heartbeat, submit, release, skip: a reviewer's side of a claim.
void AddClaimSubcommands(const QueueSubcommands& q) {
  QueueCommandOptions& o = *q.o;
  auto* claim = q.Add("claim", "claim the next task for a reviewer", Claim);
  claim->add_option("--reviewer", o.reviewer, "who is reviewing")->required();
  claim->add_option("--lease-s", o.lease_s, "lease length, s (default from the queue options)");
  claim->add_option("--gold-rate", o.gold_rate, "share of claims that are hidden gold checks")
      ->check(CLI::Range(0.0, 1.0));
  claim->add_option("--claim-order", o.claim_order, "severity (default) or novelty")
      ->check(CLI::IsMember({"severity", "novelty"}));
  auto* heartbeat = q.Add("heartbeat", "extend a claim's lease", Heartbeat);
  AddClaimArgs(heartbeat, o);
  heartbeat->add_option("--lease-s", o.lease_s, "new lease length from now, s");
  auto* submit = q.Add("submit", "submit a review of a claimed task", Submit);
  AddClaimArgs(submit, o);
  submit->add_option("--verdict", o.verdict, "accept, correct or reject")->required();
  submit->add_option("--corrections", o.corrections_file,
                     "JSON file: [{frame_index, stamp_ns, boxes: [...]}] (verdict correct)");
  submit->add_option("--comment", o.comment, "a note for the record");
  submit->add_option(
      "--reject-reason", o.reject_reason,
      "why (verdict reject): false_alarm, not_worth_review, wrong_object, wrong_box");
  AddClaimArgs(q.Add("release", "give a claimed task back unreviewed", Release), o);
  auto* skip = q.Add("skip", "give a claimed task back for good (not offered to you again)", Skip);
  AddClaimArgs(skip, o);
  skip->add_option("--reason", o.comment, "why");
}

// adjudicate, requeue-expired, mark-gold: decisions over the reviewers' heads.
void AddDecisionSubcommands(const QueueSubcommands& q) {
  QueueCommandOptions& o = *q.o;
  auto* adjudicate = q.Add("adjudicate", "decide a task whose reviews disagree", Adjudicate);
  adjudicate->add_option("task", o.task_id, "task id")->required();
  adjudicate->add_option("--reviewer", o.reviewer, "the adjudicator")->required();
  adjudicate->add_option("--verdict", o.verdict, "accept, correct or reject")->required();
  adjudicate->add_option("--corrections", o.corrections_file, "JSON file, as for submit");
  adjudicate->add_option("--comment", o.comment, "a note for the record");
  adjudicate->add_option("--reject-reason", o.reject_reason, "why (verdict reject), as for submit");
  q.Add("requeue-expired", "return every task whose lease expired to the queue", RequeueExpired);
  auto* gold = q.Add(
      "mark-gold", "make a reviewed task gold: hidden checks compare reviewers with it", MarkGold);
  gold->add_option("task", o.task_id, "task id")->required();
  gold->add_option("--reviewer", o.reviewer, "who decides (for the audit trail)")->required();
}

// report, export: what the reviews say, as numbers or as labels.
void AddOutputSubcommands(const QueueSubcommands& q) {
  q.Add("report",
        "what reviews say: precision and reject reasons by detector and type, pre-label quality "
        "by class,\nreviewer throughput and agreement (with co-reviewers and gold), and per "
        "detector the threshold\nof each number that keeps 95 % of accepted episodes while "
        "dropping the most rejected",
        Report);
  auto* exporter = q.Add("export", "resolved tasks with their final labels as JSON Lines", Export);
  AddTaskFilters(exporter, *q.o);
  exporter->add_option("--out", q.o->out, "output file (written atomically); default stdout");
}

}  // namespace

void AddQueueCommand(CLI::App& app, int* exit_code) {
  CLI::App* command =
      app.add_subcommand("queue",
                         "Look into and drive the review queue: stats, list, show, claim, "
                         "heartbeat, submit, release,\n"
                         "skip, adjudicate, requeue-expired, export. Exit code 1 when the queue "
                         "cannot be used or the\n"
                         "request conflicts with a task's state (e.g. a lost lease).");
  command->require_subcommand(1);
  // Subcommands in the order `longtail queue --help` lists them.
  const QueueSubcommands q{command, std::make_shared<QueueCommandOptions>(), exit_code};
  AddLookSubcommands(q);
  AddClaimSubcommands(q);
  AddDecisionSubcommands(q);
  AddOutputSubcommands(q);
}

}  // namespace longtail::tools
