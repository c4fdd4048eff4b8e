// `longtail mine LOG... --queue DB`: stream logs through perception and the detectors, and queue
// every flagged window for review.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "labeling/queue/review_queue.h"
#include "labeling/queue/sharding.h"
#include "labeling/tasks.h"
#include "pipeline/options.h"
#include "pipeline/runner.h"
#include "sensors/issues_json.h"
#include "tools/commands/commands.h"
#include "tools/commands/query_mining.h"
#include "tools/commands/topic_options.h"
#include "tools/progress.h"

namespace longtail::tools {
namespace {

struct MineOptions {
  std::vector<std::string> logs;
  std::string manifest;  // one log per line; with the logs above, the list sharding splits
  std::string shard;     // "i/N"; empty: from the Kubernetes / Slurm environment, else 0/1
  std::string queue;
  std::string config;
  int threads = 0;
  bool json = false;
  sensors::LogOpenOptions open;          // ROS logs: --lidar-topic, --camera-topic
  std::vector<std::string> query_files;  // --query: scenario queries mined beside the detectors
};

struct LogOutcome {
  std::string path;
  std::string log_id;
  std::string error;           // set when the log could not be mined to its end
  bool already_mined = false;  // in the queue's ledger for this options hash: skipped
  pipeline::MineStats stats;
  labeling::EnqueueResult enqueued;
  std::vector<sensors::DataIssue> issues;
  std::size_t issue_count = 0;
  std::vector<std::string> why_no_frames;  // the log's notes about its lidar, when it gave none
};

LogOutcome MineOne(const std::string& path, const pipeline::proto::RunOptions& options,
                   const std::string& options_hash, labeling::ReviewQueue& queue,
                   bool show_progress, bool skip_mined, const sensors::LogOpenOptions& open_options,
                   const std::vector<std::pair<std::string, query::Query>>& queries = {}) {
  LogOutcome outcome;
  outcome.path = path;
  sensors::IssueLog issues;
  std::optional<labeling::TaskDraft> pending;
  auto add = [&outcome](const labeling::EnqueueResult& result) {
    outcome.enqueued.inserted += result.inserted;
    outcome.enqueued.already_present += result.already_present;
  };
  try {
    const auto reader = sensors::OpenLog(path, issues, open_options);
    outcome.log_id = reader->info().log_id;
    if (skip_mined && queue.IsMined(outcome.log_id, options_hash)) {
      outcome.already_mined = true;
      return outcome;
    }
    std::int64_t total = 0;
    for (const auto& stream : reader->info().streams) {
      if (stream.kind == "lidar") total = std::max(total, stream.count);
    }
    ProgressBar progress(outcome.log_id, total, show_progress);
    pipeline::MineCallbacks callbacks;
    QueryMiner query_miner(queries, options.runner(), reader->info(), options_hash);
    callbacks.on_frame = [&](const pipeline::FrameResult& frame) {
      progress.Advance();
      if (const auto drafts = query_miner.Add(frame); !drafts.empty()) add(queue.Enqueue(drafts));
    };
    callbacks.on_window = [&](const pipeline::ReviewWindow& window,
                              std::span<const pipeline::FrameResult> frames) {
      // One transaction per window: a killed run keeps every window it had queued. The newest
      // window waits for the next one (or the end) so the last can share the ledger's transaction.
      if (pending) add(queue.Enqueue({*pending}));
      pending = labeling::MakeTaskDraft(reader->info(), window, frames, options_hash);
    };
    outcome.stats = pipeline::MineLog(*reader, options, callbacks);
    if (const auto drafts = query_miner.Flush(); !drafts.empty()) add(queue.Enqueue(drafts));
    progress.Done();
    if (outcome.stats.frames == 0) {
      // e.g. a ROS bag of raw packets: say why instead of a silent "frames 0".
      for (const std::string& note : reader->info().notes) {
        if (note.find("lidar") != std::string::npos) outcome.why_no_frames.push_back(note);
      }
      // Nothing was mined, so the ledger must not say it was: a fixed log is mined next time.
      throw sensors::LogError(
          path, "no frame could be read (" + std::to_string(issues.count()) + " inputs skipped)");
    }
    // The log's last enqueue and its ledger row commit together: a kill leaves both or neither.
    std::vector<labeling::TaskDraft> last;
    if (pending) last.push_back(std::move(*pending));
    pending.reset();
    const std::int64_t tasks = outcome.enqueued.inserted + outcome.enqueued.already_present +
                               static_cast<std::int64_t>(last.size());
    add(queue.EnqueueAndMarkMined(last, {outcome.log_id, options_hash, path, tasks}));
  } catch (const sensors::LogError& e) {
    outcome.error = e.what();
    // A log that stopped early is not marked mined, so a rerun tries it again.
    if (pending) add(queue.Enqueue({*pending}));
  }
  outcome.issues = issues.issues();
  outcome.issue_count = issues.count();
  return outcome;
}

nlohmann::json ToJson(const LogOutcome& o) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& issue : o.issues) {
    skipped.push_back(issue);
  }
  return {{"path", o.path},
          {"log_id", o.log_id},
          {"ok", o.error.empty()},
          {"already_mined", o.already_mined},
          {"error", o.error},
          {"frames", o.stats.frames},
          {"seconds", o.stats.seconds},
          {"frames_per_second", o.stats.seconds > 0 ? o.stats.frames / o.stats.seconds : 0.0},
          {"windows", o.stats.windows},
          {"tasks_inserted", o.enqueued.inserted},
          {"tasks_already_present", o.enqueued.already_present},
          {"events_by_type", o.stats.events_by_type},
          {"episodes_below_threshold", o.stats.episodes_below_threshold},
          {"ego_motion_estimated", o.stats.ego_motion_estimated},
          {"invalid_points", o.stats.invalid_points},
          {"skipped_inputs", o.issue_count},
          {"skipped", skipped}};
}

