// Labels made elsewhere (KITTI files, OpenLABEL, CVAT tracklets) into review tasks, so people can
// check and correct them in the same queue as mined pre-labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "labeling/formats/label_set.h"
#include "labeling/queue/review_queue.h"

namespace longtail::labeling {

struct ImportOptions {
  std::string log_id;        // the log the labels belong to (LogInfo::log_id)
  std::string log_path;      // where the review page reads the frames from
  std::string log_format;    // "kitti-raw", "mcap", ...
  std::string source;        // what the labels came from, e.g. "openlabel": the task's "detectors"
  int frames_per_task = 50;  // frames of the window one task holds, >= 1
};

// One task per run of up to `frames_per_task` consecutive labelled frames (a gap in the frame
// numbers starts a new task). Each task carries the label set's events that overlap its window
// and the options hash "import:<source>", so importing the same file twice adds nothing.
std::vector<TaskDraft> ImportDrafts(const LabelSet& labels, const ImportOptions& options);

}  // namespace longtail::labeling
