#include "sensors/issues_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace longtail::sensors {
namespace {

TEST(DataIssueJson, WritesEveryFieldAndReadsItBack) {
  const DataIssue issue{"drive/velodyne_points/data/0000000004.bin", 4096, 16,
                        "truncated: 1000 bytes is not a multiple of 16"};
  const nlohmann::json j = issue;
  EXPECT_EQ(j, nlohmann::json::parse(R"({"file": "drive/velodyne_points/data/0000000004.bin",
      "offset": 4096, "bytes": 16, "reason": "truncated: 1000 bytes is not a multiple of 16"})"));
  const DataIssue back = j.get<DataIssue>();
  EXPECT_EQ(back.file, issue.file);
  EXPECT_EQ(back.offset, 4096u);
  EXPECT_EQ(back.bytes, 16u);
  EXPECT_EQ(back.reason, issue.reason);
}

TEST(DataIssueJson, DefaultsOffsetAndBytesAndNeedsAReason) {
  const DataIssue issue =
      nlohmann::json::parse(R"({"file": "a.txt", "reason": "bad"})").get<DataIssue>();
  EXPECT_EQ(issue.offset, 0u);
  EXPECT_EQ(issue.bytes, 0u);
  EXPECT_THROW(nlohmann::json::parse(R"({"file": "a.txt"})").get<DataIssue>(),
               nlohmann::json::exception);
}

}  // namespace
}  // namespace longtail::sensors
