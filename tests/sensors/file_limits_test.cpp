// Size limits checked before a file is read, and excerpts of bad input for messages.
#include "sensors/file_limits.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

TEST(FileLimits, AFileWithinTheLimitHasNoProblem) {
  const std::filesystem::path file = testing::ScratchDir() / "scan.bin";
  std::ofstream(file) << std::string(16, 'x');
  EXPECT_FALSE(FileSizeProblem(file, 16, "a lidar scan"));
}

TEST(FileLimits, AFileOverTheLimitSaysItsSizeAndTheLimit) {
  const std::filesystem::path file = testing::ScratchDir() / "scan.bin";
  std::ofstream(file) << std::string(17, 'x');
  EXPECT_EQ(FileSizeProblem(file, 16, "a lidar scan"),
            "17 bytes, more than a lidar scan can hold (limit 16)");
}

TEST(FileLimits, AMissingFileCannotBeRead) {
  const auto problem = FileSizeProblem(testing::ScratchDir() / "absent.bin", 16, "a lidar scan");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->rfind("cannot read: ", 0), 0u) << *problem;
}

TEST(FileLimits, ExcerptCutsLongTextOnly) {
  EXPECT_EQ(Excerpt("short", 10), "short");
  EXPECT_EQ(Excerpt("0123456789abc", 10), "0123456789...");
  EXPECT_EQ(Excerpt(std::string(1000, 'z')).size(), 63u);  // 60 characters and "..."
}

}  // namespace
}  // namespace longtail::sensors
