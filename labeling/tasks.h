// From mined review windows to review-queue drafts: the window's events and its frames' pre-labels.
#pragma once

#include <span>
#include <string>

#include "labeling/queue/review_queue.h"
#include "pipeline/types.h"
#include "pipeline/windows.h"
#include "sensors/log_reader.h"

namespace longtail::labeling {

// Pre-labels of one frame: its confirmed tracks as labelled boxes (vehicle frame) scored by class
// confidence.
FramePrelabels PrelabelsOf(const pipeline::FrameResult& frame);

// One draft for `window`; `frames` holds at least the frames whose stamp lies in the window, in
// order (others are ignored). first_frame/last_frame are the first and last of those frames.
TaskDraft MakeTaskDraft(const sensors::LogInfo& log, const pipeline::ReviewWindow& window,
                        std::span<const pipeline::FrameResult> frames,
                        const std::string& options_hash);

}  // namespace longtail::labeling
