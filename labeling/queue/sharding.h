// Sharded mining: which logs of a manifest this worker mines. With N workers each taking shard i,
// every log belongs to exactly one shard; the queue's mined-logs ledger (ReviewQueue::IsMined,
// EnqueueAndMarkMined) makes a restarted worker skip the logs it already finished.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace longtail::labeling {

struct ShardSpec {
  int index = 0;                   // this worker's shard, [0, count)
  int count = 1;                   // workers in all
  std::string source = "default";  // "--shard", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID" ...
};

// "i/N" with 0 <= i < N. Throws std::invalid_argument with a message for a person.
ShardSpec ParseShard(std::string_view text);

// Reads an environment variable; nullopt when unset. Tests pass a fake.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> GetEnv(const char* name);

// The shard to mine: `--shard i/N` when given, else a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX of JOB_COMPLETIONS), else a Slurm array (SLURM_ARRAY_TASK_ID minus
// SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT), else 0/1. Throws std::invalid_argument on a
// malformed or inconsistent value.
ShardSpec ResolveShard(const std::optional<std::string>& flag, const EnvLookup& env = GetEnv);

// The entries of `items` that belong to `shard`: positions p with p % count == index, in order.
std::vector<std::string> SelectShard(const std::vector<std::string>& items, const ShardSpec& shard);

// A manifest: one log path per line; blank lines and lines starting with '#' are ignored;
// relative paths are taken relative to the manifest's folder. Throws std::runtime_error when the
// file cannot be read.
std::vector<std::string> ReadManifest(const std::filesystem::path& manifest);

}  // namespace longtail::labeling
