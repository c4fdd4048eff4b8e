// Reviewer accounts on the review server: tokens, roles, the audit trail's names, failed-login
// limits, the refusal to serve a network without accounts, and HTTPS. In-process server on an
// ephemeral loopback port over a SQLite queue.
// clang-format off: Eigen (through the queue's headers) before httplib.h, whose <resolv.h>
// defines a `_res` macro that breaks Eigen's headers.
#include "labeling/queue/review_queue.h"
#include "labeling/review/review_server.h"
#include "labeling/review/reviewer_tokens.h"
// clang-format on
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/test_support.h"

namespace longtail::labeling::review {
namespace {

using nlohmann::json;
using Clock = FailedLoginLimiter::Clock;

TEST(ReviewerTokens, SplitGivesBackWhatJoinMade) {
  const std::string secret = NewTokenSecret();
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_NE(secret, NewTokenSecret());
  const auto parts = SplitToken(JoinToken(42, secret));
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->account_id, 42);
  EXPECT_EQ(parts->secret, secret);
}

TEST(ReviewerTokens, SplitRefusesMalformedTokens) {
  const std::string secret(64, 'a');
  EXPECT_FALSE(SplitToken(secret));                            // no id
  EXPECT_FALSE(SplitToken("." + secret));                      // empty id
  EXPECT_FALSE(SplitToken("0." + secret));                     // id not positive
  EXPECT_FALSE(SplitToken("x1." + secret));                    // id not a number
  EXPECT_FALSE(SplitToken("1." + secret + "a"));               // secret too long
  EXPECT_FALSE(SplitToken("1." + std::string(64, 'G')));       // secret not hex
  EXPECT_FALSE(SplitToken("99999999999999999999." + secret));  // id overflows
  EXPECT_TRUE(SplitToken("1." + secret));
}

TEST(ReviewerTokens, AHashVerifiesItsSecretOnlyAndHoldsNoCopyOfIt) {
  const std::string secret = NewTokenSecret();
  const std::string hash = HashTokenSecret(secret);
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find(secret), std::string::npos);
  EXPECT_NE(hash, HashTokenSecret(secret)) << "each hash has its own salt";
  EXPECT_TRUE(VerifyTokenSecret(hash, secret));
  EXPECT_FALSE(VerifyTokenSecret(hash, NewTokenSecret()));
  EXPECT_FALSE(VerifyTokenSecret("not a hash", secret));
  EXPECT_FALSE(VerifyTokenSecret("", secret));
}

TEST(ReviewerTokens, FingerprintsAreStableAndDifferPerToken) {
  EXPECT_EQ(TokenFingerprint("1.abc"), TokenFingerprint("1.abc"));
  EXPECT_NE(TokenFingerprint("1.abc"), TokenFingerprint("1.abd"));
  // A secret with letters past 'f' cannot appear in a hex fingerprint by chance ("abc" once did).
  EXPECT_EQ(TokenFingerprint("1.ghijklmnop").find("ghijklmnop"), std::string::npos);
}

TEST(ReviewerTokens, BearerTokenReadsOnlyTheBearerScheme) {
  EXPECT_EQ(BearerToken("Bearer 1.ab"), "1.ab");
  EXPECT_EQ(BearerToken("bearer  1.ab "), "1.ab");
  EXPECT_FALSE(BearerToken("Basic YWxpY2U6eA=="));
  EXPECT_FALSE(BearerToken("Bearer "));
  EXPECT_FALSE(BearerToken(""));
}

TEST(FailedLoginLimiter, BlocksAnAddressAfterMaxFailuresUntilTheWindowMovesOn) {
  FailedLoginLimiter limiter(3, std::chrono::seconds(60));
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.Blocked("10.0.0.1", t0 + std::chrono::seconds(i)));
    limiter.RecordFailure("10.0.0.1", t0 + std::chrono::seconds(i));
  }
  EXPECT_TRUE(limiter.Blocked("10.0.0.1", t0 + std::chrono::seconds(10)));
  EXPECT_FALSE(limiter.Blocked("10.0.0.2", t0 + std::chrono::seconds(10)));
  // The first failure leaves the window at t0 + 60 s: two remain, below the limit.
  EXPECT_TRUE(limiter.Blocked("10.0.0.1", t0 + std::chrono::seconds(59)));
  EXPECT_FALSE(limiter.Blocked("10.0.0.1", t0 + std::chrono::seconds(60)));
}

