// `longtail queue ...` and the queue errors of `longtail mine`, through the real binary.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "labeling/queue/review_queue.h"
#include "tests/labeling/queue/cli_util.h"
#include "tests/labeling/queue/queue_test_util.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

namespace fs = std::filesystem;
using testing::Draft;
using testing::Quote;
using testing::RunCli;

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

long Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

fs::path QueueWithTasks(int n) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  std::vector<TaskDraft> drafts;
  for (int i = 0; i < n; ++i) drafts.push_back(Draft("log" + std::to_string(i), 0, 1, 0.1 * i));
  OpenQueue(db.string())->Enqueue(drafts);
  return db;
}

TEST(QueueCli, StatsCountsTasksAsJson) {
  const fs::path db = QueueWithTasks(3);
  const auto r = RunCli("queue stats --queue " + Quote(db.string()) + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["tasks"], 3);
  EXPECT_EQ(json["queued"], 3);
  EXPECT_EQ(json["backend"], "sqlite");
}

TEST(QueueCli, ClaimSubmitShowAndExportATask) {
  const fs::path db = QueueWithTasks(2);
  const std::string q = " --queue " + Quote(db.string()) + " --json";
  const auto claim = nlohmann::json::parse(RunCli("queue claim --reviewer alice" + q).out);
  ASSERT_TRUE(claim["claimed"].get<bool>());
  const std::string claim_id = std::to_string(claim["claim_id"].get<long>());
  const std::string task_id = std::to_string(claim["task_id"].get<long>());
  EXPECT_EQ(RunCli("queue heartbeat --reviewer alice --claim " + claim_id + q).exit_code, 0);

  const fs::path corrections = db.parent_path() / "fix.json";
  std::ofstream(corrections) << R"([{"frame_index": 1, "stamp_ns": 0, "boxes": [{"x_m": 9,
      "y_m": 0, "z_m": 0.8, "length_m": 4, "width_m": 2, "height_m": 1.5, "yaw_rad": 0,
      "class": "Van", "track_id": 1, "score": 1}]}])";
  const auto submit = RunCli("queue submit --reviewer alice --claim " + claim_id +
                             " --verdict correct --corrections " + Quote(corrections.string()) + q);
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_EQ(nlohmann::json::parse(submit.out)["task_state"], "corrected");

  const auto show = nlohmann::json::parse(RunCli("queue show " + task_id + q).out);
  EXPECT_EQ(show["state"], "corrected");
  EXPECT_EQ(show["final_labels"][1]["boxes"][0]["class"], "Van");
  EXPECT_EQ(show["reviews"][0]["reviewer"], "alice");
  EXPECT_FALSE(show["audit"].empty());

  const auto list = nlohmann::json::parse(RunCli("queue list --state queued" + q).out);
  EXPECT_EQ(list.size(), 1u);

  const fs::path out = db.parent_path() / "export.jsonl";
  EXPECT_EQ(RunCli("queue export --queue " + Quote(db.string()) + " --out " + Quote(out.string()))
                .exit_code,
            0);
  std::istringstream lines(ReadBytes(out));
  std::string line;
  int exported = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(nlohmann::json::parse(line)["final_verdict"], "correct");
    ++exported;
  }
  EXPECT_EQ(exported, 1);
}

TEST(QueueCli, ALostClaimIsOneErrorLineAndExitOne) {
  const fs::path db = QueueWithTasks(1);
  const auto r = RunCli("queue submit --queue " + Quote(db.string()) +
                        " --reviewer alice --claim 42 --verdict accept");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("no claim 42"), std::string::npos) << r.err;
}

TEST(QueueCli, ABadVerdictIsAUsageError) {
  const fs::path db = QueueWithTasks(1);
  const auto r = RunCli("queue submit --queue " + Quote(db.string()) +
                        " --reviewer alice --claim 1 --verdict maybe");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

// Each unusable queue: one clear line on stderr, exit code 1, and the file byte-identical.
void ExpectRefused(const fs::path& db, const std::string& expected) {
  const std::string before = ReadBytes(db);
  for (const std::string& command :
       {"queue stats --queue " + Quote(db.string()),
        "queue claim --reviewer alice --queue " + Quote(db.string()),
        "mine " + Quote(db.parent_path().string()) + " --queue " + Quote(db.string())}) {
    const auto r = RunCli(command);
    EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.err;
    EXPECT_EQ(Lines(r.err), 1) << command << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << command << "\n" << r.err;
  }
  EXPECT_EQ(ReadBytes(db), before);
  EXPECT_FALSE(fs::exists(db.string() + "-wal"));
}

TEST(QueueCli, ACorruptFileIsRefusedUntouched) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  std::ofstream(db) << std::string(4096, 'x');
  ExpectRefused(db, "not a usable SQLite database");
}

TEST(QueueCli, ATruncatedFileIsRefusedUntouched) {
  const fs::path db = QueueWithTasks(300);
  {
    sqlite3* raw = nullptr;
    sqlite3_open(db.c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;", nullptr,
                 nullptr, nullptr);
    sqlite3_close(raw);
  }
  fs::resize_file(db, fs::file_size(db) / 2);
  ExpectRefused(db, "corrupt");
}

TEST(QueueCli, AForeignSqliteFileIsRefusedUntouched) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  sqlite3* raw = nullptr;
  sqlite3_open(db.c_str(), &raw);
  sqlite3_exec(raw, "CREATE TABLE songs (title TEXT)", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  ExpectRefused(db, "not a longtail review queue");
}

TEST(QueueCli, AnUnreachablePostgresIsOneErrorLine) {
  const std::string url = "postgresql://postgres:secret@127.0.0.1:1/postgres?connect_timeout=2";
  for (const std::string& command :
       {"queue stats --queue " + Quote(url), "mine /nonexistent --queue " + Quote(url)}) {
    const auto r = RunCli(command);
    EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.err;
    EXPECT_EQ(Lines(r.err), 1) << command << "\n" << r.err;
    EXPECT_NE(r.err.find("cannot use the PostgreSQL queue"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("secret"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace longtail::labeling
