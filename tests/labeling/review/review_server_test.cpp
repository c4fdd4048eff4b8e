#include "labeling/review/review_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/test_support.h"

namespace longtail::labeling::review {
namespace {

using nlohmann::json;

constexpr std::int64_t kStart = 1'700'000'000'000'000'000;  // ns

sensors::LabeledBox Car(double x, int track_id) {
  sensors::LabeledBox box;
  box.box.center = {x, 2.0, -0.9};
  box.box.length = 4.2;
  box.box.width = 1.8;
  box.box.height = 1.5;
  box.object_class = sensors::ObjectClass::kCar;
  box.track_id = track_id;
  box.score = 0.8;
  return box;
}

// A window of frames 3..5 of `log_path`, one car per frame.
TaskDraft Draft(const std::string& log_path, double severity, const std::string& detector) {
  TaskDraft d;
  d.log_id = "drive";
  d.log_path = log_path;
  d.log_format = "kitti-raw";
  d.detectors = detector;
  d.options_hash = "h";
  d.first_frame = 3;
  d.last_frame = 5;
  d.start = sensors::FromNanos(kStart);
  d.end = sensors::FromNanos(kStart + 200'000'000);
  d.severity = severity;
  pipeline::Event event;
  event.detector = detector;
  event.type = "object_in_corridor";
  event.severity = severity;
  event.first_frame = 3;
  event.last_frame = 5;
  event.track_ids = {7};
  event.reason = "car #7 in the ego corridor 12.4 m ahead";
  d.events = {event};
  for (int i = 3; i <= 5; ++i) {
    d.frames.push_back({i, sensors::FromNanos(kStart + (i - 3) * 100'000'000), {Car(10 + i, 7)}});
  }
  return d;
}

// A queue file with three tasks over `log_path`, a review server on a free loopback port with a
// clock the test moves, and an HTTP client.
class ReviewServerTest : public ::testing::Test {
 protected:
  void Start(const std::string& log_path, proto::ReviewServerOptions options = {}) {
    const auto dir = longtail::testing::ScratchDir();
    url_ = (dir / "queue.db").string();
    proto::QueueOptions queue_options = queue_options_;
    queue_options.set_lease_s(60);
    auto clock = [now = now_] { return sensors::FromNanos(now->load()); };
    {
      auto queue = OpenQueue(url_, queue_options, clock);
      queue->Enqueue(
          {Draft(log_path, 0.9, "a"), Draft(log_path, 0.5, "b"), Draft(log_path, 0.1, "c")});
    }
    web_ = dir / "web";
    std::filesystem::create_directories(web_);
    std::ofstream(web_ / "index.html") << "<!doctype html><title>review</title>";
    options.set_port(0);
    options.set_web_root(web_.string());
    server_ = std::make_unique<ReviewServer>(OpenQueue(url_, queue_options, clock), options);
    port_ = server_->Bind();
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  struct Answer {
    int status = 0;
    json body;
    std::string raw;
    std::string content_type;
  };
  Answer Get(const std::string& path) { return Wrap(client_->Get(path.c_str())); }
  Answer Post(const std::string& path, const std::string& body) {
    return Wrap(client_->Post(path.c_str(), body, "application/json"));
  }
  Answer Post(const std::string& path, const json& body) { return Post(path, body.dump()); }
  static Answer Wrap(const httplib::Result& result) {
    Answer a;
    if (!result) return a;
    a.status = result->status;
    a.raw = result->body;
    a.content_type = result->get_header_value("Content-Type");
    if (a.content_type == "application/json") a.body = json::parse(result->body);
    return a;
  }

  json Claim(const std::string& reviewer) {
    const Answer a = Post("/api/claim", json{{"reviewer", reviewer}});
    EXPECT_EQ(a.status, 200);
    return a.body["claim"];
  }
  json Submit(const json& claim, const std::string& reviewer, json extra) {
    extra["claim_id"] = claim["claim_id"];
    extra["reviewer"] = reviewer;
    return extra;
  }
  std::string SubmitPath(const json& claim) {
    return "/api/tasks/" + std::to_string(claim["task_id"].get<std::int64_t>()) + "/submit";
  }
  static json CarJson(double x) {
    return {{"x", x},        {"y", 1.0},   {"z", -0.8},      {"length", 4.5}, {"width", 1.9},
            {"height", 1.6}, {"yaw", 0.3}, {"class", "Van"}, {"track_id", 7}};
  }
  TaskDetail Stored(std::int64_t task_id) { return *OpenQueue(url_)->GetTask(task_id); }

  std::shared_ptr<std::atomic<std::int64_t>> now_ =
      std::make_shared<std::atomic<std::int64_t>>(kStart);
  std::string url_;
  proto::QueueOptions queue_options_;
  std::filesystem::path web_;
  std::unique_ptr<ReviewServer> server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ReviewServerTest, ServesThePageFromTheWebRoot) {
  Start("/nonexistent/log");
  const Answer a = Get("/");
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.raw.find("<title>review</title>"), std::string::npos);
}

TEST_F(ReviewServerTest, AnswersUncompressedEvenWhenTheBrowserOffersBrotli) {
  Start("/nonexistent/log");
  const auto result = client_->Get("/api/tasks/1", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_FALSE(result->has_header("Content-Encoding"));
}

TEST_F(ReviewServerTest, APortInUseIsAnError) {
  Start("/nonexistent/log");
  proto::ReviewServerOptions options;
  options.set_port(port_);
  ReviewServer second(OpenQueue(url_), options);
  EXPECT_THROW(second.Bind(), std::runtime_error);
}

TEST_F(ReviewServerTest, BindsLoopbackByDefault) {
  EXPECT_EQ(proto::ReviewServerOptions().host(), "127.0.0.1");
}

TEST_F(ReviewServerTest, ListsTasksAndStats) {
  Start("/nonexistent/log");
  const Answer list = Get("/api/tasks");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["tasks"].size(), 3u);
  EXPECT_EQ(list.body["tasks"][0]["state"], "queued");
  EXPECT_EQ(Get("/api/stats").body["queued"], 3);
  EXPECT_EQ(Get("/api/tasks?state=claimed").body["tasks"].size(), 0u);
}

TEST_F(ReviewServerTest, BadListParametersAre400) {
  Start("/nonexistent/log");
  EXPECT_EQ(Get("/api/tasks?state=bogus").status, 400);
  EXPECT_EQ(Get("/api/tasks?limit=abc").status, 400);
  EXPECT_EQ(Get("/api/tasks?limit=0").status, 400);
}

TEST_F(ReviewServerTest, TaskDetailHasEventsWithReasonsAndPrelabels) {
  Start("/nonexistent/log");
  const Answer a = Get("/api/tasks/1");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["events"][0]["reason"], "car #7 in the ego corridor 12.4 m ahead");
  ASSERT_EQ(a.body["prelabels"].size(), 3u);
  EXPECT_EQ(a.body["prelabels"][0]["boxes"][0]["class"], "Car");
  EXPECT_EQ(a.body["prelabels"][0]["boxes"][0]["track_id"], 7);
}

TEST_F(ReviewServerTest, UnknownTaskIs404WithAMessage) {
  Start("/nonexistent/log");
  const Answer a = Get("/api/tasks/999");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body["error"], "no task 999");
  EXPECT_EQ(Get("/api/tasks/999/frames/3").status, 404);
  EXPECT_EQ(Post("/api/tasks/999/submit", json{{"claim_id", 1}}).status, 404);
  EXPECT_EQ(Get("/api/tasks/99999999999999999999999").status, 404);
}

