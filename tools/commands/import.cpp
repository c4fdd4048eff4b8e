// `longtail import --queue URL --format F INPUT`: labels made elsewhere (KITTI files, OpenLABEL,
// CVAT's KITTI raw tracklets) into the review queue as tasks, to be checked and corrected there.
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>

#include "labeling/formats/kitti_labels.h"
#include "labeling/formats/kitti_tracklets.h"
#include "labeling/formats/openlabel.h"
#include "labeling/formats/queue_import.h"
#include "labeling/queue/review_queue.h"
#include "sensors/kitti/kitti_calibration.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

struct ImportCommandOptions {
  std::string queue;
  std::string format;
  std::string input;
  std::string log;    // the source log the labels belong to
  std::string calib;  // KITTI benchmark calibration file, instead of the log's
  std::string camera;
  std::string vehicle_frame = std::string(labeling::kOpenLabelVehicleFrame);
  int frames_per_task = 50;
};

// The log's id, format and calibration (of its first frame), or a file's own calibration.
struct SourceLog {
  std::string log_id, log_format;
  sensors::Calibration calibration;
};

SourceLog DescribeSource(const ImportCommandOptions& options, sensors::IssueLog& issues) {
  SourceLog source;
  if (!options.log.empty()) {
    const auto reader = sensors::OpenLog(options.log, issues);
    source.log_id = reader->info().log_id;
    source.log_format = reader->info().format;
    if (const std::optional<sensors::Frame> frame = reader->Next(); frame && frame->calibration) {
      source.calibration = *frame->calibration;
    }
  } else {
    source.log_id = std::filesystem::path(options.input).stem().string();
    source.log_format = "labels-only";
  }
  if (!options.calib.empty() && !std::filesystem::is_directory(options.calib)) {
    source.calibration = sensors::ReadKittiBenchmarkCalibration(options.calib);
  }
  return source;
}

// label_2 folder: one file per frame, the frame number in its name. The KITTI object benchmark
// calibrates every frame on its own: its labels take the calibration of their frame, from a calib
// folder (--calib DIR) or from the log.
std::vector<labeling::LabeledFrame> ReadLabel2Folder(const ImportCommandOptions& options,
                                                     const SourceLog& source,
                                                     sensors::IssueLog& issues) {
  std::vector<labeling::LabeledFrame> frames;
  static const std::regex kFrameFile("([0-9]+)\\.txt");
  for (const auto& entry : std::filesystem::directory_iterator(options.input)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, match, kFrameFile)) continue;
    const std::int64_t index = std::stoll(match[1]);
    sensors::Calibration calibration = source.calibration;
    if (!options.calib.empty() && std::filesystem::is_directory(options.calib)) {
      // A calib folder beside label_2 (the object benchmark's layout, and `longtail export`'s).
      calibration = sensors::ReadKittiBenchmarkCalibration(std::filesystem::path(options.calib) /
                                                           entry.path().filename());
    } else if (source.log_format == "kitti-object" && options.calib.empty()) {
      const std::optional<sensors::Frame> frame = sensors::ReadFrameAt(options.log, index, issues);
      if (!frame || !frame->calibration) {
        issues.Report({entry.path().string(), 0, 0, "no calibration for this frame in the log"});
        continue;
      }
      calibration = *frame->calibration;
    }
    labeling::LabeledFrame frame = labeling::ReadKittiObjectLabels(
        entry.path(), labeling::FindCamera(calibration, options.camera), issues);
    frame.frame_index = index;
    frames.push_back(std::move(frame));
  }
  return frames;
}

// Reads the labels, turns them into tasks and queues them; prints what it queued.
void ImportLabels(const ImportCommandOptions& options, sensors::IssueLog& issues) {
  const SourceLog source = DescribeSource(options, issues);
  labeling::LabelSet labels;
  labels.calibration = source.calibration;
  if (options.format == "openlabel") {
    labels = labeling::ReadOpenLabel(options.input, options.vehicle_frame, issues);
  } else if (options.format == "tracklets") {
    labels.frames = labeling::ReadKittiTracklets(options.input, source.calibration, issues);
  } else if (options.format == "kitti-tracking") {
    labels.frames = labeling::ReadKittiTrackingLabels(
        options.input, labeling::FindCamera(source.calibration, options.camera), issues);
  } else {
    labels.frames = ReadLabel2Folder(options, source, issues);
  }
  labeling::ImportOptions import_options;
  import_options.log_id = source.log_id;
  import_options.log_path = options.log.empty() ? options.input : options.log;
  import_options.log_format = source.log_format;
  import_options.source = options.format;
  import_options.frames_per_task = options.frames_per_task;
  const std::vector<labeling::TaskDraft> drafts = labeling::ImportDrafts(labels, import_options);
  const std::unique_ptr<labeling::ReviewQueue> queue = labeling::OpenQueue(options.queue);
  const labeling::EnqueueResult result = queue->Enqueue(drafts);
  std::size_t boxes = 0;
  for (const auto& frame : labels.frames) boxes += frame.objects.size();
  std::cout << "imported " << boxes << " boxes in " << labels.frames.size() << " frames as "
            << result.inserted << " new tasks (" << result.already_present
            << " already in the queue) for " << source.log_id << "\n";
}

int RunImport(const ImportCommandOptions& options) {
  sensors::IssueLog issues;
  // Any failure to import (bad labels, an unreadable log, the queue) is a runtime failure.
  Rethrow<RuntimeFailure>([&] { ImportLabels(options, issues); });
  for (const sensors::DataIssue& issue : issues.issues()) {
    std::cerr << "problem: " << sensors::ToString(issue) << "\n";
  }
  return issues.count() == 0 ? kExitOk : kExitCorruptInput;
}

}  // namespace

void AddImportCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ImportCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "import",
      "Load labels made elsewhere into the review queue as tasks of up to --frames-per-task\n"
      "frames. INPUT: a label_2 folder (kitti), a label_02 file (kitti-tracking), an OpenLABEL\n"
      "file (openlabel) or a tracklet_labels.xml (tracklets). KITTI formats need a camera: from\n"
      "--calib or from --log's first frame. Exit code 3 when some labels were unreadable.");
  command->add_option("input", options->input, "label file or folder")->required();
  command->add_option("--queue", options->queue, "review queue: sqlite path/URL or postgresql://")
      ->required();
  command->add_option("--format", options->format, "kitti, kitti-tracking, openlabel or tracklets")
      ->required()
      ->check(CLI::IsMember({"kitti", "kitti-tracking", "openlabel", "tracklets"}));
  command->add_option("--log", options->log, "the drive log the labels belong to");
  command->add_option("--calib", options->calib,
                      "KITTI benchmark calibration file, or a calib folder with one file per "
                      "label_2 file");
  command->add_option("--camera", options->camera, "camera the KITTI labels are in");
  command
      ->add_option("--vehicle-frame", options->vehicle_frame,
                   "OpenLABEL coordinate system that is the vehicle frame (VCD KITTI: VELO_TOP)")
      ->capture_default_str();
  command->add_option("--frames-per-task", options->frames_per_task, "frames per review task")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->callback([options, exit_code] { *exit_code = RunImport(*options); });
}

}  // namespace longtail::tools