// A SQLite queue with one task needing two reviews, accounts of every role, and the server.
class ReviewAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = longtail::testing::ScratchDir();
    url_ = (dir_ / "queue.db").string();
    proto::QueueOptions queue_options;
    queue_options.set_required_reviews(2);
    auto queue = OpenQueue(url_, queue_options);
    TaskDraft d;
    d.log_id = "drive";
    d.log_path = "/nonexistent/log";
    d.log_format = "kitti-raw";
    d.detectors = "a";
    d.options_hash = "h";
    d.first_frame = 3;
    d.last_frame = 5;
    d.severity = 0.9;
    for (int i = 3; i <= 5; ++i) d.frames.push_back({i, sensors::FromNanos(i), {}});
    queue->Enqueue({d});
    queue_options_ = queue_options;
  }

  // Adds an account the way `longtail reviewers add` does; returns its token.
  std::string AddAccount(const std::string& name, ReviewerRole role) {
    const std::string secret = NewTokenSecret();
    const std::int64_t id =
        OpenQueue(url_, queue_options_)->AddReviewer(name, role, HashTokenSecret(secret));
    return JoinToken(id, secret);
  }

  void Start(proto::ReviewServerOptions options = {}) {
    std::filesystem::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>review</title>";
    options.set_port(0);
    options.set_web_root((dir_ / "web").string());
    server_ = std::make_unique<ReviewServer>(OpenQueue(url_, queue_options_), options);
    port_ = server_->Bind();
    thread_ = std::thread([this] { server_->Serve(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  struct Answer {
    int status = 0;
    json body;
    std::string www_authenticate;
  };
  static Answer Wrap(const httplib::Result& result) {
    Answer a;
    if (!result) return a;
    a.status = result->status;
    a.www_authenticate = result->get_header_value("WWW-Authenticate");
    if (result->get_header_value("Content-Type") == "application/json") {
      a.body = json::parse(result->body);
    }
    return a;
  }
  static httplib::Headers Auth(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
  Answer Get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    return Wrap(client.Get(path.c_str(), headers));
  }
  Answer Post(const std::string& path, const json& body, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    return Wrap(client.Post(path.c_str(), headers, body.dump(), "application/json"));
  }

  // Two reviews that disagree (accept vs reject): the task waits for an adjudicator.
  void Disagree(const std::string& token_a, const std::string& token_b) {
    const std::vector<std::pair<std::string, std::string>> reviews = {{token_a, "accept"},
                                                                      {token_b, "reject"}};
    for (const auto& [token, verdict] : reviews) {
      const Answer claim = Post("/api/claim", json::object(), Auth(token));
      ASSERT_EQ(claim.status, 200);
      json body = {{"claim_id", claim.body["claim"]["claim_id"]}, {"verdict", verdict}};
      if (verdict == "reject") body["reject_reason"] = "false_alarm";
      ASSERT_EQ(Post("/api/tasks/1/submit", body, Auth(token)).status, 200);
    }
    ASSERT_EQ(OpenQueue(url_)->GetTask(1)->summary.state, TaskState::kSubmitted);
  }

  std::filesystem::path dir_;
  std::string url_;
  proto::QueueOptions queue_options_;
  std::unique_ptr<ReviewServer> server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(ReviewAccountsTest, NoTokenOrAWrongOneIs401) {
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  Start();
  const Answer none = Get("/api/tasks/1");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.www_authenticate.rfind("Bearer", 0), 0u);
  EXPECT_NE(none.body["error"].get<std::string>().find("token"), std::string::npos);
  // The right id with another secret, an unknown id, garbage, another scheme.
  const std::string wrong_secret = alice.substr(0, alice.find('.') + 1) + NewTokenSecret();
  EXPECT_EQ(Get("/api/tasks/1", Auth(wrong_secret)).status, 401);
  EXPECT_EQ(Get("/api/tasks/1", Auth("999." + NewTokenSecret())).status, 401);
  EXPECT_EQ(Get("/api/tasks/1", Auth("garbage")).status, 401);
  EXPECT_EQ(Get("/api/tasks/1", {{"Authorization", "Basic YWxpY2U6eA=="}}).status, 401);
  // Every API route, reads and writes.
  EXPECT_EQ(Get("/api/stats").status, 401);
  EXPECT_EQ(Post("/api/claim", {{"reviewer", "alice"}}).status, 401);
  EXPECT_EQ(Get("/api/tasks/1/frames/3/points").status, 401);
  EXPECT_EQ(OpenQueue(url_)->Stats().claimed, 0) << "a refused claim claims nothing";
  // The page itself needs no token: it asks for one.
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(ReviewAccountsTest, AReviewersTokenGetsTheTaskAndTheAuditNamesTheAccount) {
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  Start();
  const Answer who = Get("/api/whoami", Auth(alice));
  EXPECT_EQ(who.status, 200);
  EXPECT_EQ(who.body["accounts"], true);
  EXPECT_EQ(who.body["reviewer"], "alice");
  EXPECT_EQ(who.body["role"], "reviewer");
  const Answer task = Get("/api/tasks/1", Auth(alice));
  ASSERT_EQ(task.status, 200);
  EXPECT_EQ(task.body["task"]["id"], 1);

  // The typed name is overruled by the token's account: claims, submits and the audit trail.
  const Answer claim = Post("/api/claim", {{"reviewer", "mallory"}}, Auth(alice));
  ASSERT_EQ(claim.status, 200);
  const json claim_id = claim.body["claim"]["claim_id"];
  EXPECT_EQ(
      Post("/api/heartbeat", {{"claim_id", claim_id}, {"reviewer", "mallory"}}, Auth(alice)).status,
      200);
  EXPECT_EQ(
      Post("/api/tasks/1/submit",
           {{"claim_id", claim_id}, {"reviewer", "mallory"}, {"verdict", "accept"}}, Auth(alice))
          .status,
      200);
  const auto detail = OpenQueue(url_)->GetTask(1);
  ASSERT_EQ(detail->reviews.size(), 1u);
  EXPECT_EQ(detail->reviews[0].reviewer, "alice");
  std::vector<std::string> actors;
  for (const auto& a : OpenQueue(url_)->AuditTrail(1)) {
    if (a.action == "claim" || a.action == "submit") actors.push_back(a.actor);
  }
  EXPECT_EQ(actors, (std::vector<std::string>{"alice", "alice"}));
}

TEST_F(ReviewAccountsTest, OnlyAdjudicatorsAndAdminsAdjudicate) {
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  const std::string bob = AddAccount("bob", ReviewerRole::kReviewer);
  const std::string lead = AddAccount("lead", ReviewerRole::kAdjudicator);
  Start();
  Disagree(alice, bob);
  const json decision = {{"verdict", "accept"}, {"comment", "it is a car"}};
  const Answer refused = Post("/api/tasks/1/adjudicate", decision, Auth(alice));
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body["error"].get<std::string>().find("adjudicator"), std::string::npos);
  EXPECT_EQ(OpenQueue(url_)->GetTask(1)->summary.state, TaskState::kSubmitted);

  json typed = decision;
  typed["reviewer"] = "somebody-else";
  const Answer decided = Post("/api/tasks/1/adjudicate", typed, Auth(lead));
  ASSERT_EQ(decided.status, 200) << decided.body.dump();
  EXPECT_EQ(decided.body["state"], "accepted");
  const auto audit = OpenQueue(url_)->AuditTrail(1);
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "adjudicate");
  EXPECT_EQ(audit.back().actor, "lead");
}

TEST_F(ReviewAccountsTest, OnlyAdminsMarkGoldAndManageAccounts) {
  const std::string lead = AddAccount("lead", ReviewerRole::kAdjudicator);
  const std::string root = AddAccount("root", ReviewerRole::kAdmin);
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  const std::string bob = AddAccount("bob", ReviewerRole::kReviewer);
  Start();
  Disagree(alice, bob);
  ASSERT_EQ(Post("/api/tasks/1/adjudicate", {{"verdict", "accept"}}, Auth(root)).status, 200)
      << "an admin may adjudicate too";
  EXPECT_EQ(Post("/api/tasks/1/gold", json::object(), Auth(lead)).status, 403);
  EXPECT_EQ(Get("/api/reviewers", Auth(lead)).status, 403);
  EXPECT_EQ(Post("/api/reviewers/disable", {{"name", "bob"}}, Auth(alice)).status, 403);
  EXPECT_FALSE(OpenQueue(url_)->GetTask(1)->summary.gold);

  EXPECT_EQ(Post("/api/tasks/1/gold", json::object(), Auth(root)).status, 200);
  EXPECT_TRUE(OpenQueue(url_)->GetTask(1)->summary.gold);
  EXPECT_EQ(OpenQueue(url_)->AuditTrail(1).back().actor, "root");
  const Answer list = Get("/api/reviewers", Auth(root));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["reviewers"].size(), 4u);
  EXPECT_FALSE(list.body["reviewers"][0].contains("token_hash"));
  EXPECT_EQ(Post("/api/reviewers/disable", {{"name", "bob"}}, Auth(root)).status, 200);
  EXPECT_EQ(Get("/api/stats", Auth(bob)).status, 401);
}

TEST_F(ReviewAccountsTest, ADisabledAccountIs401AtOnceEvenWhenItsTokenWasVerifiedBefore) {
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  Start();
  ASSERT_EQ(Get("/api/stats", Auth(alice)).status, 200);
  // Disabled from another process (`longtail reviewers disable`) while the server runs.
  OpenQueue(url_)->DisableReviewer("alice");
  EXPECT_EQ(Get("/api/stats", Auth(alice)).status, 401);
}

TEST_F(ReviewAccountsTest, AnAccountAddedWhileServingTurnsLoginOn) {
  Start();
  EXPECT_EQ(Get("/api/whoami").body["accounts"], false);
  EXPECT_EQ(Post("/api/claim", {{"reviewer", "anyone"}}).status, 200);
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  EXPECT_EQ(Get("/api/stats").status, 401);
  EXPECT_EQ(Get("/api/stats", Auth(alice)).status, 200);
}

TEST_F(ReviewAccountsTest, FailedLoginsFromOneAddressAre429EvenWithTheRightToken) {
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  proto::ReviewServerOptions options;
  options.set_max_failed_logins(5);
  Start(options);
  // Unknown ids and a known one with a wrong secret count alike.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Get("/api/stats", Auth(std::to_string(900 + i) + "." + NewTokenSecret())).status, 401)
        << i;
  }
  EXPECT_EQ(Get("/api/stats", Auth("1." + NewTokenSecret())).status, 401);
  const Answer blocked = Get("/api/stats", Auth(alice));
  EXPECT_EQ(blocked.status, 429);
  EXPECT_NE(blocked.body["error"].get<std::string>().find("too many failed logins"),
            std::string::npos);
}

