#include "labeling/review/review_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "labeling/queue/queue_json.h"
#include "labeling/review/review_json.h"
#include "labeling/review/reviewer_tokens.h"
#include "sensors/log_reader.h"

namespace longtail::labeling::review {
namespace {

using nlohmann::json;

void SendJson(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& message) {
  // RFC 7235: a 401 names the scheme that would be accepted.
  if (status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"longtail review\"");
  SendJson(res, {{"error", message}, {"status", status}}, status);
}

// Who makes a request. Without accounts in the queue nobody is authenticated: the body names the
// reviewer and every action is allowed, as on a server only its own machine can reach.
struct Identity {
  std::optional<std::string> name;  // the account's name when the server has accounts
  ReviewerRole role = ReviewerRole::kAdmin;
};

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::int64_t PathNumber(const httplib::Request& req, std::size_t group) {
  try {
    return std::stoll(req.matches[group].str());
  } catch (const std::exception&) {
    // Only digits reach here (the route's pattern), so this is an overflow.
    throw RequestError(404, "no such id: " + req.matches[group].str());
  }
}

// The task list's filter from the query (?state=&after=&limit=); RequestError 400 when malformed.
TaskFilter FilterOfQuery(const httplib::Request& req) {
  TaskFilter filter;
  if (req.has_param("state")) {
    filter.state = ParseTaskState(req.get_param_value("state"));
    if (!filter.state)
      throw RequestError(400, "unknown state '" + req.get_param_value("state") + "'");
  }
  try {
    if (req.has_param("after")) filter.after_id = std::stoll(req.get_param_value("after"));
    if (req.has_param("limit")) filter.limit = std::stoi(req.get_param_value("limit"));
  } catch (const std::exception&) {
    throw RequestError(400, "'after' and 'limit' must be integers");
  }
  if (filter.limit < 1 || filter.limit > 1000)
    throw RequestError(400, "'limit' must be in [1, 1000]");
  return filter;
}

// Decoded frames by (log path, frame index), least recently used dropped first. Reading a frame
// decodes a whole scan and an image; the page asks for its metadata, points and image in turn.
class FrameCache {
 public:
  explicit FrameCache(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  // Throws RequestError(404) when the log has no such frame, (500) when the log cannot be read.
  std::shared_ptr<const sensors::Frame> Get(const std::string& log_path, std::int64_t index) {
    std::lock_guard lock(mutex_);
    const Key key{log_path, index};
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == key) {
        entries_.splice(entries_.begin(), entries_, it);
        return it->second;
      }
    }
    sensors::IssueLog issues;
    std::optional<sensors::Frame> frame;
    try {
      frame = sensors::ReadFrameAt(log_path, index, issues);
    } catch (const sensors::LogError& e) {
      throw RequestError(500, std::string("the task's log cannot be read: ") + e.what());
    }
    if (!frame || frame->index != index) {
      std::string message = "frame " + std::to_string(index) + " is not in " + log_path;
      if (issues.count() > 0) message += " (" + sensors::ToString(issues.issues().front()) + ")";
      throw RequestError(404, message);
    }
    auto shared = std::make_shared<const sensors::Frame>(std::move(*frame));
    entries_.emplace_front(key, shared);
    if (entries_.size() > capacity_) entries_.pop_back();
    return shared;
  }

 private:
  using Key = std::pair<std::string, std::int64_t>;
  std::mutex mutex_;
  std::size_t capacity_;
  std::list<std::pair<Key, std::shared_ptr<const sensors::Frame>>> entries_;
};

}  // namespace

std::string BuiltWebRoot() { return LONGTAIL_REVIEW_WEB_DIR; }

std::string DefaultWebRoot(const std::filesystem::path& executable) {
  const std::filesystem::path installed =
      executable.parent_path().parent_path() / "share" / "longtail" / "web";
  std::error_code error;
  if (std::filesystem::exists(installed / "index.html", error)) return installed.string();
  return BuiltWebRoot();
}

