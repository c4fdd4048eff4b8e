// End to end, verdicts flowing back: the synthesiser's catalog is mined into a queue, false alarms
// are planted on hard-negative logs, scripted reviewers review everything through the review
// server's HTTP API (accepting what the ground truth says is real, rejecting the planted ones as
// false alarms), and `longtail queue report` must give back the precisions the script produced and
// a threshold that separates real from planted episodes. Then two tasks become gold: a perfect
// reviewer agrees with gold every time, one who accepts everything does not.
// clang-format off: Eigen (through the queue's headers) before httplib.h, whose <resolv.h>
// defines a `_res` macro that breaks Eigen's headers.
#include "labeling/queue/review_queue.h"
#include "labeling/review/review_server.h"
// clang-format on
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "tests/labeling/queue/cli_util.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Quote;
using testing::RunCli;

const std::vector<std::string> kPositives = {"lead_vehicle_hard_brake", "vehicle_cut_in_short_gap",
                                             "child_runs_into_road"};
const std::vector<std::string> kHardNegatives = {"stopped_traffic_safe_gap",
                                                 "parked_cars_both_sides"};

fs::path Synthesise(const fs::path& dir, const std::string& scenario) {
  const fs::path out = dir / scenario;
  const auto result = RunCli(
      "synth " +
      Quote(std::string(LONGTAIL_SOURCE_DIR) + "/sample_logs/scenarios/" + scenario + ".pbtxt") +
      " -o " + Quote(out.string()) + " --seed 1 > /dev/null");
  EXPECT_EQ(result.exit_code, 0) << scenario << ": " << result.err;
  return out / "2026_01_01" / "2026_01_01_drive_0001_sync";
}

// A false alarm planted on a hard-negative log: an episode of `detector` with numbers unlike the
// real ones (long time to collision, a wide gap).
TaskDraft Planted(const fs::path& log, const std::string& detector, std::int64_t first,
                  double severity, double number) {
  TaskDraft d;
  d.log_id = "planted:" + log.parent_path().parent_path().filename().string();
  d.log_path = log.string();
  d.log_format = "kitti-raw";
  d.detectors = detector;
  d.options_hash = "planted";
  d.first_frame = first;
  d.last_frame = first + 9;
  d.severity = severity;
  pipeline::Event e;
  e.detector = detector;
  e.type = detector;
  e.severity = severity;
  e.first_frame = e.peak_frame = first;
  e.last_frame = first + 9;
  e.values = detector == "low_ttc"
                 ? std::map<std::string, double>{{"ttc_s", number}, {"distance_m", 5 * number}}
                 : std::map<std::string, double>{{"time_gap_s", number}};
  d.events = {e};
  for (std::int64_t f = first; f <= first + 9; ++f) d.frames.push_back({f, {}, {}});
  return d;
}

// The review server over the queue file, on a free loopback port, for as long as it lives.
class Server {
 public:
  Server(const fs::path& dir, const std::string& queue, double gold_rate) {
    proto::QueueOptions queue_options;
    queue_options.set_gold_rate(gold_rate);
    proto::ReviewServerOptions options;
    options.set_port(0);
    fs::create_directories(dir / "web");
    options.set_web_root((dir / "web").string());
    server_ = std::make_unique<review::ReviewServer>(OpenQueue(queue, queue_options), options);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->Bind());
    thread_ = std::thread([this] { server_->Serve(); });
  }
  ~Server() {
    server_->Stop();
    thread_.join();
  }
  json Post(const std::string& path, const json& body) {
    const auto result = client_->Post(path.c_str(), body.dump(), "application/json");
    EXPECT_TRUE(result && result->status == 200) << path << " " << (result ? result->body : "");
    return result ? json::parse(result->body) : json();
  }
  json Get(const std::string& path) {
    const auto result = client_->Get(path.c_str());
    EXPECT_TRUE(result && result->status == 200) << path;
    return result ? json::parse(result->body) : json();
  }

 private:
  std::unique_ptr<review::ReviewServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::thread thread_;
};

