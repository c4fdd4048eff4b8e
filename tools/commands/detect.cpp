// `longtail detect --tracks LABEL_02 --calib CALIB [--poses FILE] [--queue DB]`: bring your own
// perception. Runs the rare-event detectors on object lists a team already has (KITTI tracking
// label_02) instead of our perception, and queues the flagged windows like `longtail mine`.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "labeling/queue/review_queue.h"
#include "labeling/tasks.h"
#include "pipeline/detectors/detector.h"
#include "pipeline/detectors/track_import.h"
#include "pipeline/event_json.h"
#include "pipeline/options.h"
#include "pipeline/windows.h"
#include "sensors/issues_json.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

struct DetectOptions {
  std::string tracks;
  std::string calib;
  std::string poses;
  std::string timestamps;
  std::string queue;
  std::string config;
  double rate_hz = 10;
  bool json = false;
};

// Queues a task per review window; returns what was inserted and the queue's size after.
std::pair<labeling::EnqueueResult, std::int64_t> EnqueueWindows(
    const DetectOptions& options, const std::vector<pipeline::FrameResult>& frames,
    const std::vector<pipeline::ReviewWindow>& windows, const std::string& options_hash) {
  const auto queue = labeling::OpenQueue(options.queue);
  sensors::LogInfo log;
  log.path = std::filesystem::absolute(options.tracks).string();
  log.format = "kitti-tracking-labels";
  const std::filesystem::path tracks(options.tracks);
  log.log_id = tracks.parent_path().filename().string() + "/" + tracks.stem().string();
  log.has_calibration = true;
  log.has_ego_pose = !options.poses.empty();
  std::vector<labeling::TaskDraft> drafts;
  for (const auto& window : windows) {
    drafts.push_back(labeling::MakeTaskDraft(log, window, frames, options_hash));
  }
  const labeling::EnqueueResult enqueued = queue->Enqueue(drafts);
  return {enqueued, queue->CountTasks()};
}

// What one `detect` run found and queued: everything the summary prints.
struct DetectResult {
  pipeline::proto::RunOptions run;  // effective options
  std::string options_hash;
  std::vector<pipeline::FrameResult> frames;
  pipeline::OfflineDetection detection;
  std::map<std::string, int> episodes_by_type;
  std::size_t track_boxes = 0;
  std::size_t skipped_inputs = 0;           // bad lines and files read past
  std::vector<sensors::DataIssue> skipped;  // the first of them (IssueLog keeps a bounded number)
  labeling::EnqueueResult enqueued;         // with --queue
  std::int64_t tasks_in_queue = -1;         // with --queue
};

// The run options for track lists; unknown detector names are a usage error.
pipeline::proto::RunOptions TrackListRunOptions(const std::string& config) {
  pipeline::proto::RunOptions run;
  if (!config.empty()) run = pipeline::LoadRunOptions(config);
  *run.mutable_detectors() = pipeline::ForTrackLists(run.detectors());
  run = pipeline::EffectiveOptions(run);
  Rethrow<UsageError, std::invalid_argument>([&] { pipeline::CreateDetectors(run.detectors()); });
  return run;
}

DetectResult Detect(const DetectOptions& options) {
  DetectResult result;
  result.run = TrackListRunOptions(options.config);
  result.options_hash = pipeline::OptionsHash(result.run);
  sensors::IssueLog issues;
  result.frames = Rethrow<CorruptInputError>([&] {
    return pipeline::FrameResultsFromLabels(pipeline::LoadTrackList(
        options.tracks, options.calib, options.poses, options.timestamps, options.rate_hz, issues));
  });
  result.skipped_inputs = issues.count();
  result.skipped = issues.issues();
  // Judge every frame in order with the whole sequence as look-back and look-ahead, and join the
  // events into episodes and review windows as the streaming runner does.
  result.detection = pipeline::DetectOffline(result.frames, result.run);
  for (const auto& event : result.detection.episodes) ++result.episodes_by_type[event.type];
  for (const auto& frame : result.frames) result.track_boxes += frame.tracks.size();
  if (!options.queue.empty()) {
    std::tie(result.enqueued, result.tasks_in_queue) =
        EnqueueWindows(options, result.frames, result.detection.windows, result.options_hash);
  }
  return result;
}

