// Scenario queries inside `longtail mine --query FILE`: each query's matches become episodes
// (detector "query", type = the file's stem) and review windows exactly as detector firings do,
// and each closed window becomes a task draft for the queue.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "labeling/tasks.h"
#include "pipeline/frame_history.h"
#include "pipeline/proto/run.pb.h"
#include "pipeline/query/query_stream.h"
#include "pipeline/windows.h"
#include "sensors/log_reader.h"

namespace longtail::tools {

// Reads and compiles each file. Throws query::QueryError (the message names the file) or
// std::runtime_error when a file cannot be read.
std::vector<std::pair<std::string, query::Query>> LoadQueryFiles(
    const std::vector<std::string>& files);

// The queue's options hash of a run with queries: the run's, extended by the queries' text, so
// that adding or changing a query mines a log again.
std::string HashWithQueries(const std::string& options_hash,
                            const std::vector<std::pair<std::string, query::Query>>& queries);

class QueryMiner {
 public:
  QueryMiner(const std::vector<std::pair<std::string, query::Query>>& queries,
             const pipeline::proto::RunnerOptions& runner, sensors::LogInfo log,
             std::string options_hash);
  // Each frame after tracking, in order. Returns the drafts of the windows that closed.
  std::vector<labeling::TaskDraft> Add(const pipeline::FrameResult& frame);
  // End of the log: every open window.
  std::vector<labeling::TaskDraft> Flush();

 private:
  struct PerQuery {
    std::string name;
    query::QueryStream stream;
    pipeline::WindowBuilder windows;
    std::optional<pipeline::Timestamp> last_judged;  // the stamp of its latest judged frame
  };
  std::vector<labeling::TaskDraft> Drafts(const std::vector<pipeline::ReviewWindow>& windows);
  std::vector<pipeline::Event> ToEvents(const std::string& name,
                                        const query::FrameMatches& judged) const;
  std::vector<PerQuery> queries_;
  sensors::LogInfo log_;
  std::string options_hash_;
  pipeline::FrameHistory frames_;  // back to the earliest an open window may need
};

}  // namespace longtail::tools
