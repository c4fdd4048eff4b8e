// Exporting a review queue's labels to files, one task in memory at a time (memory stays flat for
// any number of tasks): reviewed labels by default, pre-labels of unreviewed tasks on request.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "labeling/formats/label_set.h"
#include "labeling/queue/queue_types.h"
#include "labeling/queue/review_queue.h"
#include "sensors/issues.h"

namespace longtail::labeling {

enum class ExportFormat {
  kKitti,          // task_<id>/{label_2,calib}/<frame>.txt, one file each per frame of the window
  kKittiTracking,  // {label_02,calib}/<task id>.txt, one sequence per task
  kOpenLabel,      // task_<id>.json
  kTracklets,      // task_<id>/tracklet_labels.xml
  kMcap,           // task_<id>.mcap: the source frames with the labels as Foxglove messages
};
// "kitti", "kitti-tracking", "openlabel", "tracklets", "mcap".
std::optional<ExportFormat> ParseExportFormat(std::string_view name);

// The labels a task contributes: its final labels once accepted or corrected; with
// `include_prelabels`, the pre-labels of a task not yet resolved, without those scored below
// `min_prelabel_score` (scores are calibrated probabilities; reviewed labels are never dropped).
// Nothing (nullopt) for rejected or skipped tasks and for unresolved ones without
// `include_prelabels`. Calibration left empty.
std::optional<LabelSet> TaskLabels(const TaskDetail& task, bool include_prelabels,
                                   double min_prelabel_score = 0);

struct ExportOptions {
  ExportFormat format = ExportFormat::kOpenLabel;
  std::filesystem::path output_dir;  // created if absent
  bool include_prelabels = false;
  // Pre-labels scored below this are left out (the review page hides them too), [0,1].
  double min_prelabel_score = 0.5;
  std::string camera;   // camera the KITTI formats project into; empty: the first one
  int page_size = 200;  // tasks listed per query
};

struct ExportSummary {
  std::int64_t tasks_seen = 0;
  std::int64_t tasks_exported = 0;
  std::int64_t tasks_without_labels = 0;  // rejected, skipped, or unreviewed without pre-labels
  std::int64_t tasks_failed = 0;          // no usable calibration for a KITTI format (see issues)
  std::int64_t frames = 0, boxes = 0;
  std::int64_t files_written = 0;  // label files, not counting manifest.tsv
};

// Returns the calibration of frame `frame_index` of a task's log (e.g. read from that frame);
// called once per task, and once per frame for label_2 files. Callers cache. May throw: the task is
// then reported, and counted as failed when its format needs a camera.
using CalibrationSource =
    std::function<sensors::Calibration(const TaskSummary&, std::int64_t frame_index)>;
// Returns frame `frame_index` of a task's log, or nullopt when it cannot be read (the MCAP export
// then holds the labels alone).
using FrameSource =
    std::function<std::optional<sensors::Frame>(const TaskSummary&, std::int64_t frame_index)>;
// Called after each task with (tasks seen, tasks in the queue).
using ExportProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Writes every task's labels under options.output_dir, plus manifest.tsv (one line per exported
// task: id, state, label source, log, frames, file), all write-then-rename.
ExportSummary ExportQueue(ReviewQueue& queue, const ExportOptions& options,
                          const CalibrationSource& calibration_of, const ExportProgress& progress,
                          sensors::IssueLog& issues, const FrameSource& frame_of = nullptr);

}  // namespace longtail::labeling