nlohmann::json DetectJson(const DetectResult& r, const DetectOptions& options) {
  nlohmann::json window_list = nlohmann::json::array();
  for (const auto& w : r.detection.windows) {
    window_list.push_back({{"start_ns", sensors::ToNanos(w.start)},
                           {"end_ns", sensors::ToNanos(w.end)},
                           {"severity", w.severity},
                           {"detectors", w.detectors},
                           {"events", w.events.size()}});
  }
  nlohmann::json out = {{"tracks_file", options.tracks},
                        {"frames", r.frames.size()},
                        {"track_boxes", r.track_boxes},
                        {"options_hash", r.options_hash},
                        {"min_severity", r.run.runner().min_severity()},
                        {"episodes_by_type", r.episodes_by_type},
                        {"episodes", r.detection.episodes},
                        {"episodes_below_threshold", r.detection.dropped_episodes},
                        {"windows", window_list},
                        {"skipped_inputs", r.skipped_inputs},
                        {"skipped", r.skipped}};
  if (!options.queue.empty()) {
    out["queue"] = options.queue;
    out["tasks_inserted"] = r.enqueued.inserted;
    out["tasks_already_present"] = r.enqueued.already_present;
    out["tasks_in_queue"] = r.tasks_in_queue;
  }
  return out;
}

void PrintDetectText(const DetectResult& r, const DetectOptions& options, std::ostream& out) {
  const std::vector<pipeline::Event>& events = r.detection.episodes;
  out << options.tracks << ": " << r.frames.size() << " frames, " << r.track_boxes
      << " track boxes, " << events.size() << " episodes (" << r.detection.dropped_episodes
      << " more below severity " << r.run.runner().min_severity() << "), "
      << r.detection.windows.size() << " review windows\n";
  for (const auto& e : events) {
    out << "  frames " << e.first_frame << "-" << e.last_frame << " (peak " << e.peak_frame << ")  "
        << e.detector << "/" << e.type << "  severity "
        << static_cast<int>(e.severity * 100) / 100.0 << "  " << e.reason << "\n";
  }
  for (const auto& [type, count] : r.episodes_by_type) out << "  " << type << ": " << count << "\n";
  out << "  skipped inputs " << r.skipped_inputs << "\n";
  for (const auto& issue : r.skipped) out << "    " << ToString(issue) << "\n";
  if (!options.queue.empty()) {
    out << "queue " << options.queue << ": " << r.enqueued.inserted << " new tasks, "
        << r.enqueued.already_present << " already queued, " << r.tasks_in_queue
        << " in all (options hash " << r.options_hash << ")\n";
  }
}

int RunDetect(const DetectOptions& options) {
  const DetectResult result = Detect(options);
  if (options.json) {
    std::cout << DetectJson(result, options).dump(2) << "\n";
  } else {
    PrintDetectText(result, options, std::cout);
  }
  return kExitOk;
}

}  // namespace

void AddDetectCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<DetectOptions>();
  CLI::App* command = app.add_subcommand(
      "detect",
      "Run the rare-event detectors on object tracks you already have (KITTI tracking label_02)\n"
      "instead of longtail's perception, and queue the flagged windows for review. Labels carry "
      "no\n"
      "sensor data and only cover the camera's view, so the lidar/camera health and "
      "sudden-appearance\n"
      "detectors are off unless --config enables them. Episodes below the run's min_severity\n"
      "(runner { min_severity: 0.5 }) are counted but not queued.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 unreadable calibration or tracks.");
  command
      ->add_option("--tracks", options->tracks, "KITTI tracking label_02 file (label_02/0000.txt)")
      ->required()
      ->check(CLI::ExistingFile);
  command
      ->add_option("--calib", options->calib,
                   "KITTI tracking/object calibration (calib/0000.txt) or a KITTI raw date folder")
      ->required()
      ->check(CLI::ExistingPath);
  command
      ->add_option(
          "--poses", options->poses,
          "ego poses, one line per frame: KITTI oxts (30 values) or a 3x4 world_from_camera "
          "matrix (12 values), or a raw drive's oxts/data folder; without them ego motion is "
          "unknown")
      ->check(CLI::ExistingPath);
  command
      ->add_option("--timestamps", options->timestamps,
                   "capture time of each frame, one per line (integer ns since the epoch, or KITTI "
                   "raw 'YYYY-MM-DD hh:mm:ss.f' stamps); without it frames are 1/--rate apart")
      ->check(CLI::ExistingFile);
  command->add_option("--queue", options->queue,
                      "review queue (SQLite file or postgresql:// URL); without it the events are "
                      "only printed");
  command
      ->add_option("--config", options->config,
                   "run options in protobuf text format (pipeline/proto/run.proto)")
      ->check(CLI::ExistingFile);
  command->add_option("--rate", options->rate_hz, "frame rate of the label file, Hz")
      ->default_val(10.0)
      ->check(CLI::PositiveNumber);
  command->add_flag("--json", options->json, "print events, windows and the summary as JSON");
  command->callback([options, exit_code] { *exit_code = RunDetect(*options); });
}

}  // namespace longtail::tools
