// `longtail export --queue URL --format F [-o DIR]`: reviewed labels (and, on request, pre-labels)
// out of the review queue in the formats the rest of the toolchain reads.
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "labeling/formats/queue_export.h"
#include "labeling/queue/review_queue.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

struct ExportCommandOptions {
  std::string queue;
  std::string format;
  std::string output = "export";
  std::string camera;
  bool include_prelabels = false;
  bool include_low_score = false;
};

// Calibrations read from the source logs, by log, and by frame for logs whose calibration changes
// from frame to frame (the KITTI object benchmark). Failures are remembered too, so a missing log
// is read once, not once per task.
class CalibrationCache {
 public:
  sensors::Calibration Get(const labeling::TaskSummary& task, std::int64_t frame_index) {
    const bool per_frame = task.log_format == "kitti-object";
    const std::pair<std::string, std::int64_t> key{task.log_path, per_frame ? frame_index : -1};
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= kMaxEntries) entries_.clear();  // memory stays bounded
      it = entries_.emplace(key, Read(task.log_path, frame_index)).first;
    }
    if (!it->second.calibration) throw std::runtime_error(it->second.error);
    return *it->second.calibration;
  }

 private:
  struct Entry {
    std::optional<sensors::Calibration> calibration;
    std::string error;
  };
  static constexpr std::size_t kMaxEntries = 64;

  static Entry Read(const std::string& log_path, std::int64_t frame_index) {
    try {
      sensors::IssueLog issues;
      const std::optional<sensors::Frame> frame =
          sensors::ReadFrameAt(log_path, frame_index, issues);
      if (frame && frame->calibration) return {*frame->calibration, ""};
      return {std::nullopt, "no calibration at frame " + std::to_string(frame_index)};
    } catch (const std::exception& e) {
      return {std::nullopt, e.what()};
    }
  }

  std::map<std::pair<std::string, std::int64_t>, Entry> entries_;
};

int RunExport(const ExportCommandOptions& options) {
  labeling::ExportOptions export_options;
  export_options.format = *labeling::ParseExportFormat(options.format);
  export_options.output_dir = options.output;
  export_options.include_prelabels = options.include_prelabels;
  if (options.include_low_score) export_options.min_prelabel_score = 0;
  export_options.camera = options.camera;
  sensors::IssueLog issues;
  labeling::ExportSummary summary;
  {
    const std::unique_ptr<labeling::ReviewQueue> queue = labeling::OpenQueue(options.queue);
    // A terminal gets one line redrawn at every percent; a log file a line every 10%.
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    const int step = terminal ? 1 : 10;
    std::int64_t last_percent = -1;
    const auto progress = [&](std::int64_t done, std::int64_t total) {
      const std::int64_t percent = total > 0 ? done * 100 / total : 100;
      if (percent / step == last_percent / step && done != total) return;
      last_percent = percent;
      std::cerr << (terminal ? "\r" : "") << "export: " << done << "/" << total << " tasks ("
                << percent << "%)" << (terminal ? "" : "\n") << std::flush;
    };
    CalibrationCache calibrations;
    const auto calibration_of = [&](const labeling::TaskSummary& task, std::int64_t frame) {
      return calibrations.Get(task, frame);
    };
    // The MCAP export carries the source frames: read each one where it is (seeking if the format
    // can). A frame that cannot be read is reported and left out; its labels are still written.
    const auto frame_of = [&](const labeling::TaskSummary& task,
                              std::int64_t index) -> std::optional<sensors::Frame> {
      try {
        return sensors::ReadFrameAt(task.log_path, index, issues);
      } catch (const std::exception& e) {
        issues.Report({task.log_path, 0, 0,
                       "frame " + std::to_string(index) + " not in the MCAP: " + e.what()});
        return std::nullopt;
      }
    };
    summary =
        labeling::ExportQueue(*queue, export_options, calibration_of, progress, issues, frame_of);
    if (terminal) std::cerr << "\n";
  }
  std::cout << "exported " << summary.tasks_exported << " of " << summary.tasks_seen << " tasks ("
            << summary.frames << " frames, " << summary.boxes << " boxes, " << summary.files_written
            << " files) to " << options.output << "\n";
  if (summary.tasks_without_labels > 0) {
    std::cout << summary.tasks_without_labels << " tasks had no labels to export ("
              << (options.include_prelabels ? "rejected or skipped"
                                            : "not reviewed yet: --include-prelabels adds them")
              << ")\n";
  }
  for (const sensors::DataIssue& issue : issues.issues()) {
    std::cerr << "problem: " << sensors::ToString(issue) << "\n";
  }
  return summary.tasks_failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void AddExportCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ExportCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "export",
      "Write the queue's labels as files: reviewed (accepted or corrected) tasks by default.\n"
      "  kitti           DIR/task_<id>/label_2/<frame>.txt (camera frame, bottom centre, h w l)\n"
      "                  and calib/<frame>.txt\n"
      "  kitti-tracking  DIR/label_02/<task id>.txt and calib/<task id>.txt\n"
      "  openlabel       DIR/task_<id>.json (ASAM OpenLABEL 1.0, with the rare events and tags)\n"
      "  tracklets       DIR/task_<id>/tracklet_labels.xml (KITTI raw; imports into CVAT)\n"
      "  mcap            DIR/task_<id>.mcap (source frames + Foxglove SceneUpdate cubes,\n"
      "                  ImageAnnotations box edges, the events as Log messages)\n"
      "DIR/manifest.tsv lists every exported task. Progress goes to stderr.");
  command->add_option("--queue", options->queue, "review queue: sqlite path/URL or postgresql://")
      ->required();
  command
      ->add_option("--format", options->format,
                   "kitti, kitti-tracking, openlabel, tracklets or mcap")
      ->required()
      ->check(CLI::IsMember({"kitti", "kitti-tracking", "openlabel", "tracklets", "mcap"}));
  command->add_option("-o,--output", options->output, "output folder (created if absent)")
      ->capture_default_str();
  command->add_option("--camera", options->camera,
                      "camera the KITTI formats project into (default: the log's first)");
  command->add_flag("--include-prelabels", options->include_prelabels,
                    "also export the pre-labels of tasks not reviewed yet (those scored 0.5 or\n"
                    "more: scores are calibrated probabilities)");
  command->add_flag("--include-low-score", options->include_low_score,
                    "with --include-prelabels, also the pre-labels scored below 0.5");
  command->callback([options, exit_code] { *exit_code = RunExport(*options); });
}

}  // namespace longtail::tools