struct ReviewServer::State {
  proto::ReviewServerOptions options;
  std::string web_root;
  // One ReviewQueue is one connection and not thread-safe; the HTTP worker threads take turns.
  std::mutex queue_mutex;
  std::unique_ptr<ReviewQueue> queue;
  std::map<std::int64_t, TaskSummary> summaries;  // by task id; guarded by queue_mutex
  FrameCache frames;
  std::unique_ptr<httplib::Server> http;
  // Accounts: once the queue has one it always will (accounts are disabled, never deleted).
  std::atomic<bool> accounts_exist{false};
  // Guards the two below.
  std::mutex auth_mutex;
  // Fingerprints of tokens whose secret verified, with the hash they verified against, so a
  // request costs one account lookup, not a password hash (~60 ms by design).
  std::map<std::string, std::string> verified_tokens;
  FailedLoginLimiter failed_logins;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> serving{false};

  State(std::unique_ptr<ReviewQueue> q, const proto::ReviewServerOptions& o)
      : options(o),
        web_root(o.web_root().empty()
                     ? DefaultWebRoot(std::filesystem::read_symlink("/proc/self/exe"))
                     : o.web_root()),
        queue(std::move(q)),
        frames(static_cast<std::size_t>(o.frame_cache_frames())),
        http(MakeHttpServer(o)),
        failed_logins(o.max_failed_logins(),
                      std::chrono::duration_cast<FailedLoginLimiter::Clock::duration>(
                          std::chrono::duration<double>(o.failed_login_window_s()))) {}

  static std::unique_ptr<httplib::Server> MakeHttpServer(const proto::ReviewServerOptions& o) {
    if (o.tls_cert_file().empty() && o.tls_key_file().empty()) {
      return std::make_unique<httplib::Server>();
    }
    if (o.tls_cert_file().empty() || o.tls_key_file().empty()) {
      throw std::runtime_error("TLS needs both a certificate and a key file");
    }
    auto server =
        std::make_unique<httplib::SSLServer>(o.tls_cert_file().c_str(), o.tls_key_file().c_str());
    if (!server->is_valid()) {
      throw std::runtime_error("cannot use the TLS certificate " + o.tls_cert_file() +
                               " with the key " + o.tls_key_file() +
                               " (unreadable, not PEM, or not a matching pair)");
    }
    return server;
  }

  bool AccountsExist() {
    if (accounts_exist) return true;
    std::lock_guard lock(queue_mutex);
    if (queue->CountReviewers() > 0) accounts_exist = true;
    return accounts_exist;
  }

  // The live account `token` belongs to; nullopt for a malformed, unknown, wrong or disabled one.
  std::optional<ReviewerAccount> Verify(const std::string& token) {
    const auto parts = SplitToken(token);
    if (!parts) return std::nullopt;
    std::optional<ReviewerAccount> account;
    {
      // Read on every request, so a disabled account is refused at once.
      std::lock_guard lock(queue_mutex);
      account = queue->FindReviewer(parts->account_id);
    }
    if (!account || account->disabled) return std::nullopt;
    const std::string fingerprint = TokenFingerprint(token);
    {
      std::lock_guard lock(auth_mutex);
      const auto it = verified_tokens.find(fingerprint);
      if (it != verified_tokens.end() && it->second == account->token_hash) return account;
    }
    if (!VerifyTokenSecret(account->token_hash, parts->secret)) return std::nullopt;
    std::lock_guard lock(auth_mutex);
    if (verified_tokens.size() >= 4096) verified_tokens.clear();
    verified_tokens[fingerprint] = account->token_hash;
    return account;
  }