TEST_F(ReviewServerTest, UnknownPathIs404InTheErrorShape) {
  Start("/nonexistent/log");
  const Answer a = Get("/api/nothing");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body["error"], "no such resource: GET /api/nothing");
}

TEST_F(ReviewServerTest, ClaimNeedsAReviewerName) {
  Start("/nonexistent/log");
  EXPECT_EQ(Post("/api/claim", std::string("not json")).status, 400);
  EXPECT_EQ(Post("/api/claim", std::string("[1]")).status, 400);
  EXPECT_EQ(Post("/api/claim", json::object()).body["error"], "request: 'reviewer' is missing");
  EXPECT_EQ(Post("/api/claim", json{{"reviewer", ""}}).status, 400);
  EXPECT_EQ(Post("/api/claim", json{{"reviewer", 5}}).status, 400);
  EXPECT_EQ(Post("/api/claim", json{{"reviewer", "a\nb"}}).status, 400);
  EXPECT_EQ(Get("/api/stats").body["claimed"], 0);
}

TEST(ReviewWebRoot, AnInstalledBinaryServesTheInstalledPageElseTheBuildsCopy) {
  const auto prefix = longtail::testing::ScratchDir() / "prefix";
  const auto executable = prefix / "bin" / "longtail";
  EXPECT_EQ(DefaultWebRoot(executable), BuiltWebRoot());
  std::filesystem::create_directories(prefix / "share" / "longtail" / "web");
  std::ofstream(prefix / "share" / "longtail" / "web" / "index.html") << "<title>review</title>";
  EXPECT_EQ(DefaultWebRoot(executable), (prefix / "share" / "longtail" / "web").string());
}