// What the synthesiser says about a log: real events (a positive) or none (a hard negative).
bool IsHardNegative(const std::string& log_path) {
  std::ifstream in(fs::path(log_path) / "ground_truth.json");
  return json::parse(in).at("hard_negative").get<bool>();
}

// Claims until nothing is left and submits what `judge(task json)` says; returns tasks reviewed.
int ReviewAll(Server& server, const std::string& reviewer,
              const std::function<bool(const json&)>& judge) {
  int reviewed = 0;
  while (true) {
    const json claim = server.Post("/api/claim", {{"reviewer", reviewer}})["claim"];
    if (claim.is_null()) return reviewed;
    const std::string id = std::to_string(claim["task_id"].get<std::int64_t>());
    const bool real = judge(server.Get("/api/tasks/" + id));
    json body = {{"claim_id", claim["claim_id"]},
                 {"reviewer", reviewer},
                 {"verdict", real ? "accept" : "reject"}};
    if (!real) body["reject_reason"] = "false_alarm";
    server.Post("/api/tasks/" + id + "/submit", body);
    ++reviewed;
  }
}

bool GroundTruthJudge(const json& task) {
  return !IsHardNegative(task["task"]["log_path"].get<std::string>());
}

// (detector, type) -> (accepted, rejected) episodes, as the scripted reviewer decided them.
using Tally = std::map<std::pair<std::string, std::string>, std::pair<int, int>>;