  // Throws RequestError 429 (too many failed logins from this address), 401 (no, a wrong or a
  // disabled token) or 403 (the account's role is below `needed`).
  Identity Authenticate(const httplib::Request& req, ReviewerRole needed) {
    if (!AccountsExist()) return {};
    const auto now = FailedLoginLimiter::Clock::now();
    {
      std::lock_guard lock(auth_mutex);
      if (failed_logins.Blocked(req.remote_addr, now)) {
        throw RequestError(429, "too many failed logins from " + req.remote_addr +
                                    "; wait a minute before trying another token");
      }
    }
    const auto token = BearerToken(req.get_header_value("Authorization"));
    if (!token) {
      throw RequestError(
          401, "this server needs a reviewer token: send \"Authorization: Bearer <token>\"");
    }
    const auto account = Verify(*token);
    if (!account) {
      std::lock_guard lock(auth_mutex);
      failed_logins.RecordFailure(req.remote_addr, now);
      throw RequestError(401, "the token is wrong, or its account is disabled");
    }
    if (account->role < needed) {
      throw RequestError(403, account->name + " is " + std::string(ToString(account->role)) +
                                  "; this needs the role " + std::string(ToString(needed)) +
                                  (needed == ReviewerRole::kAdmin ? "" : " or admin"));
    }
    return {account->name, account->role};
  }

  // Authenticates, then runs `body(identity)` as Handle does.
  template <typename Body>
  void Api(const httplib::Request& req, httplib::Response& res, ReviewerRole needed, Body&& body) {
    Handle(res, [&] { body(Authenticate(req, needed)); });
  }

  // Runs `body` and turns every failure into an error answer: nothing a request sends can take the
  // server down or leave a half-applied change (the queue applies each call in one transaction).
  template <typename Body>
  void Handle(httplib::Response& res, Body&& body) {
    try {
      body();
    } catch (const RequestError& e) {
      SendError(res, e.status(), e.what());
    } catch (const TaskConflict& e) {
      SendError(res, 409, e.what());
    } catch (const QueueError& e) {
      SendError(res, 500, std::string("review queue: ") + e.what());
    } catch (const json::exception& e) {
      SendError(res, 400, std::string("malformed request: ") + e.what());
    } catch (const std::exception& e) {
      SendError(res, 500, e.what());
    }
  }

  TaskDetail Task(std::int64_t id) {
    std::lock_guard lock(queue_mutex);
    auto task = queue->GetTask(id);
    if (!task) throw RequestError(404, "no task " + std::to_string(id));
    return std::move(*task);
  }

  // A task's log and window never change, so frame requests look them up once rather than load
  // the whole task (its pre-labels can be megabytes) three times per frame.
  TaskSummary Summary(std::int64_t id) {
    {
      std::lock_guard lock(queue_mutex);
      const auto it = summaries.find(id);
      if (it != summaries.end()) return it->second;
    }
    const TaskSummary summary = Task(id).summary;
    std::lock_guard lock(queue_mutex);
    summaries.emplace(id, summary);
    return summary;
  }

  std::shared_ptr<const sensors::Frame> TaskFrame(const httplib::Request& req) {
    const std::int64_t id = PathNumber(req, 1);
    const std::int64_t index = PathNumber(req, 2);
    const TaskSummary summary = Summary(id);
    if (index < summary.first_frame || index > summary.last_frame) {
      throw RequestError(404, "frame " + std::to_string(index) + " is outside task " +
                                  std::to_string(id) + "'s window [" +
                                  std::to_string(summary.first_frame) + ", " +
                                  std::to_string(summary.last_frame) + "]");
    }
    return frames.Get(summary.log_path, index);
  }

  // Routes in registration order (cpp-httplib tries them in that order).
  void AddRoutes() {
    AddTaskRoutes();
    AddFrameRoutes();
    AddClaimRoutes();
    AddAdminRoutes();
  }

  static constexpr ReviewerRole kReviewer = ReviewerRole::kReviewer;