TEST_F(ReviewServerTest, ADeeplyNestedBodyIs400AndTheServerKeepsServing) {
  Start("/nonexistent/log");
  const int depth = 300000;
  const std::string body = R"({"claim_id":1,"reviewer":"ann","verdict":"correct","corrections":)" +
                           std::string(depth, '[') + std::string(depth, ']') + "}";
  const Answer answer = Post("/api/tasks/1/submit", body);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.body["error"], "the request body is JSON nested deeper than 64 levels");
  EXPECT_EQ(Post("/api/claim", json{{"reviewer", "ann"}}).status, 200);
}

TEST_F(ReviewServerTest, ClaimsHighestSeverityFirstAndNeverTheSameTaskTwice) {
  Start("/nonexistent/log");
  const json ann = Claim("ann");
  const json bob = Claim("bob");
  EXPECT_EQ(ann["task_id"], 1);
  EXPECT_EQ(bob["task_id"], 2);
  EXPECT_EQ(ann["lease_expires_ns"], kStart + 60'000'000'000);
  EXPECT_EQ(Claim("cid")["task_id"], 3);
  EXPECT_TRUE(Claim("dan").is_null());
}

TEST_F(ReviewServerTest, HeartbeatExtendsTheLease) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  *now_ += 30'000'000'000;
  const Answer a =
      Post("/api/heartbeat", json{{"claim_id", claim["claim_id"]}, {"reviewer", "ann"}});
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["lease_expires_ns"], kStart + 90'000'000'000);
}

TEST_F(ReviewServerTest, StaleLeaseIs409ForHeartbeatAndSubmit) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  *now_ += 61'000'000'000;
  const Answer beat =
      Post("/api/heartbeat", json{{"claim_id", claim["claim_id"]}, {"reviewer", "ann"}});
  EXPECT_EQ(beat.status, 409);
  EXPECT_FALSE(beat.body["error"].get<std::string>().empty());
  const Answer submit = Post(SubmitPath(claim), Submit(claim, "ann", {{"verdict", "accept"}}));
  EXPECT_EQ(submit.status, 409);
  EXPECT_FALSE(Stored(1).final_verdict.has_value());
}

TEST_F(ReviewServerTest, HeartbeatOnSomeoneElsesClaimIs409) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  EXPECT_EQ(
      Post("/api/heartbeat", json{{"claim_id", claim["claim_id"]}, {"reviewer", "bob"}}).status,
      409);
  EXPECT_EQ(Post("/api/heartbeat", json{{"claim_id", 4242}, {"reviewer", "ann"}}).status, 409);
  EXPECT_EQ(Post("/api/heartbeat", json{{"claim_id", "1"}, {"reviewer", "ann"}}).status, 400);
}

TEST_F(ReviewServerTest, AcceptResolvesTheTask) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  const Answer a = Post(SubmitPath(claim), Submit(claim, "ann", {{"verdict", "accept"}}));
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["state"], "accepted");
  EXPECT_EQ(Stored(1).final_verdict, Verdict::kAccept);
}

