#include "labeling/queue/sharding.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace longtail::labeling {
namespace {

int ParseInt(std::string_view text, const std::string& what) {
  int value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    throw std::invalid_argument(what + ": '" + std::string(text) + "' is not an integer");
  }
  return value;
}

ShardSpec Checked(int index, int count, std::string source) {
  if (count < 1) {
    throw std::invalid_argument(source + ": shard count " + std::to_string(count) +
                                " must be >= 1");
  }
  if (index < 0 || index >= count) {
    throw std::invalid_argument(source + ": shard index " + std::to_string(index) +
                                " is outside [0, " + std::to_string(count) + ")");
  }
  return {index, count, std::move(source)};
}

}  // namespace

ShardSpec ParseShard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    throw std::invalid_argument("--shard: expected i/N (e.g. 0/4), got '" + std::string(text) +
                                "'");
  }
  return Checked(ParseInt(text.substr(0, slash), "--shard"),
                 ParseInt(text.substr(slash + 1), "--shard"), "--shard");
}

std::optional<std::string> GetEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

ShardSpec ResolveShard(const std::optional<std::string>& flag, const EnvLookup& env) {
  if (flag) return ParseShard(*flag);
  if (const auto index = env("JOB_COMPLETION_INDEX")) {
    const auto count = env("JOB_COMPLETIONS");
    if (!count) {
      throw std::invalid_argument(
          "JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not: pass it from the Job spec "
          "(see docs/deploy/) or use --shard i/N");
    }
    return Checked(ParseInt(*index, "JOB_COMPLETION_INDEX"), ParseInt(*count, "JOB_COMPLETIONS"),
                   "JOB_COMPLETION_INDEX");
  }
  if (const auto id = env("SLURM_ARRAY_TASK_ID")) {
    const auto count = env("SLURM_ARRAY_TASK_COUNT");
    if (!count) {
      throw std::invalid_argument("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    }
    // Arrays may start at any index (--array=1-4); shards count from the first one.
    const auto min = env("SLURM_ARRAY_TASK_MIN");
    const int first = min ? ParseInt(*min, "SLURM_ARRAY_TASK_MIN") : 0;
    return Checked(ParseInt(*id, "SLURM_ARRAY_TASK_ID") - first,
                   ParseInt(*count, "SLURM_ARRAY_TASK_COUNT"), "SLURM_ARRAY_TASK_ID");
  }
  return {};
}

std::vector<std::string> SelectShard(const std::vector<std::string>& items,
                                     const ShardSpec& shard) {
  std::vector<std::string> out;
  for (std::size_t p = 0; p < items.size(); ++p) {
    if (static_cast<int>(p % static_cast<std::size_t>(shard.count)) == shard.index) {
      out.push_back(items[p]);
    }
  }
  return out;
}

std::vector<std::string> ReadManifest(const std::filesystem::path& manifest) {
  std::ifstream in(manifest);
  if (!in) throw std::runtime_error(manifest.string() + ": cannot read the manifest");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const auto begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    const auto end = line.find_last_not_of(" \t\r");
    std::filesystem::path path = line.substr(begin, end - begin + 1);
    if (path.is_relative()) path = manifest.parent_path() / path;
    out.push_back(path.lexically_normal().string());
  }
  return out;
}

}  // namespace longtail::labeling