TEST_F(ReviewAccountsTest, ANetworkAddressNeedsAccountsOrTheInsecureFlag) {
  proto::ReviewServerOptions options;
  options.set_host("0.0.0.0");
  options.set_port(0);
  try {
    ReviewServer server(OpenQueue(url_), options);
    server.Bind();
    ADD_FAILURE() << "bound 0.0.0.0 without accounts";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no reviewer accounts"), std::string::npos) << message;
    EXPECT_NE(message.find("--insecure-no-accounts"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
  }
  options.set_insecure_no_accounts(true);
  {
    ReviewServer insecure(OpenQueue(url_), options);
    EXPECT_GT(insecure.Bind(), 0);
  }
  options.set_insecure_no_accounts(false);
  AddAccount("root", ReviewerRole::kAdmin);
  ReviewServer with_accounts(OpenQueue(url_), options);
  EXPECT_GT(with_accounts.Bind(), 0);
}

TEST_F(ReviewAccountsTest, ServesHttpsWithACertificateAndKey) {
  const auto cert = dir_ / "cert.pem", key = dir_ / "key.pem";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
      "subjectAltName=IP:127.0.0.1 -keyout '" +
      key.string() + "' -out '" + cert.string() + "' 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << "openssl could not make a test certificate";
  const std::string alice = AddAccount("alice", ReviewerRole::kReviewer);
  proto::ReviewServerOptions options;
  options.set_tls_cert_file(cert.string());
  options.set_tls_key_file(key.string());
  Start(options);
  httplib::SSLClient tls("127.0.0.1", port_);
  tls.set_ca_cert_path(cert.string().c_str());
  tls.enable_server_certificate_verification(true);
  const auto answer = tls.Get("/api/whoami", Auth(alice));
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(json::parse(answer->body)["reviewer"], "alice");
  // Plain HTTP gets no answer from a TLS port.
  httplib::Client plain("127.0.0.1", port_);
  plain.set_read_timeout(5, 0);
  const auto refused = plain.Get("/api/whoami", Auth(alice));
  EXPECT_TRUE(!refused || refused->status != 200);
}

TEST_F(ReviewAccountsTest, AnUnusableCertificateIsAnErrorBeforeListening) {
  proto::ReviewServerOptions options;
  options.set_tls_cert_file((dir_ / "missing.pem").string());
  options.set_tls_key_file((dir_ / "missing-key.pem").string());
  EXPECT_THROW({ ReviewServer server(OpenQueue(url_), options); }, std::runtime_error);
}

}  // namespace
}  // namespace longtail::labeling::review