void PrintSummary(const LogOutcome& o) {
  std::cout << o.path << "\n";
  if (!o.error.empty()) std::cout << "  STOPPED: " << o.error << "\n";
  if (o.already_mined) {
    std::cout << "  already mined with these options (queue ledger): skipped\n";
    return;
  }
  std::printf("  frames %lld in %.2f s (%.1f frames/s)\n", static_cast<long long>(o.stats.frames),
              o.stats.seconds, o.stats.seconds > 0 ? o.stats.frames / o.stats.seconds : 0.0);
  for (const std::string& note : o.why_no_frames) std::cout << "  no frames: " << note << "\n";
  std::printf("  flagged windows %lld: %d new tasks, %d already queued\n",
              static_cast<long long>(o.stats.windows), o.enqueued.inserted,
              o.enqueued.already_present);
  std::printf("  episodes in them, by type (%lld more below the severity threshold):\n",
              static_cast<long long>(o.stats.episodes_below_threshold));
  for (const auto& [type, count] : o.stats.events_by_type) {
    std::printf("    %-28s %lld\n", type.c_str(), static_cast<long long>(count));
  }
  if (o.stats.ego_motion_estimated)
    std::cout << "  ego motion estimated from the lidar (no poses)\n";
  std::printf("  skipped inputs %zu\n", o.issue_count);
  for (const auto& issue : o.issues) std::cout << "    " << ToString(issue) << "\n";
}

