#include "labeling/tasks.h"

#include <algorithm>

namespace longtail::labeling {

FramePrelabels PrelabelsOf(const pipeline::FrameResult& frame) {
  FramePrelabels prelabels;
  prelabels.frame_index = frame.index;
  prelabels.stamp = frame.stamp;
  for (const pipeline::Track& track : frame.tracks) {
    prelabels.boxes.push_back({track.box, track.object_class, track.id, track.class_confidence});
  }
  return prelabels;
}

TaskDraft MakeTaskDraft(const sensors::LogInfo& log, const pipeline::ReviewWindow& window,
                        std::span<const pipeline::FrameResult> frames,
                        const std::string& options_hash) {
  TaskDraft draft;
  draft.log_id = log.log_id;
  draft.log_path = log.path;
  draft.log_format = log.format;
  draft.detectors = window.detectors;
  draft.options_hash = options_hash;
  draft.start = window.start;
  draft.end = window.end;
  draft.severity = window.severity;
  draft.events = window.events;
  for (const pipeline::FrameResult& frame : frames) {
    if (frame.stamp < window.start || frame.stamp > window.end) continue;
    draft.frames.push_back(PrelabelsOf(frame));
  }
  if (!draft.frames.empty()) {
    draft.first_frame = draft.frames.front().frame_index;
    draft.last_frame = draft.frames.back().frame_index;
  } else {  // a window shorter than a frame period: fall back to the events' frames
    draft.first_frame = window.events.front().first_frame;
    draft.last_frame = window.events.front().last_frame;
    for (const auto& e : window.events) {
      draft.first_frame = std::min(draft.first_frame, e.first_frame);
      draft.last_frame = std::max(draft.last_frame, e.last_frame);
    }
  }
  return draft;
}

}  // namespace longtail::labeling