TEST_F(ReviewServerTest, CorrectionsAreStoredAsLabelsWithAnAuditTrail) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  const json body = Submit(claim, "ann",
                           {{"verdict", "correct"},
                            {"corrections", {{{"frame_index", 4}, {"boxes", {CarJson(15.25)}}}}},
                            {"comment", "moved"}});
  const Answer a = Post(SubmitPath(claim), body);
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["state"], "corrected");
  const TaskDetail task = Stored(1);
  ASSERT_EQ(task.final_labels.size(), 3u);
  const auto& box = task.final_labels[1].boxes.at(0);
  EXPECT_EQ(task.final_labels[1].frame_index, 4);
  EXPECT_EQ(task.final_labels[1].stamp, sensors::FromNanos(kStart + 100'000'000));
  EXPECT_EQ(box.box.center.x(), 15.25);
  EXPECT_EQ(box.box.length, 4.5);
  EXPECT_EQ(box.box.yaw, 0.3);
  EXPECT_EQ(box.object_class, sensors::ObjectClass::kVan);
  EXPECT_EQ(task.final_labels[0].boxes.at(0).box.center.x(), 13);  // untouched frame
  bool edit_audited = false;
  for (const auto& entry : OpenQueue(url_)->AuditTrail(1)) {
    edit_audited |= entry.action == "edit_labels" && entry.actor == "ann";
  }
  EXPECT_TRUE(edit_audited);
}

TEST_F(ReviewServerTest, RejectNeedsOneOfTheFourReasons) {
  // A free-text comment alone no longer explains a rejection: the reason must be one the report
  // can count. The comment stays, optional.
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  EXPECT_EQ(Post(SubmitPath(claim), Submit(claim, "ann", {{"verdict", "reject"}})).status, 400);
  EXPECT_EQ(Post(SubmitPath(claim),
                 Submit(claim, "ann", {{"verdict", "reject"}, {"comment", "sensor glitch"}}))
                .status,
            400);
  const Answer unknown = Post(
      SubmitPath(claim), Submit(claim, "ann", {{"verdict", "reject"}, {"reject_reason", "meh"}}));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body["error"].get<std::string>().find("false_alarm"), std::string::npos);
  EXPECT_EQ(Stored(1).summary.state, TaskState::kClaimed);
  const Answer a = Post(SubmitPath(claim), Submit(claim, "ann",
                                                  {{"verdict", "reject"},
                                                   {"comment", "sensor glitch"},
                                                   {"reject_reason", "false_alarm"}}));
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["state"], "rejected");
  EXPECT_EQ(Stored(1).reviews.at(0).comment, "sensor glitch");
  EXPECT_EQ(Stored(1).reviews.at(0).reject_reason, RejectReason::kFalseAlarm);
  EXPECT_EQ(Stored(1).final_reject_reason, RejectReason::kFalseAlarm);
  EXPECT_EQ(Get("/api/tasks/1").body["reviews"][0]["reject_reason"], "false_alarm");
}

TEST_F(ReviewServerTest, AGoldCheckLooksLikeAFreshTask) {
  queue_options_.set_gold_rate(0.5);
  Start("/nonexistent/log");
  const json first = Claim("ann");  // ann's first claim: not a gold check
  ASSERT_EQ(first["task_id"], 1);
  ASSERT_EQ(Post(SubmitPath(first),
                 Submit(first, "ann", {{"verdict", "reject"}, {"reject_reason", "wrong_box"}}))
                .status,
            200);
  OpenQueue(url_)->MarkGold(1, "lead");
  const json normal = Claim("bob");
  EXPECT_EQ(normal["task_id"], 2);
  ASSERT_EQ(
      Post("/api/release", json{{"claim_id", normal["claim_id"]}, {"reviewer", "bob"}}).status,
      200);
  const json check = Claim("bob");  // bob's second claim: the gold task
  ASSERT_EQ(check["task_id"], 1);
  const Answer shown = Get("/api/tasks/1");
  EXPECT_EQ(shown.body["task"]["state"], "claimed");
  EXPECT_EQ(shown.body["task"]["submitted_reviews"], 0);
  ASSERT_EQ(shown.body["reviews"].size(), 1u);
  EXPECT_EQ(shown.body["reviews"][0]["reviewer"], "bob");
  EXPECT_FALSE(shown.body.contains("final_verdict"));
  EXPECT_EQ(shown.raw.find("wrong_box"), std::string::npos);
  const Answer a = Post(SubmitPath(check), Submit(check, "bob", {{"verdict", "accept"}}));
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["state"], "accepted");  // as a fresh single-review task would answer
  const TaskDetail stored = Stored(1);
  EXPECT_EQ(stored.summary.state, TaskState::kRejected);
  EXPECT_EQ(stored.reviews.back().agrees_with_gold, false);
}