int RunMine(const MineOptions& options) {
  // Every frame allocates megabytes (its scan, its images, perception's buffers) and frees them a
  // few frames later. By default glibc maps such blocks on their own and unmaps them when freed,
  // so every frame faults fresh zeroed pages in again, and with two threads each unmap also stops
  // the other core to flush its TLB. Served from the heap, and with up to 16 MB of freed heap kept,
  // the blocks are reused: on KITTI drive 0052, 6% less CPU for 6 MB more peak memory, bounded
  // however long the log.
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  pipeline::proto::RunOptions run_options;
  if (!options.config.empty()) run_options = pipeline::LoadRunOptions(options.config);
  if (options.threads > 0) run_options.mutable_runner()->set_threads(options.threads);
  run_options = pipeline::EffectiveOptions(run_options);
  const std::vector<std::pair<std::string, query::Query>> queries =
      Rethrow<UsageError>([&] { return LoadQueryFiles(options.query_files); });
  const std::string options_hash = HashWithQueries(pipeline::OptionsHash(run_options), queries);

  // The logs of this shard: the command line's and the manifest's, split by --shard or the
  // Kubernetes / Slurm environment.
  std::vector<std::string> all_logs = options.logs;
  const labeling::ShardSpec shard = Rethrow<UsageError>([&] {
    if (!options.manifest.empty()) {
      const auto listed = labeling::ReadManifest(options.manifest);
      all_logs.insert(all_logs.end(), listed.begin(), listed.end());
    }
    return labeling::ResolveShard(
        options.shard.empty() ? std::nullopt : std::optional<std::string>(options.shard));
  });
  if (all_logs.empty()) throw UsageError("no logs: give LOG... or --manifest FILE");
  const std::vector<std::string> shard_logs = labeling::SelectShard(all_logs, shard);

  const std::unique_ptr<labeling::ReviewQueue> queue = labeling::OpenQueue(options.queue);

  const bool show_progress = !options.json && ::isatty(STDERR_FILENO);
  int exit_code = kExitOk;
  nlohmann::json logs = nlohmann::json::array();
  for (const std::string& path : shard_logs) {
    // Batch runs (--manifest) skip logs the ledger has; logs named alone are always re-mined.
    const LogOutcome outcome = Rethrow<RuntimeFailure, labeling::QueueError>(
        [&] {
          return MineOne(path, run_options, options_hash, *queue, show_progress,
                         !options.manifest.empty(), options.open, queries);
        },
        path + ": ");
    if (!outcome.error.empty()) exit_code = kExitCorruptInput;
    if (options.json) {
      logs.push_back(ToJson(outcome));
    } else {
      PrintSummary(outcome);
    }
  }
  if (options.json) {
    std::cout << nlohmann::json{{"options_hash", options_hash},
                                {"queue", labeling::RedactedQueueUrl(options.queue)},
                                {"shard",
                                 std::to_string(shard.index) + "/" + std::to_string(shard.count)},
                                {"shard_source", shard.source},
                                {"tasks_in_queue", queue->CountTasks()},
                                {"logs", logs}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "queue " << labeling::RedactedQueueUrl(options.queue) << ": "
              << queue->CountTasks() << " tasks (options hash " << options_hash << ")\n";
  }
  return exit_code;
}

}  // namespace

void AddMineCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<MineOptions>();
  CLI::App* command = app.add_subcommand(
      "mine",
      "Stream drive logs through perception and the rare-event detectors and queue every flagged\n"
      "window for review. Re-mining a log with the same options adds no duplicate tasks.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 corrupt input stopped a log\n"
      "(files skipped inside a log are listed in the summary but do not change the exit code).");
  command->add_option("logs", options->logs, "KITTI drive or benchmark folders, or MCAP files");
  command->add_option("--manifest", options->manifest,
                      "file listing one log per line (# comments; paths relative to the file);\n"
                      "logs the queue records as mined with the same options are skipped");
  command->add_option("--shard", options->shard,
                      "mine shard i of N of the logs (i/N); default from JOB_COMPLETION_INDEX/\n"
                      "JOB_COMPLETIONS or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, else 0/1");
  command
      ->add_option("--queue", options->queue, "review queue: a SQLite file or a postgresql:// URL")
      ->required();
  command
      ->add_option("--config", options->config,
                   "run options in protobuf text format (pipeline/proto/run.proto)")
      ->check(CLI::ExistingFile);
  command->add_option("--threads", options->threads, "worker threads (default: every core)");
  command->add_flag("--json", options->json, "print the summary as JSON");
  AddTopicOptions(command, &options->open);
  command
      ->add_option("--query", options->query_files,
                   "a scenario query file (pipeline/query/README.md); its matches are queued as\n"
                   "episodes of detector 'query' named by the file's stem (repeatable)")
      ->check(CLI::ExistingFile);
  command->callback([options, exit_code] { *exit_code = RunMine(*options); });
}

}  // namespace longtail::tools
