// Many processes on one queue: every task reviewed exactly once, and a killed reviewer's lease
// comes back. Runs against both backends; prints claims/s (a measurement, never asserted).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "labeling/queue/review_queue.h"
#include "tests/labeling/queue/queue_test_util.h"

extern char** environ;

namespace longtail::labeling {
namespace {

using testing::Draft;

// A child process whose stdout we read.
struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child Spawn(const std::vector<std::string>& args) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  child.out = ::fdopen(fds[0], "r");
  return child;
}

std::string ReadLine(FILE* in) {
  char buffer[256] = {0};
  if (std::fgets(buffer, sizeof(buffer), in) == nullptr) return "";
  return buffer;
}

int Wait(Child& child) {
  int status = 0;
  ::waitpid(child.pid, &status, 0);
  std::fclose(child.out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// "p<index>"; built by append because GCC 12 warns (-Wrestrict, a false positive) on
// "literal" + std::string at -O2.
std::string ProcessName(int index) {
  std::string name = "p";
  name.append(std::to_string(index));
  return name;
}

class QueueProcesses : public ::testing::TestWithParam<std::string> {};

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }
INSTANTIATE_TEST_SUITE_P(Backends, QueueProcesses, ::testing::Values("sqlite", "postgresql"),
                         BackendName);

TEST_P(QueueProcesses, EightProcessesOfFourThreadsReviewEveryTaskExactlyOnce) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  constexpr int kTasks = 2000, kProcesses = 8, kThreads = 4;
  {
    auto queue = OpenQueue(url);
    std::vector<TaskDraft> drafts;
    for (int i = 0; i < kTasks; ++i) {
      drafts.push_back(Draft("log" + std::to_string(i % 20), i, i, (i % 10) / 10.0));
    }
    ASSERT_EQ(queue->Enqueue(drafts).inserted, kTasks);
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<Child> children;
  for (int p = 0; p < kProcesses; ++p) {
    children.push_back(
        Spawn({QUEUE_WORKER_PATH, "review", url, ProcessName(p), std::to_string(kThreads)}));
  }
  long claims = 0;
  for (auto& child : children) {
    const std::string line = ReadLine(child.out);
    if (line.rfind("claims ", 0) == 0) claims += std::stol(line.substr(7));
    EXPECT_EQ(Wait(child), 0) << line;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[ measure ] %s: %ld claims+submits by %d processes x %d threads in %.2f s = %.0f "
      "claims/s\n",
      GetParam().c_str(), claims, kProcesses, kThreads, seconds, claims / seconds);
  EXPECT_EQ(claims, kTasks);

  auto queue = OpenQueue(url);
  const QueueStats stats = queue->Stats();
  EXPECT_EQ(stats.accepted, kTasks);
  EXPECT_EQ(stats.queued + stats.claimed + stats.submitted, 0);
  long reviewed = 0;
  TaskFilter page;
  page.limit = 500;
  while (true) {
    const auto tasks = queue->ListTasks(page);
    if (tasks.empty()) break;
    for (const auto& t : tasks) {
      EXPECT_EQ(t.submitted_reviews, 1) << "task " << t.id;
      EXPECT_EQ(t.live_claims, 0) << "task " << t.id;
      ++reviewed;
    }
    page.after_id = tasks.back().id;
  }
  EXPECT_EQ(reviewed, kTasks);
  long submitted = 0;
  for (const auto& r : queue->ReviewerAgreement()) {
    submitted += r.submitted;
    EXPECT_EQ(r.claims, r.submitted) << r.reviewer;  // no claim lost or abandoned
  }
  EXPECT_EQ(submitted, kTasks);
}

TEST_P(QueueProcesses, ATaskHeldByAKilledReviewerComesBackAfterItsLease) {
  LONGTAIL_REQUIRE_BACKEND(url, GetParam());
  OpenQueue(url)->Enqueue({Draft("a", 0, 1, 0.5)});
  constexpr double kLeaseS = 1.0;
  Child holder = Spawn({QUEUE_WORKER_PATH, "hold", url, "alice", std::to_string(kLeaseS)});
  const std::string line = ReadLine(holder.out);
  ASSERT_EQ(line.rfind("claimed ", 0), 0u) << line;
  const long task_id = std::stol(line.substr(8));
  ::kill(holder.pid, SIGKILL);
  Wait(holder);

  std::this_thread::sleep_for(std::chrono::duration<double>(kLeaseS + 0.2));
  auto queue = OpenQueue(url);
  const auto claim = queue->Claim("bob");
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->task_id, task_id);
  const auto audit = queue->AuditTrail(task_id);
  ASSERT_GE(audit.size(), 3u);
  EXPECT_EQ(audit[2].action, "expire");
  EXPECT_EQ(audit[2].actor, "system");
  EXPECT_EQ(queue->Submit({claim->claim_id, "bob", Verdict::kAccept, {}, "", {}}),
            TaskState::kAccepted);
}

}  // namespace
}  // namespace longtail::labeling
