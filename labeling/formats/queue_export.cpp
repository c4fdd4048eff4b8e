#include "labeling/formats/queue_export.h"

#include <cstdio>
#include <fstream>

#include "labeling/formats/kitti_labels.h"
#include "labeling/formats/kitti_tracklets.h"
#include "labeling/formats/mcap_labels.h"
#include "labeling/formats/openlabel.h"
#include "sensors/atomic_file.h"

namespace longtail::labeling {
namespace {

std::vector<LabeledFrame> ToFrames(const std::vector<FramePrelabels>& source) {
  std::vector<LabeledFrame> frames;
  frames.reserve(source.size());
  for (const FramePrelabels& prelabels : source) {
    LabeledFrame frame;
    frame.frame_index = prelabels.frame_index;
    frame.stamp = prelabels.stamp;
    for (const sensors::LabeledBox& box : prelabels.boxes) frame.objects.push_back({box, "", {}});
    frames.push_back(std::move(frame));
  }
  return frames;
}

std::string Padded(std::int64_t number) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%06lld", static_cast<long long>(number));
  return buffer;
}

bool NeedsCamera(ExportFormat format) {
  return format == ExportFormat::kKitti || format == ExportFormat::kKittiTracking;
}

// Writes one task's files; returns the path of its file or folder, relative to the output dir.
// label_2 files take each frame's own calibration (the object benchmark's changes per frame).
std::string WriteTask(const LabelSet& labels, const TaskSummary& task, const ExportOptions& options,
                      const CalibrationSource& calibration_of, const FrameSource& frame_of,
                      ExportSummary& summary) {
  const std::filesystem::path& dir = options.output_dir;
  const std::string name = "task_" + Padded(task.id);
  switch (options.format) {
    case ExportFormat::kOpenLabel:
      WriteOpenLabel(dir / (name + ".json"), labels);
      ++summary.files_written;
      return name + ".json";
    case ExportFormat::kMcap: {
      SourceFrames frames;
      if (frame_of) frames = [&](std::int64_t index) { return frame_of(task, index); };
      WriteLabelsMcap(dir / (name + ".mcap"), labels, frames);
      ++summary.files_written;
      return name + ".mcap";
    }
    case ExportFormat::kKittiTracking: {
      const std::string file = "label_02/" + Padded(task.id) + ".txt";
      const sensors::CameraModel& camera = FindCamera(labels.calibration, options.camera);
      WriteKittiTrackingLabels(dir / file, labels.frames, camera);
      sensors::WriteFileAtomically(dir / "calib" / (Padded(task.id) + ".txt"),
                                   FormatKittiCalibration(labels.calibration, camera));
      summary.files_written += 2;
      return file;
    }
    case ExportFormat::kTracklets:
      std::filesystem::create_directories(dir / name);
      WriteKittiTracklets(dir / name / "tracklet_labels.xml", labels.frames, labels.calibration);
      ++summary.files_written;
      return name + "/tracklet_labels.xml";
    case ExportFormat::kKitti: {
      std::filesystem::create_directories(dir / name / "label_2");
      std::filesystem::create_directories(dir / name / "calib");
      for (const LabeledFrame& frame : labels.frames) {
        const sensors::Calibration calibration = calibration_of(task, frame.frame_index);
        const sensors::CameraModel& camera = FindCamera(calibration, options.camera);
        const std::string file = Padded(frame.frame_index) + ".txt";
        WriteKittiObjectLabels(dir / name / "label_2" / file, frame, camera);
        sensors::WriteFileAtomically(dir / name / "calib" / file,
                                     FormatKittiCalibration(calibration, camera));
        summary.files_written += 2;
      }
      return name + "/label_2";
    }
  }
  return {};
}

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "kitti") return ExportFormat::kKitti;
  if (name == "kitti-tracking") return ExportFormat::kKittiTracking;
  if (name == "openlabel") return ExportFormat::kOpenLabel;
  if (name == "tracklets") return ExportFormat::kTracklets;
  if (name == "mcap") return ExportFormat::kMcap;
  return std::nullopt;
}

