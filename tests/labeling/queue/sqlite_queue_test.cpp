// SQLite-only behaviour: the file format, WAL, and refusing files it must not touch.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "labeling/queue/review_queue.h"
#include "tests/labeling/queue/queue_test_util.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

namespace fs = std::filesystem;
using testing::Draft;

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs SQL on the file with a plain SQLite connection, as another program would.
void RawSql(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::string ExpectQueueError(const std::string& url, const proto::QueueOptions& options = {}) {
  try {
    OpenQueue(url, options);
  } catch (const QueueError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a QueueError opening " << url;
  return "";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SqliteQueue, NewDatabaseUsesWalAndTheCurrentSchema) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.5)});
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  sqlite3_prepare_v2(raw, "SELECT version FROM longtail_schema", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), kQueueSchemaVersion);
  sqlite3_finalize(statement);
  sqlite3_close(raw);
}

TEST(SqliteQueue, AcceptsSqliteUrlsAndPlainPaths) {
  const fs::path dir = longtail::testing::ScratchDir();
  OpenQueue("sqlite://" + (dir / "abs.db").string())->Enqueue({Draft("a", 0, 1, 0.5)});
  EXPECT_EQ(OpenQueue((dir / "abs.db").string())->CountTasks(), 1);
  EXPECT_TRUE(Contains(ExpectQueueError("mysql://host/db"), "unknown queue URL scheme"));
}

TEST(SqliteQueue, RefusesANewerSchemaAndLeavesTheFileUntouched) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.5)});
  RawSql(db, "PRAGMA journal_mode = DELETE; UPDATE longtail_schema SET version = 99;");
  const std::string before = ReadBytes(db);
  const std::string error = ExpectQueueError(db.string());
  EXPECT_TRUE(Contains(error, "newer")) << error;
  EXPECT_TRUE(Contains(error, "99")) << error;
  EXPECT_EQ(ReadBytes(db), before);
}

TEST(SqliteQueue, RefusesAForeignSqliteFileAndLeavesItUntouched) {
  const fs::path db = longtail::testing::ScratchDir() / "other.db";
  RawSql(db, "CREATE TABLE photos (id INTEGER, name TEXT); INSERT INTO photos VALUES (1, 'x');");
  const std::string before = ReadBytes(db);
  const std::string error = ExpectQueueError(db.string());
  EXPECT_TRUE(Contains(error, "not a longtail review queue")) << error;
  EXPECT_TRUE(Contains(error, "photos")) << error;
  EXPECT_EQ(ReadBytes(db), before);
  EXPECT_FALSE(fs::exists(db.string() + "-wal"));
}

TEST(SqliteQueue, RefusesAFileThatIsNotADatabase) {
  const fs::path db = longtail::testing::ScratchDir() / "notes.db";
  std::ofstream(db) << "these are my notes, not a database, and they are long enough to fill a "
                       "header of one hundred bytes or so, which SQLite reads first.\n";
  const std::string before = ReadBytes(db);
  const std::string error = ExpectQueueError(db.string());
  EXPECT_TRUE(Contains(error, "not a usable SQLite database")) << error;
  EXPECT_EQ(ReadBytes(db), before);
}

TEST(SqliteQueue, RefusesATruncatedDatabase) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  {
    auto queue = OpenQueue(db.string());
    std::vector<TaskDraft> drafts;
    for (int i = 0; i < 200; ++i) drafts.push_back(Draft("log" + std::to_string(i), 0, 5, 0.5));
    queue->Enqueue(drafts);
  }
  RawSql(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
  const auto size = fs::file_size(db);
  ASSERT_GT(size, 8192u);
  fs::resize_file(db, size / 2);
  const std::string before = ReadBytes(db);
  const std::string error = ExpectQueueError(db.string());
  EXPECT_TRUE(Contains(error, "corrupt")) << error;
  EXPECT_EQ(ReadBytes(db), before);
}

TEST(SqliteQueue, ALockedDatabaseFailsClearlyAndWritesNothing) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.5)});
  proto::QueueOptions options;
  options.set_busy_timeout_ms(100);
  auto queue = OpenQueue(db.string(), options);
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  try {
    queue->Enqueue({Draft("b", 0, 1, 0.5)});
    ADD_FAILURE() << "expected QueueError";
  } catch (const QueueError& e) {
    EXPECT_TRUE(Contains(e.what(), "locked")) << e.what();
  }
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_EQ(queue->CountTasks(), 1);
}

TEST(SqliteQueue, AReadOnlyFileIsRefusedForWriting) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.5)});
  RawSql(db, "PRAGMA journal_mode = DELETE;");
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  EXPECT_TRUE(Contains(ExpectQueueError(db.string()), "read-only"));
}

TEST(SqliteQueue, ReadOnlyModeReadsButNeverWrites) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.5)});
  proto::QueueOptions options;
  options.set_read_only(true);
  auto queue = OpenQueue(db.string(), options);
  EXPECT_EQ(queue->CountTasks(), 1);
  EXPECT_EQ(queue->Stats().queued, 1);
  EXPECT_THROW(queue->Enqueue({Draft("b", 0, 1, 0.5)}), QueueError);
  EXPECT_THROW(queue->Claim("alice"), QueueError);
  EXPECT_EQ(queue->CountTasks(), 1);
  EXPECT_TRUE(
      Contains(ExpectQueueError((db.parent_path() / "none.db").string(), options), "cannot open"));
}