TEST(FeedbackEndToEnd, ReportGivesBackReviewedPrecisionThresholdsAndGoldAgreement) {
  const fs::path dir = longtail::testing::ScratchDir();
  const std::string queue = (dir / "q.db").string();
  std::string logs;
  for (const auto& s : kPositives) logs += " " + Quote(Synthesise(dir, s).string());
  std::vector<fs::path> negatives;
  for (const auto& s : kHardNegatives) negatives.push_back(Synthesise(dir, s));
  const auto mined = RunCli("mine" + logs + " --queue " + Quote(queue) + " > /dev/null");
  ASSERT_EQ(mined.exit_code, 0) << mined.err;
  {
    std::vector<TaskDraft> planted;
    for (std::size_t i = 0; i < negatives.size(); ++i) {
      planted.push_back(Planted(negatives[i], "low_ttc", 0, 0.35, 4.0 + i));
      planted.push_back(Planted(negatives[i], "low_ttc", 20, 0.3, 6.0 + i));
      planted.push_back(Planted(negatives[i], "cut_in", 10, 0.4, 2.5 + i));
    }
    ASSERT_EQ(OpenQueue(queue)->Enqueue(planted).inserted, 6);
  }

  Tally expected;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> ttc, gap;
  {
    Server server(dir, queue, 0);
    const int reviewed = ReviewAll(server, "alice", [&](const json& task) {
      const bool real = GroundTruthJudge(task);
      for (const auto& e : task["events"]) {
        auto& [accepted, rejected] = expected[{e["detector"], e["type"]}];
        (real ? accepted : rejected) += 1;
        const json& values = e["values"];
        auto& into = e["detector"] == "low_ttc" ? ttc : gap;
        const char* name = e["detector"] == "low_ttc" ? "ttc_s" : "time_gap_s";
        if (values.contains(name) && (e["detector"] == "low_ttc" || e["detector"] == "cut_in")) {
          auto& [a, r] = into[e["detector"].get<std::string>()];
          (real ? a : r).push_back(values[name].get<double>());
        }
      }
      return real;
    });
    ASSERT_GE(reviewed, 9);
  }

  const auto report_run = RunCli("queue report --json --queue " + Quote(queue));
  ASSERT_EQ(report_run.exit_code, 0) << report_run.err;
  const json report = json::parse(report_run.out);
  // Every detector and type with the precision the reviewers' verdicts give.
  ASSERT_EQ(report["detectors"].size(), expected.size()) << report["detectors"].dump();
  for (const auto& d : report["detectors"]) {
    const auto& [accepted, rejected] = expected.at({d["detector"], d["type"]});
    EXPECT_EQ(d["accepted"], accepted) << d.dump();
    EXPECT_EQ(d["rejected"], rejected) << d.dump();
    EXPECT_DOUBLE_EQ(d["precision"].get<double>(),
                     static_cast<double>(accepted) / (accepted + rejected));
    if (rejected > 0) {
      EXPECT_EQ(d["reject_reasons"]["false_alarm"], rejected) << d.dump();
    }
  }
  EXPECT_EQ(expected.at({"low_ttc", "low_ttc"}).second, 4);
  EXPECT_EQ(expected.at({"cut_in", "cut_in"}).second, 2);
  // The suggested thresholds keep every real episode (95 % of three or fewer is all of them) and
  // drop every planted one: they lie between the real and the planted numbers.
  for (const auto& [detector, value, numbers] :
       {std::tuple{"low_ttc", "ttc_s", ttc["low_ttc"]}, {"cut_in", "time_gap_s", gap["cut_in"]}}) {
    const auto& [real, planted] = numbers;
    ASSERT_FALSE(real.empty()) << detector;
    json suggestion;
    for (const auto& t : report["thresholds"]) {
      if (t["detector"] == detector && t["value"] == value) suggestion = t;
    }
    ASSERT_FALSE(suggestion.is_null()) << detector << " " << value;
    EXPECT_EQ(suggestion["keep"], "<=") << suggestion.dump();
    EXPECT_EQ(suggestion["accepted_kept"], real.size()) << suggestion.dump();
    EXPECT_EQ(suggestion["rejected_dropped"], planted.size()) << suggestion.dump();
    const double threshold = suggestion["threshold"].get<double>();
    EXPECT_GE(threshold, *std::max_element(real.begin(), real.end()));
    EXPECT_LT(threshold, *std::min_element(planted.begin(), planted.end()));
  }

  // Gold: one real task and one planted one. Every claim of the two reviewers is a gold check
  // until they have seen both; then nothing is left to claim.
  std::int64_t real_task = 0, planted_task = 0;
  for (const auto& t : OpenQueue(queue)->ListTasks({})) {
    std::int64_t& pick = IsHardNegative(t.log_path) ? planted_task : real_task;
    if (pick == 0) pick = t.id;
  }
  ASSERT_GT(real_task, 0);
  ASSERT_GT(planted_task, 0);
  for (const std::int64_t id : {real_task, planted_task}) {
    const auto marked = RunCli("queue mark-gold " + std::to_string(id) +
                               " --reviewer lead --queue " + Quote(queue));
    ASSERT_EQ(marked.exit_code, 0) << marked.err;
  }
  {
    Server server(dir, queue, 1.0);
    EXPECT_EQ(ReviewAll(server, "perfect", GroundTruthJudge), 2);
    EXPECT_EQ(ReviewAll(server, "sloppy", [](const json&) { return true; }), 2);
  }
  const json after = json::parse(RunCli("queue report --json --queue " + Quote(queue)).out);
  std::map<std::string, json> reviewers;
  for (const auto& r : after["reviewers"]) reviewers[r["reviewer"]] = r;
  EXPECT_EQ(reviewers.at("perfect")["gold_checks"], 2);
  EXPECT_EQ(reviewers.at("perfect")["gold_agreement_rate"], 1.0);
  EXPECT_EQ(reviewers.at("sloppy")["gold_checks"], 2);
  EXPECT_EQ(reviewers.at("sloppy")["gold_agreement_rate"], 0.5);
  EXPECT_GE(reviewers.at("alice")["median_s_per_task"].get<double>(), 0.0);
  // Gold checks leave the report's precisions as they were.
  EXPECT_EQ(after["detectors"], report["detectors"]);
}

}  // namespace
}  // namespace longtail::labeling
