#include "tools/commands/query_mining.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>

namespace longtail::tools {

std::vector<std::pair<std::string, query::Query>> LoadQueryFiles(
    const std::vector<std::string>& files) {
  std::vector<std::pair<std::string, query::Query>> out;
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file + ": cannot be opened");
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    try {
      out.emplace_back(std::filesystem::path(file).stem().string(), query::ParseQuery(text));
    } catch (const query::QueryError& e) {
      throw query::QueryError(e.line(), e.column(), file + ": " + e.message());
    }
  }
  return out;
}

std::string HashWithQueries(const std::string& options_hash,
                            const std::vector<std::pair<std::string, query::Query>>& queries) {
  if (queries.empty()) return options_hash;
  std::string all;
  for (const auto& [name, q] : queries) all += name + "\n" + query::ToText(q) + "\n";
  // FNV-1a: a stable hash of the queries (std::hash may differ between builds).
  std::uint64_t hash = 1469598103934665603ull;
  for (const unsigned char c : all) hash = (hash ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return options_hash + "+q" + hex;
}

QueryMiner::QueryMiner(const std::vector<std::pair<std::string, query::Query>>& queries,
                       const pipeline::proto::RunnerOptions& runner, sensors::LogInfo log,
                       std::string options_hash)
    : log_(std::move(log)), options_hash_(std::move(options_hash)) {
  for (const auto& [name, q] : queries) {
    queries_.push_back(
        {name, query::QueryStream(q), pipeline::WindowBuilder(runner), std::nullopt});
  }
}

// One one-frame event per matching subject, as a detector fires: queries have no physical
// severity, so every match counts as severe (1).
std::vector<pipeline::Event> QueryMiner::ToEvents(const std::string& name,
                                                  const query::FrameMatches& judged) const {
  std::vector<pipeline::Event> events;
  for (const auto& match : judged.matches) {
    pipeline::Event e;
    e.detector = "query";
    e.type = name;
    e.severity = 1;
    e.first_frame = e.last_frame = e.peak_frame = judged.frame_index;
    e.start = e.end = e.peak = judged.stamp;
    if (match.subject != query::kEgoId) e.track_ids.push_back(match.subject);
    e.values = match.values;
    e.reason = name;
    e.reason += match.subject == query::kEgoId ? ": ego" : ": #" + std::to_string(match.subject);
    events.push_back(std::move(e));
  }
  return events;
}

std::vector<labeling::TaskDraft> QueryMiner::Drafts(
    const std::vector<pipeline::ReviewWindow>& windows) {
  std::vector<labeling::TaskDraft> drafts;
  for (const auto& w : windows)
    drafts.push_back(labeling::MakeTaskDraft(log_, w, frames_.frames(), options_hash_));
  return drafts;
}

std::vector<labeling::TaskDraft> QueryMiner::Add(const pipeline::FrameResult& frame) {
  if (queries_.empty()) return {};
  frames_.push_back(frame);
  std::vector<labeling::TaskDraft> drafts;
  // Frames before the earliest an open or future window of any query may start are dropped; a
  // query that has judged nothing yet still needs them all.
  bool keep_all = false;
  pipeline::Timestamp needed = frame.stamp;
  for (auto& q : queries_) {
    for (const auto& judged : q.stream.Add(frame)) {
      for (auto& d : Drafts(q.windows.Add(ToEvents(q.name, judged), judged.stamp))) {
        drafts.push_back(std::move(d));
      }
      q.last_judged = judged.stamp;
    }
    if (!q.last_judged) {
      keep_all = true;
    } else {
      needed = std::min(needed, q.windows.EarliestNeeded(*q.last_judged));
    }
  }
  while (!keep_all && !frames_.empty() && frames_.front().stamp < needed) frames_.pop_front();
  return drafts;
}

std::vector<labeling::TaskDraft> QueryMiner::Flush() {
  std::vector<labeling::TaskDraft> drafts;
  for (auto& q : queries_) {
    for (const auto& judged : q.stream.Flush()) {
      for (auto& d : Drafts(q.windows.Add(ToEvents(q.name, judged), judged.stamp))) {
        drafts.push_back(std::move(d));
      }
    }
    for (auto& d : Drafts(q.windows.Flush())) drafts.push_back(std::move(d));
  }
  frames_.clear();
  return drafts;
}

}  // namespace longtail::tools
