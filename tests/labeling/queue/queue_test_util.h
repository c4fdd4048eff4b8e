// Shared by the queue tests: fresh databases for each backend and small literal drafts.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "labeling/queue/review_queue.h"

namespace longtail::labeling::testing {

// The throwaway server's URL from scripts/start-test-postgres.sh, or nullopt.
std::optional<std::string> PostgresUrl();
// True under CI=true, where an absent PostgreSQL must fail the test rather than skip it.
bool InCi();

// A URL for a fresh, empty queue of `backend` ("sqlite" or "postgresql"): an SQLite file in the
// test's scratch dir, or a new schema on the test server. Empty when PostgreSQL is not configured.
std::string FreshQueueUrl(const std::string& backend);

// For a PostgreSQL queue URL from FreshQueueUrl (its schema already created by opening it): the
// same URL as a new role that may read the schema's tables but not write them.
std::string ReadOnlyRoleUrl(const std::string& url);

// A clock tests move by hand.
class FakeClock {
 public:
  explicit FakeClock(std::int64_t start_ns = 1'700'000'000'000'000'000) : now_(start_ns) {}
  QueueClock AsClock() {
    return [this] { return sensors::FromNanos(now_.load()); };
  }
  void AdvanceSeconds(double s) { now_ += sensors::FromSeconds(s).count(); }

 private:
  std::atomic<std::int64_t> now_;
};

sensors::LabeledBox Car(double x, double y, int track_id = 1);
// A window of `frames` frames from `first`, each holding `boxes`, with one event.
TaskDraft Draft(const std::string& log_id, std::int64_t first, std::int64_t last, double severity,
                const std::vector<sensors::LabeledBox>& boxes = {Car(10, 0)},
                const std::string& options_hash = "opts-1");

}  // namespace longtail::labeling::testing

// Skips a PostgreSQL test when no server is configured, fails it under CI=true.
#define LONGTAIL_REQUIRE_BACKEND(url, backend)                                              \
  const std::string url = ::longtail::labeling::testing::FreshQueueUrl(backend);            \
  if (url.empty()) {                                                                        \
    if (::longtail::labeling::testing::InCi()) {                                            \
      FAIL() << "LONGTAIL_TEST_POSTGRES_URL is unset under CI=true; run "                   \
                "scripts/start-test-postgres.sh";                                           \
    }                                                                                       \
    GTEST_SKIP() << "LONGTAIL_TEST_POSTGRES_URL is unset (scripts/start-test-postgres.sh)"; \
  }