  // Who is asking, the queue's numbers, the task list and one task.
  void AddTaskRoutes() {
    http->Get("/api/whoami", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity& who) {
        SendJson(res, {{"accounts", who.name.has_value()},
                       {"reviewer", who.name ? json(*who.name) : json()},
                       {"role", who.name ? json(ToString(who.role)) : json()}});
      });
    });
    http->Get("/api/stats", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity&) {
        std::lock_guard lock(queue_mutex);
        SendJson(res, labeling::json::StatsToJson(queue->Stats()));
      });
    });
    http->Get("/api/tasks", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity&) {
        const TaskFilter filter = FilterOfQuery(req);
        std::vector<TaskSummary> tasks;
        {
          std::lock_guard lock(queue_mutex);
          tasks = queue->ListTasks(filter);
        }
        json out = json::array();
        for (const auto& t : tasks) out.push_back(SummaryToJson(t));
        SendJson(res, {{"tasks", out}});
      });
    });
    http->Get(R"(/api/tasks/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity&) {
        SendJson(res, TaskToJson(AsReviewersSeeIt(Task(PathNumber(req, 1)))));
      });
    });
  }

  // A frame of a task's window: its metadata, its points, a camera's image.
  void AddFrameRoutes() {
    http->Get(R"(/api/tasks/(\d+)/frames/(\d+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                Api(req, res, kReviewer, [&](const Identity&) {
                  SendJson(res, FrameToJson(PathNumber(req, 1), *TaskFrame(req)));
                });
              });
    http->Get(R"(/api/tasks/(\d+)/frames/(\d+)/points)",
              [this](const httplib::Request& req, httplib::Response& res) {
                Api(req, res, kReviewer, [&](const Identity&) {
                  const auto frame = TaskFrame(req);
                  res.set_header("Cache-Control", "no-store");
                  res.set_header("X-Point-Count", std::to_string(frame->lidar.points.size()));
                  res.set_content(PointsToBytes(*frame), "application/octet-stream");
                });
              });
    http->Get(R"(/api/tasks/(\d+)/frames/(\d+)/cameras/([^/]+)/image)",
              [this](const httplib::Request& req, httplib::Response& res) {
                Api(req, res, kReviewer, [&](const Identity&) {
                  const auto frame = TaskFrame(req);
                  const std::string name = req.matches[3].str();
                  for (const auto& camera : frame->cameras) {
                    if (camera.image.camera != name || !camera.image.data) continue;
                    const auto& bytes = *camera.image.data;
                    res.set_header("Cache-Control", "no-store");
                    res.set_content(reinterpret_cast<const char*>(bytes.data()), bytes.size(),
                                    camera.image.format == "png" ? "image/png" : "image/jpeg");
                    return;
                  }
                  throw RequestError(404, "frame " + std::to_string(frame->index) +
                                              " has no image from camera '" + name + "'");
                });
              });
  }

  // A reviewer's claim: take the next task, keep it, give it back, skip it, submit it.
  void AddClaimRoutes() {
    http->Post("/api/claim", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity& who) {
        const std::string reviewer = ParseReviewer(req.body, who.name);
        std::optional<ClaimedTask> claim;
        {
          std::lock_guard lock(queue_mutex);
          claim = queue->Claim(reviewer);
        }
        if (!claim) {
          SendJson(res, {{"claim", nullptr}, {"message", "no task is waiting for " + reviewer}});
          return;
        }
        SendJson(res, {{"claim",
                        {{"claim_id", claim->claim_id},
                         {"task_id", claim->task_id},
                         {"lease_expires_ns", sensors::ToNanos(claim->lease_expires)}}}});
      });
    });
    http->Post("/api/heartbeat", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity& who) {
        const ClaimRef ref = ParseClaimRef(req.body, who.name);
        std::lock_guard lock(queue_mutex);
        const auto expires = queue->Heartbeat(ref.claim_id, ref.reviewer);
        SendJson(res, {{"lease_expires_ns", sensors::ToNanos(expires)}});
      });
    });
    http->Post("/api/release", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity& who) {
        const ClaimRef ref = ParseClaimRef(req.body, who.name);
        std::lock_guard lock(queue_mutex);
        queue->Release(ref.claim_id, ref.reviewer);
        SendJson(res, {{"released", ref.claim_id}});
      });
    });
    http->Post("/api/skip", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, kReviewer, [&](const Identity& who) {
        const ClaimRef ref = ParseClaimRef(req.body, who.name);
        std::lock_guard lock(queue_mutex);
        const TaskState state = queue->Skip(ref.claim_id, ref.reviewer, ref.reason);
        SendJson(res, {{"state", std::string(ToString(state))}});
      });
    });
    http->Post(R"(/api/tasks/(\d+)/submit)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Api(req, res, kReviewer,
                     [&](const Identity& who) { Submit(PathNumber(req, 1), req.body, who, res); });
               });
  }

  // Above a reviewer: adjudicate, mark gold, list and disable accounts.
  void AddAdminRoutes() {
    http->Post(R"(/api/tasks/(\d+)/adjudicate)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Api(req, res, ReviewerRole::kAdjudicator, [&](const Identity& who) {
                   const std::int64_t task_id = PathNumber(req, 1);
                   std::lock_guard lock(queue_mutex);
                   const auto task = queue->GetTask(task_id);
                   if (!task) throw RequestError(404, "no task " + std::to_string(task_id));
                   Adjudication a = ParseAdjudication(req.body, task->summary, options, who.name);
                   StampLikePrelabels(a.corrections, *task);
                   const TaskState state = queue->Adjudicate(a);
                   SendJson(res, {{"task_id", task_id},
                                  {"state", std::string(ToString(state))},
                                  {"adjudicator", a.adjudicator}});
                 });
               });
    http->Post(R"(/api/tasks/(\d+)/gold)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Api(req, res, ReviewerRole::kAdmin, [&](const Identity& who) {
                   const std::int64_t task_id = PathNumber(req, 1);
                   const std::string actor = ParseReviewer(req.body, who.name);
                   std::lock_guard lock(queue_mutex);
                   queue->MarkGold(task_id, actor);
                   SendJson(res, {{"task_id", task_id}, {"gold", true}});
                 });
               });
    http->Get("/api/reviewers", [this](const httplib::Request& req, httplib::Response& res) {
      Api(req, res, ReviewerRole::kAdmin, [&](const Identity&) {
        std::vector<ReviewerAccount> accounts;
        {
          std::lock_guard lock(queue_mutex);
          accounts = queue->ListReviewers();
        }
        json out = json::array();
        for (const auto& a : accounts) {
          out.push_back({{"name", a.name},
                         {"role", std::string(ToString(a.role))},
                         {"disabled", a.disabled},
                         {"created_ns", sensors::ToNanos(a.created)}});
        }
        SendJson(res, {{"reviewers", out}});
      });
    });
    http->Post("/api/reviewers/disable",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Api(req, res, ReviewerRole::kAdmin, [&](const Identity&) {
                   const json body = json::parse(req.body);
                   if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
                     throw RequestError(400, "request: 'name' must be the account's name");
                   }
                   const std::string name = body["name"].get<std::string>();
                   std::lock_guard lock(queue_mutex);
                   queue->DisableReviewer(name);
                   SendJson(res, {{"disabled", name}});
                 });
               });
  }

  // Frames keep their stamps from the pre-labels: the page edits boxes, not time.
  static void StampLikePrelabels(std::vector<FramePrelabels>& corrections, const TaskDetail& task) {
    for (auto& frame : corrections) {
      for (const auto& pre : task.prelabels) {
        if (pre.frame_index == frame.frame_index) frame.stamp = pre.stamp;
      }
    }
  }

  void Submit(std::int64_t task_id, const std::string& body, const Identity& who,
              httplib::Response& res) {
    std::lock_guard lock(queue_mutex);
    const auto task = queue->GetTask(task_id);
    if (!task) throw RequestError(404, "no task " + std::to_string(task_id));
    SubmitRequest request = ParseSubmit(body, task->summary, options, who.name);
    // The claim must be this reviewer's on this task: a claim id from another task would otherwise
    // file the review under the wrong task.
    bool own_claim = false;
    for (const auto& review : task->reviews) {
      if (review.claim_id == request.submission.claim_id) {
        own_claim = review.reviewer == request.submission.reviewer;
      }
    }
    if (!own_claim) {
      throw RequestError(409, "claim " + std::to_string(request.submission.claim_id) + " is not " +
                                  request.submission.reviewer + "'s claim on task " +
                                  std::to_string(task_id));
    }
    StampLikePrelabels(request.submission.corrections, *task);
    TaskState state = queue->Submit(request.submission);
    // A gold check answers as a single review of a fresh task would, so it is not given away.
    if (task->summary.gold) {
      state = request.submission.verdict == Verdict::kReject    ? TaskState::kRejected
              : request.submission.verdict == Verdict::kCorrect ? TaskState::kCorrected
                                                                : TaskState::kAccepted;
    }
    SendJson(res, {{"task_id", task_id},
                   {"state", std::string(ToString(state))},
                   {"verdict", std::string(ToString(request.submission.verdict))}});
  }
};