std::optional<LabelSet> TaskLabels(const TaskDetail& task, bool include_prelabels,
                                   double min_prelabel_score) {
  const TaskState state = task.summary.state;
  const std::vector<FramePrelabels>* source = nullptr;
  if (state == TaskState::kAccepted || state == TaskState::kCorrected) {
    source = &task.final_labels;
  } else if (include_prelabels && !IsResolved(state)) {
    source = &task.prelabels;
  }
  if (source == nullptr) return std::nullopt;
  LabelSet labels;
  labels.name = task.summary.log_id;
  labels.options_hash = task.summary.options_hash;
  labels.events = task.events;
  labels.frames = ToFrames(*source);
  if (source == &task.prelabels) {
    for (LabeledFrame& frame : labels.frames) {
      std::erase_if(frame.objects, [&](const ObjectLabel& object) {
        return object.labeled.score < min_prelabel_score;
      });
    }
  }
  return labels;
}

ExportSummary ExportQueue(ReviewQueue& queue, const ExportOptions& options,
                          const CalibrationSource& calibration_of, const ExportProgress& progress,
                          sensors::IssueLog& issues, const FrameSource& frame_of) {
  ExportSummary summary;
  std::filesystem::create_directories(options.output_dir);
  if (options.format == ExportFormat::kKittiTracking) {
    std::filesystem::create_directories(options.output_dir / "label_02");
    std::filesystem::create_directories(options.output_dir / "calib");
  }
  const std::filesystem::path manifest_path = options.output_dir / "manifest.tsv";
  const std::filesystem::path manifest_temporary = manifest_path.string() + ".tmp";
  std::ofstream manifest(manifest_temporary, std::ios::trunc);
  if (!manifest) throw FormatError(manifest_temporary.string() + ": cannot create");
  manifest << "task_id\tstate\tlabels\tlog_id\tlog_path\tfirst_frame\tlast_frame\tpath\n";

  const std::int64_t total = queue.Stats().tasks;
  TaskFilter filter;
  filter.limit = options.page_size;
  while (true) {
    const std::vector<TaskSummary> page = queue.ListTasks(filter);
    if (page.empty()) break;
    for (const TaskSummary& summary_row : page) {
      filter.after_id = std::max(filter.after_id, summary_row.id);
      ++summary.tasks_seen;
      std::optional<TaskDetail> detail;
      try {
        detail = queue.GetTask(summary_row.id);
      } catch (const std::exception& e) {
        // A row another writer damaged costs its task, not the rest of the export.
        ++summary.tasks_failed;
        issues.Report({summary_row.log_path, 0, 0,
                       "task " + std::to_string(summary_row.id) + " not exported: " + e.what()});
        if (progress) progress(summary.tasks_seen, total);
        continue;
      }
      std::optional<LabelSet> labels;
      if (detail) {
        labels = TaskLabels(*detail, options.include_prelabels, options.min_prelabel_score);
      }
      if (!labels) {
        ++summary.tasks_without_labels;
      } else {
        try {
          try {
            labels->calibration = calibration_of(summary_row, summary_row.first_frame);
          } catch (const std::exception& e) {
            // OpenLABEL and tracklets are complete without cameras; KITTI files are not.
            if (NeedsCamera(options.format)) throw;
            issues.Report({summary_row.log_path, 0, 0,
                           std::string("no calibration, exported without cameras: ") + e.what()});
          }
          const std::string path =
              WriteTask(*labels, summary_row, options, calibration_of, frame_of, summary);
          ++summary.tasks_exported;
          summary.frames += static_cast<std::int64_t>(labels->frames.size());
          for (const LabeledFrame& frame : labels->frames) {
            summary.boxes += static_cast<std::int64_t>(frame.objects.size());
          }
          const bool reviewed = summary_row.state == TaskState::kAccepted ||
                                summary_row.state == TaskState::kCorrected;
          manifest << summary_row.id << '\t' << ToString(summary_row.state) << '\t'
                   << (reviewed ? "reviewed" : "prelabels") << '\t' << summary_row.log_id << '\t'
                   << summary_row.log_path << '\t' << summary_row.first_frame << '\t'
                   << summary_row.last_frame << '\t' << path << '\n';
        } catch (const std::exception& e) {
          ++summary.tasks_failed;
          issues.Report({summary_row.log_path, 0, 0,
                         "task " + std::to_string(summary_row.id) + " not exported: " + e.what()});
        }
      }
      if (progress) progress(summary.tasks_seen, total);
    }
  }
  manifest.close();
  if (!manifest) throw FormatError(manifest_temporary.string() + ": write failed");
  std::filesystem::rename(manifest_temporary, manifest_path);
  return summary;
}

}  // namespace longtail::labeling