TEST_F(ReviewServerTest, MalformedSubmissionsAre400AndApplyNothing) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  auto with_box = [&](json box) {
    return Submit(
        claim, "ann",
        {{"verdict", "correct"}, {"corrections", {{{"frame_index", 4}, {"boxes", {box}}}}}});
  };
  json negative = CarJson(15);
  negative["length"] = -1;
  json huge = CarJson(15);
  huge["width"] = 1000;
  json far = CarJson(5000);
  json no_yaw = CarJson(15);
  no_yaw.erase("yaw");
  json bad_class = CarJson(15);
  bad_class["class"] = "Dragon";
  json text_x = CarJson(15);
  text_x["x"] = "15";
  json bad_track = CarJson(15);
  bad_track["track_id"] = -5;
  json bad_score = CarJson(15);
  bad_score["score"] = 2;
  const std::vector<json> bodies = {
      with_box(negative),
      with_box(huge),
      with_box(far),
      with_box(no_yaw),
      with_box(bad_class),
      with_box(text_x),
      with_box(bad_track),
      with_box(bad_score),
      with_box("a box"),
      Submit(claim, "ann", {{"verdict", "maybe"}}),
      Submit(claim, "ann", {{"verdict", "correct"}}),
      Submit(claim, "ann",
             {{"verdict", "correct"},
              {"corrections", {{{"frame_index", 9}, {"boxes", json::array()}}}}}),
      Submit(claim, "ann",
             {{"verdict", "correct"},
              {"corrections",
               {{{"frame_index", 4}, {"boxes", json::array()}},
                {{"frame_index", 4}, {"boxes", json::array()}}}}}),
      Submit(claim, "ann", {{"verdict", "correct"}, {"corrections", {{{"frame_index", 4}}}}}),
      Submit(claim, "ann",
             {{"verdict", "accept"},
              {"corrections", {{{"frame_index", 4}, {"boxes", json::array()}}}}}),
      Submit(claim, "ann", {{"verdict", "accept"}, {"corrections", "all"}}),
      json{{"verdict", "accept"}, {"reviewer", "ann"}},
  };
  for (const json& body : bodies) {
    const Answer a = Post(SubmitPath(claim), body);
    EXPECT_EQ(a.status, 400) << body.dump();
    EXPECT_FALSE(a.body.value("error", "").empty()) << body.dump();
  }
  const Answer named = Post(SubmitPath(claim), with_box(negative));
  EXPECT_EQ(named.body["error"], "frame 4, box: 'length' must be in (0, 60.000000] m");
  const TaskDetail task = Stored(1);
  EXPECT_EQ(task.summary.state, TaskState::kClaimed);
  EXPECT_EQ(task.reviews.at(0).state, ClaimState::kClaimed);
  // The claim is still good: a valid submission goes through after all the refusals.
  EXPECT_EQ(Post(SubmitPath(claim), with_box(CarJson(15))).status, 200);
}

TEST_F(ReviewServerTest, SubmittingWithAnotherReviewersOrAnotherTasksClaimIs409) {
  Start("/nonexistent/log");
  const json ann = Claim("ann");
  const json bob = Claim("bob");
  EXPECT_EQ(Post(SubmitPath(ann), Submit(ann, "bob", {{"verdict", "accept"}})).status, 409);
  const Answer cross = Post(SubmitPath(ann), Submit(bob, "bob", {{"verdict", "accept"}}));
  EXPECT_EQ(cross.status, 409);
  EXPECT_EQ(cross.body["error"], "claim 2 is not bob's claim on task 1");
  EXPECT_EQ(Stored(1).summary.state, TaskState::kClaimed);
  EXPECT_EQ(Stored(2).summary.state, TaskState::kClaimed);
}

