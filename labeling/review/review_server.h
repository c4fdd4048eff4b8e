// The review server: the static review page and a JSON API over one review queue.
//
//   GET  /api/stats                                  queue counters
//   GET  /api/tasks?state=queued&after=0&limit=100   task summaries
//   GET  /api/tasks/{id}                             events, pre-labels, reviews
//   GET  /api/tasks/{id}/frames/{index}              frame stamp, calibration, camera list
//   GET  /api/tasks/{id}/frames/{index}/points       float32 x,y,z,intensity (vehicle frame)
//   GET  /api/tasks/{id}/frames/{index}/cameras/{name}/image   the image's original bytes
//   POST /api/claim      {"reviewer"}                -> {"claim_id","task_id","lease_expires_ns"}
//   POST /api/heartbeat  {"claim_id","reviewer"}     -> {"lease_expires_ns"}
//   POST /api/release    {"claim_id","reviewer"}
//   POST /api/skip       {"claim_id","reviewer","reason"}
//   POST /api/tasks/{id}/submit  {"claim_id","reviewer","verdict","corrections","comment",
//                                 "reject_reason"}   (reject: false_alarm, not_worth_review,
//                                                    wrong_object or wrong_box)
//   POST /api/tasks/{id}/adjudicate  {"verdict","corrections","comment","reject_reason"}
//                                    (adjudicator or admin; decides a task whose reviews disagree)
//   POST /api/tasks/{id}/gold        (admin; the task becomes a hidden check of reviewers)
//   GET  /api/whoami                 {"accounts","reviewer","role"}
//   GET  /api/reviewers              (admin) accounts: name, role, disabled, created_ns
//   POST /api/reviewers/disable      {"name"} (admin)
// Accounts: once the queue has a reviewer account (`longtail reviewers add`), every API call must
// carry "Authorization: Bearer <token>"; the account's name is the reviewer (a "reviewer" in the
// body is ignored) and its role bounds what it may do. Without accounts the body names the
// reviewer and anything goes, and Bind() refuses a non-loopback address unless
// insecure_no_accounts. The static page needs no token: it asks for one when the API says 401.
// Gold tasks (hidden checks of reviewers) are served as if fresh: see AsReviewersSeeIt.
// Errors answer {"error": message} with 400 (malformed), 401 (no, a wrong or a disabled token),
// 403 (role too low), 404 (unknown task, frame or camera), 409 (stale or foreign claim), 413 (body
// too large), 429 (too many failed logins from the address) or 500 (database or log unusable).
#pragma once

#include <filesystem>
#include <memory>

#include "labeling/queue/review_queue.h"
#include "labeling/review/review_options.pb.h"

namespace longtail::labeling::review {

class ReviewServer {
 public:
  // Takes the queue the API serves; nothing listens until Bind(). Throws std::runtime_error when
  // the TLS certificate or key cannot be used.
  ReviewServer(std::unique_ptr<ReviewQueue> queue, const proto::ReviewServerOptions& options);
  ~ReviewServer();
  ReviewServer(const ReviewServer&) = delete;
  ReviewServer& operator=(const ReviewServer&) = delete;

  // Binds options.host:options.port (port 0: any free port) and returns the bound port. Throws
  // std::runtime_error when the address cannot be bound, or is not loopback while the queue has
  // no reviewer account and options.insecure_no_accounts is false.
  int Bind();
  // Answers requests until Stop(); call after Bind(), from any thread.
  void Serve();
  // Makes Serve() return; safe from any thread and before Serve() started.
  void Stop();

  // Where the page's files are served from.
  const std::string& web_root() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The folder the build copied the page (and three.js) into.
std::string BuiltWebRoot();
// Where the page is served from by default: `share/longtail/web` beside the `bin/` that holds
// `executable` when `cmake --install` put it there, else the build's copy (BuiltWebRoot).
std::string DefaultWebRoot(const std::filesystem::path& executable);

}  // namespace longtail::labeling::review