ReviewServer::ReviewServer(std::unique_ptr<ReviewQueue> queue,
                           const proto::ReviewServerOptions& options)
    : state_(std::make_unique<State>(std::move(queue), options)) {
  State& s = *state_;
  s.http->set_payload_max_length(static_cast<std::size_t>(options.max_body_bytes()));
  // httplib serves each connection on one pool thread for as long as the browser keeps it alive; a
  // browser opens up to six per page, so a small pool makes the next reviewer wait for keep-alive
  // timeouts. A big pool and short keep-alive keep every page's requests flowing.
  const std::size_t threads = static_cast<std::size_t>(std::max(1, options.worker_threads()));
  s.http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.http->set_keep_alive_timeout(options.keep_alive_s());
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT lets a second server bind the same port and
  // silently take half the requests; a port in use must be an error.
  s.http->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // No response compression: httplib would brotli-compress three.js (1.5 MB) and a task's JSON on
  // every request, which takes seconds of CPU; the page is served to the same machine or a LAN.
  s.http->set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    // The server owns the request object; the handler type is const only by convention.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.AddRoutes();
  // Static files after the API so /api/... never falls through to the file system.
  s.http->set_mount_point("/", s.web_root);
  s.http->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        // Handlers always fill in a body; an empty one is httplib's own refusal (unknown path, body
        // over the limit): say what it was in the API's error shape.
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message = "no such resource: " + req.method + " " + req.path;
        if (res.status == 413) message = "the request body is larger than the server accepts";
        if (res.status == 400) message = "malformed HTTP request";
        SendError(res, res.status, message);
        return httplib::Server::HandlerResponse::Handled;
      }));
}