TEST_F(ReviewServerTest, SubmittingTwiceIs409) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  EXPECT_EQ(Post(SubmitPath(claim), Submit(claim, "ann", {{"verdict", "accept"}})).status, 200);
  EXPECT_EQ(Post(SubmitPath(claim), Submit(claim, "ann", {{"verdict", "accept"}})).status, 409);
}

TEST_F(ReviewServerTest, OversizedBodyIs413) {
  proto::ReviewServerOptions options;
  options.set_max_body_bytes(1000);
  Start("/nonexistent/log", options);
  const json claim = Claim("ann");
  const Answer a =
      Post(SubmitPath(claim),
           Submit(claim, "ann", {{"verdict", "reject"}, {"comment", std::string(5000, 'x')}}));
  EXPECT_EQ(a.status, 413);
  EXPECT_EQ(a.body["error"], "the request body is larger than the server accepts");
  EXPECT_EQ(Stored(1).summary.state, TaskState::kClaimed);
}

TEST_F(ReviewServerTest, ReleasedTaskGoesBackToTheQueue) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  EXPECT_EQ(Post("/api/release", json{{"claim_id", claim["claim_id"]}, {"reviewer", "bob"}}).status,
            409);
  EXPECT_EQ(Post("/api/release", json{{"claim_id", claim["claim_id"]}, {"reviewer", "ann"}}).status,
            200);
  EXPECT_EQ(Stored(1).summary.state, TaskState::kQueued);
  EXPECT_EQ(Claim("bob")["task_id"], 1);
  EXPECT_EQ(Post("/api/release", json{{"claim_id", claim["claim_id"]}, {"reviewer", "ann"}}).status,
            409);
}

TEST_F(ReviewServerTest, SkippedTaskIsNotOfferedAgainToTheSameReviewer) {
  Start("/nonexistent/log");
  const json claim = Claim("ann");
  const Answer a =
      Post("/api/skip",
           json{{"claim_id", claim["claim_id"]}, {"reviewer", "ann"}, {"reason", "cannot tell"}});
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(Claim("ann")["task_id"], 2);
}

TEST_F(ReviewServerTest, UnreadableLogIs500AndFrameOutsideTheWindowIs404) {
  Start("/nonexistent/log");
  const Answer missing = Get("/api/tasks/1/frames/3");
  EXPECT_EQ(missing.status, 500);
  EXPECT_NE(missing.body["error"].get<std::string>().find("/nonexistent/log"), std::string::npos);
  EXPECT_EQ(Get("/api/tasks/1/frames/2").status, 404);
  EXPECT_EQ(Get("/api/tasks/1/frames/6/points").status, 404);
}

TEST_F(ReviewServerTest, ServesAKittiFramesPointsCalibrationAndImage) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");
  Start(drive.string());
  const Answer meta = Get("/api/tasks/1/frames/4");
  ASSERT_EQ(meta.status, 200) << meta.raw;
  EXPECT_EQ(meta.body["frame_index"], 4);
  const std::size_t count = meta.body["point_count"];
  EXPECT_GT(count, 50000u);
  ASSERT_FALSE(meta.body["cameras"].empty());
  const json camera = meta.body["cameras"][0];
  EXPECT_EQ(camera["projection"].size(), 12u);
  EXPECT_EQ(camera["camera_from_vehicle"].size(), 16u);

  const Answer points = Get("/api/tasks/1/frames/4/points");
  ASSERT_EQ(points.status, 200);
  EXPECT_EQ(points.content_type, "application/octet-stream");
  EXPECT_EQ(points.raw.size(), count * 16);

  const Answer image = Get(camera["image_url"].get<std::string>());
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.content_type, "image/png");
  EXPECT_EQ(image.raw.substr(1, 3), "PNG");

  EXPECT_EQ(Get("/api/tasks/1/frames/4/cameras/image_99/image").status, 404);
}

}  // namespace
}  // namespace longtail::labeling::review
