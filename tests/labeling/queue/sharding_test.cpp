#include "labeling/queue/sharding.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <stdexcept>

#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ParseShard, ReadsIndexOverCount) {
  const ShardSpec s = ParseShard("2/4");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.source, "--shard");
}

TEST(ParseShard, RejectsMalformedAndOutOfRange) {
  EXPECT_THROW(ParseShard("2"), std::invalid_argument);
  EXPECT_THROW(ParseShard("a/4"), std::invalid_argument);
  EXPECT_THROW(ParseShard("4/4"), std::invalid_argument);
  EXPECT_THROW(ParseShard("-1/4"), std::invalid_argument);
  EXPECT_THROW(ParseShard("0/0"), std::invalid_argument);
  EXPECT_THROW(ParseShard("1/4x"), std::invalid_argument);
}

TEST(ResolveShard, FlagWinsOverTheEnvironment) {
  const auto s =
      ResolveShard("1/3", FakeEnv({{"JOB_COMPLETION_INDEX", "0"}, {"JOB_COMPLETIONS", "8"}}));
  EXPECT_EQ(s.index, 1);
  EXPECT_EQ(s.count, 3);
}

TEST(ResolveShard, ReadsAKubernetesIndexedJob) {
  const auto s = ResolveShard(std::nullopt,
                              FakeEnv({{"JOB_COMPLETION_INDEX", "5"}, {"JOB_COMPLETIONS", "8"}}));
  EXPECT_EQ(s.index, 5);
  EXPECT_EQ(s.count, 8);
  EXPECT_EQ(s.source, "JOB_COMPLETION_INDEX");
  EXPECT_THROW(ResolveShard(std::nullopt, FakeEnv({{"JOB_COMPLETION_INDEX", "5"}})),
               std::invalid_argument);
}

TEST(ResolveShard, ReadsASlurmArrayFromItsFirstIndex) {
  const auto s = ResolveShard(std::nullopt, FakeEnv({{"SLURM_ARRAY_TASK_ID", "4"},
                                                     {"SLURM_ARRAY_TASK_COUNT", "4"},
                                                     {"SLURM_ARRAY_TASK_MIN", "1"}}));
  EXPECT_EQ(s.index, 3);
  EXPECT_EQ(s.count, 4);
  EXPECT_THROW(ResolveShard(std::nullopt, FakeEnv({{"SLURM_ARRAY_TASK_ID", "9"},
                                                   {"SLURM_ARRAY_TASK_COUNT", "4"}})),
               std::invalid_argument);
}

TEST(ResolveShard, DefaultsToOneShard) {
  const auto s = ResolveShard(std::nullopt, FakeEnv({}));
  EXPECT_EQ(s.index, 0);
  EXPECT_EQ(s.count, 1);
}

TEST(SelectShard, EveryItemBelongsToExactlyOneShard) {
  std::vector<std::string> items;
  for (int i = 0; i < 10; ++i) items.push_back("log" + std::to_string(i));
  std::map<std::string, int> owners;
  for (int i = 0; i < 4; ++i) {
    for (const auto& item : SelectShard(items, {i, 4, "test"})) ++owners[item];
  }
  EXPECT_EQ(owners.size(), 10u);
  for (const auto& [item, count] : owners) EXPECT_EQ(count, 1) << item;
  EXPECT_EQ(SelectShard(items, {1, 4, "test"}), (std::vector<std::string>{"log1", "log5", "log9"}));
}

TEST(ReadManifest, SkipsCommentsAndResolvesRelativePaths) {
  const auto dir = longtail::testing::ScratchDir();
  std::ofstream(dir / "logs.txt") << "# drives\n\n  a/drive_1  \n/abs/drive_2\n";
  EXPECT_EQ(ReadManifest(dir / "logs.txt"),
            (std::vector<std::string>{(dir / "a/drive_1").string(), "/abs/drive_2"}));
  EXPECT_THROW(ReadManifest(dir / "missing.txt"), std::runtime_error);
}

}  // namespace
}  // namespace longtail::labeling