ReviewServer::~ReviewServer() { Stop(); }

int ReviewServer::Bind() {
  State& s = *state_;
  if (!IsLoopback(s.options.host()) && !s.options.insecure_no_accounts() && !s.AccountsExist()) {
    throw std::runtime_error(
        "refusing to listen on " + s.options.host() +
        ": the queue has no reviewer accounts, so anyone who reaches the port could review as "
        "anyone; add one with `longtail reviewers add NAME --role admin --queue URL`, or pass "
        "--insecure-no-accounts");
  }
  if (s.options.port() == 0) {
    const int port = s.http->bind_to_any_port(s.options.host());
    if (port <= 0) throw std::runtime_error("cannot bind " + s.options.host() + " on any port");
    return port;
  }
  if (!s.http->bind_to_port(s.options.host(), s.options.port())) {
    throw std::runtime_error("cannot bind " + s.options.host() + ":" +
                             std::to_string(s.options.port()) + " (in use, or not an address)");
  }
  return s.options.port();
}

void ReviewServer::Serve() {
  State& s = *state_;
  s.serving = true;
  if (!s.stop_requested) s.http->listen_after_bind();
  s.serving = false;
}

void ReviewServer::Stop() {
  State& s = *state_;
  s.stop_requested = true;
  // httplib's stop() only acts on a running loop; wait for a Serve() that is just starting.
  while (s.serving && !s.http->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  s.http->stop();
}

const std::string& ReviewServer::web_root() const { return state_->web_root; }

}  // namespace longtail::labeling::review
