#include "tools/commands/command_error.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "labeling/queue/review_queue.h"
#include "pipeline/options.h"
#include "sensors/log_reader.h"

namespace longtail::tools {
namespace {

template <typename E>
Failure FailureOfThrown(const E& error) {
  try {
    throw error;
  } catch (...) {
    return FailureOf(std::current_exception());
  }
}

TEST(FailureOf, MapsEachErrorTypeToItsExitCode) {
  EXPECT_EQ(FailureOfThrown(UsageError("bad flag")).exit_code, kExitUsage);
  EXPECT_EQ(FailureOfThrown(CorruptInputError("torn file")).exit_code, kExitCorruptInput);
  EXPECT_EQ(FailureOfThrown(RuntimeFailure("disk full")).exit_code, kExitFailure);
  EXPECT_EQ(FailureOfThrown(pipeline::OptionsError("run.pbtxt:1")).exit_code, kExitUsage);
  EXPECT_EQ(FailureOfThrown(sensors::LogError("a.bin", "not a log")).exit_code, kExitCorruptInput);
  EXPECT_EQ(FailureOfThrown(labeling::QueueError("locked")).exit_code, kExitFailure);
  EXPECT_EQ(FailureOfThrown(labeling::TaskConflict("lease lost")).exit_code, kExitFailure);
  EXPECT_EQ(FailureOfThrown(std::logic_error("bug")).exit_code, kExitFailure);
  EXPECT_EQ(FailureOfThrown(42).exit_code, kExitFailure);
}

TEST(FailureOf, EndsTheMessageWithOneNewline) {
  EXPECT_EQ(FailureOfThrown(UsageError("no logs")).message, "no logs\n");
  EXPECT_EQ(FailureOfThrown(pipeline::OptionsError("invalid:\nrun.pbtxt: x\n")).message,
            "invalid:\nrun.pbtxt: x\n");
}

TEST(Rethrow, ReturnsWhatTheStepReturns) {
  EXPECT_EQ(Rethrow<UsageError>([] { return 7; }), 7);
}

TEST(Rethrow, TurnsTheCaughtTypeIntoTheGivenErrorWithContext) {
  try {
    Rethrow<UsageError, std::invalid_argument>(
        []() -> int { throw std::invalid_argument("unknown detector 'x'"); }, "run.pbtxt: ");
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "run.pbtxt: unknown detector 'x'");
  }
}

TEST(Rethrow, LetsOtherTypesThroughUnchanged) {
  const auto step = []() -> int { throw sensors::LogError("a.bin", "torn"); };
  EXPECT_THROW((Rethrow<UsageError, std::invalid_argument>(step)), sensors::LogError);
}

TEST(Rethrow, KeepsTheExitCodeACommandAlreadyChose) {
  // An outer "anything else is corrupt input" must not turn an inner usage error into exit 3.
  try {
    Rethrow<CorruptInputError>([] { Rethrow<UsageError>([] { throw std::runtime_error("x"); }); });
    FAIL() << "no exception";
  } catch (const CommandError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
  }
}

}  // namespace
}  // namespace longtail::tools
