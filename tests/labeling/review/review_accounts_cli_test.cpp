// `longtail reviewers` and `longtail review` with the real binary: a token is printed once and is
// not in the database file, and a network address without accounts is refused before listening.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "labeling/queue/review_queue.h"
#include "labeling/review/reviewer_tokens.h"
#include "tests/labeling/queue/cli_util.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

namespace fs = std::filesystem;
using testing::Quote;
using testing::RunCli;

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Every byte of the queue's SQLite files (the database, its write-ahead log and shared memory).
std::string RawBytes(const fs::path& db) {
  std::string bytes;
  for (const auto* suffix : {"", "-wal", "-shm"}) {
    std::ifstream in(db.string() + suffix, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return bytes;
}

TEST(ReviewersCli, AddPrintsATokenOnceThatTheDatabaseDoesNotHold) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  const std::string queue = Quote(db.string());
  const auto added = RunCli("reviewers add alice --role adjudicator --queue " + queue);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string token = Trimmed(added.out);
  const auto parts = review::SplitToken(token);
  ASSERT_TRUE(parts) << "not a token: " << token;
  const auto account = OpenQueue(db.string())->FindReviewer(parts->account_id);
  ASSERT_TRUE(account);
  EXPECT_EQ(account->name, "alice");
  EXPECT_EQ(account->role, ReviewerRole::kAdjudicator);
  EXPECT_TRUE(review::VerifyTokenSecret(account->token_hash, parts->secret));

  // Neither the token nor its secret is anywhere in the file's bytes; the hash is.
  const std::string raw = RawBytes(db);
  EXPECT_NE(raw.find(account->token_hash), std::string::npos) << "the row is in these bytes";
  EXPECT_EQ(raw.find(token), std::string::npos);
  EXPECT_EQ(raw.find(parts->secret), std::string::npos);
  EXPECT_EQ(raw.find(parts->secret.substr(0, 16)), std::string::npos);

  // A taken name is refused; list shows the account, disable turns it off.
  EXPECT_EQ(RunCli("reviewers add alice --queue " + queue).exit_code, 1);
  const auto list = RunCli("reviewers list --json --queue " + queue);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto accounts = nlohmann::json::parse(list.out);
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0]["name"], "alice");
  EXPECT_EQ(accounts[0]["role"], "adjudicator");
  EXPECT_EQ(accounts[0]["disabled"], false);
  EXPECT_EQ(list.out.find(parts->secret), std::string::npos);
  EXPECT_EQ(RunCli("reviewers disable alice --queue " + queue).exit_code, 0);
  EXPECT_TRUE(OpenQueue(db.string())->FindReviewer(parts->account_id)->disabled);
  EXPECT_EQ(RunCli("reviewers disable bob --queue " + queue).exit_code, 1);
  EXPECT_NE(RunCli("reviewers add carol --role boss --queue " + queue).exit_code, 0);
}

TEST(ReviewCli, ANetworkAddressWithoutAccountsIsRefusedWithOneClearLine) {
  const fs::path db = longtail::testing::ScratchDir() / "q.db";
  OpenQueue(db.string());
  // Were the server to start it would serve until ctest's timeout: that, too, fails the test.
  const auto run = RunCli("review --host 0.0.0.0 --port 0 --queue " + Quote(db.string()));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out.find("serving"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("refusing to listen on 0.0.0.0"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("longtail reviewers add"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

}  // namespace
}  // namespace longtail::labeling