// Takes a version 5 database back to version 4's tables.
const std::string kDropVersion5 = "DROP TABLE reviewers; ";
// Takes a version 5 database back to version 3's tables.
const std::string kDropVersion4 =
    kDropVersion5 +
    "DROP INDEX tasks_gold; ALTER TABLE tasks DROP COLUMN gold; "
    "ALTER TABLE tasks DROP COLUMN features_json; ALTER TABLE tasks DROP COLUMN reject_reason; "
    "ALTER TABLE reviews DROP COLUMN reject_reason; ALTER TABLE reviews DROP COLUMN gold_check; "
    "ALTER TABLE reviews DROP COLUMN agrees_gold; ";

TEST(SqliteQueue, MigratesAVersionThreeDatabaseToRejectReasonsAndGold) {
  // Version 3 reviews said nothing about why a task was rejected and knew no gold: after the
  // migration old reviews have no reason, old tasks are not gold, and both work from then on.
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  {
    auto queue = OpenQueue(db.string());
    queue->Enqueue({Draft("a", 0, 1, 0.9), Draft("b", 0, 1, 0.5)});
    const auto claim = queue->Claim("alice");
    queue->Submit({claim->claim_id, "alice", Verdict::kReject, {}, "noise", {}});
  }
  RawSql(db, kDropVersion4 + "UPDATE longtail_schema SET version = 3;");
  auto queue = OpenQueue(db.string());
  EXPECT_EQ(queue->Stats().schema_version, kQueueSchemaVersion);
  const auto old_task = queue->GetTask(1);
  ASSERT_TRUE(old_task);
  EXPECT_EQ(old_task->summary.state, TaskState::kRejected);
  EXPECT_FALSE(old_task->final_reject_reason.has_value());
  EXPECT_FALSE(old_task->reviews.at(0).reject_reason.has_value());
  EXPECT_FALSE(old_task->summary.gold);
  const auto claim = queue->Claim("bob");
  ASSERT_TRUE(claim);
  queue->Submit({claim->claim_id, "bob", Verdict::kReject, {}, "", RejectReason::kNotWorthReview});
  const auto new_task = queue->GetTask(2);
  EXPECT_EQ(new_task->reviews.at(0).reject_reason, RejectReason::kNotWorthReview);
  EXPECT_EQ(new_task->final_reject_reason, RejectReason::kNotWorthReview);
  queue->MarkGold(1, "lead");
  EXPECT_TRUE(queue->GetTask(1)->summary.gold);
}

TEST(SqliteQueue, MigratesAVersionFourDatabaseToAccounts) {
  // Version 4 had no accounts: after the migration the tasks are intact, there is no account (the
  // review server keeps its loopback-only behaviour) and accounts can be added.
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.9)});
  RawSql(db, kDropVersion5 + "UPDATE longtail_schema SET version = 4;");
  auto queue = OpenQueue(db.string());
  EXPECT_EQ(queue->CountTasks(), 1);
  EXPECT_EQ(queue->CountReviewers(), 0);
  const std::int64_t id = queue->AddReviewer("alice", ReviewerRole::kAdmin, "$hash");
  EXPECT_EQ(queue->FindReviewer(id)->name, "alice");
}

TEST(SqliteQueue, MigratesAVersionOneDatabase) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.5)});
  RawSql(db, kDropVersion4 +
                 "DROP TABLE mined_logs; ALTER TABLE tasks DROP COLUMN peak_frame; "
                 "ALTER TABLE tasks DROP COLUMN episodes; UPDATE longtail_schema SET version = 1;");
  auto queue = OpenQueue(db.string());
  EXPECT_EQ(queue->CountTasks(), 1);
  EXPECT_FALSE(queue->IsMined("a", "opts-1"));
  queue->EnqueueAndMarkMined({}, {"a", "opts-1", "/data/a", 1});
  EXPECT_TRUE(queue->IsMined("a", "opts-1"));
}

TEST(SqliteQueue, MigratesAVersionTwoDatabaseToEpisodes) {
  // Version 2 tasks held merged events without a peak: after the migration their peak is their
  // first frame and their episode count unknown (-1); new tasks carry both.
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 4, 9, 0.5)});
  RawSql(db,
         kDropVersion4 +
             "ALTER TABLE tasks DROP COLUMN peak_frame; ALTER TABLE tasks DROP COLUMN episodes; "
             "UPDATE longtail_schema SET version = 2;");
  auto queue = OpenQueue(db.string());
  EXPECT_EQ(queue->Stats().schema_version, kQueueSchemaVersion);
  const auto old_task = queue->GetTask(1);
  ASSERT_TRUE(old_task);
  EXPECT_EQ(old_task->summary.peak_frame, 4);
  EXPECT_EQ(old_task->summary.episodes, -1);
  TaskDraft draft = Draft("b", 10, 20, 0.7);
  pipeline::Event mild, worst;
  mild.severity = 0.6;
  mild.peak_frame = 12;
  worst.severity = 0.7;
  worst.peak_frame = 17;
  draft.events = {mild, worst};
  queue->Enqueue({draft});
  const auto new_task = queue->GetTask(2);
  ASSERT_TRUE(new_task);
  EXPECT_EQ(new_task->summary.peak_frame, 17);
  EXPECT_EQ(new_task->summary.episodes, 2);
  EXPECT_EQ(new_task->events[1].peak_frame, 17);
}

TEST(SqliteQueue, TheAuditTrailIsAppendOnlyInTheDatabase) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string())->Enqueue({Draft("a", 0, 1, 0.5)});
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "UPDATE audit SET actor = 'x'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "DELETE FROM audit", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_EQ(OpenQueue(db.string())->AuditTrail(1).size(), 1u);
}

TEST(SqliteQueue, AMissingFolderIsAClearError) {
  EXPECT_TRUE(Contains(ExpectQueueError("/nonexistent-dir-xyz/q.db"), "cannot open"));
}

}  // namespace
}  // namespace longtail::labeling
