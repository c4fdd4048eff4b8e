#include "labeling/formats/queue_import.h"

#include <algorithm>
#include <optional>

namespace longtail::labeling {
namespace {

TaskDraft StartDraft(const LabelSet& labels, const ImportOptions& options) {
  TaskDraft draft;
  draft.log_id = options.log_id;
  draft.log_path = options.log_path;
  draft.log_format = options.log_format;
  draft.detectors = "import:" + options.source;
  draft.options_hash =
      labels.options_hash.empty() ? "import:" + options.source : labels.options_hash;
  return draft;
}

void FinishDraft(TaskDraft& draft, const LabelSet& labels) {
  draft.first_frame = draft.frames.front().frame_index;
  draft.last_frame = draft.frames.back().frame_index;
  draft.start = draft.frames.front().stamp;
  draft.end = draft.frames.back().stamp;
  for (const pipeline::Event& event : labels.events) {
    if (event.last_frame < draft.first_frame || event.first_frame > draft.last_frame) continue;
    draft.events.push_back(event);
    draft.severity = std::max(draft.severity, event.severity);
  }
}

}  // namespace

std::vector<TaskDraft> ImportDrafts(const LabelSet& labels, const ImportOptions& options) {
  const std::size_t per_task = static_cast<std::size_t>(std::max(options.frames_per_task, 1));
  std::vector<const LabeledFrame*> frames;
  for (const LabeledFrame& frame : labels.frames) frames.push_back(&frame);
  std::stable_sort(frames.begin(), frames.end(),
                   [](const auto* a, const auto* b) { return a->frame_index < b->frame_index; });
  std::vector<TaskDraft> drafts;
  std::optional<TaskDraft> current;
  for (const LabeledFrame* frame : frames) {
    const bool gap = current && frame->frame_index != current->frames.back().frame_index + 1;
    if (current && (gap || current->frames.size() == per_task)) {
      FinishDraft(*current, labels);
      drafts.push_back(std::move(*current));
      current.reset();
    }
    if (!current) current = StartDraft(labels, options);
    FramePrelabels prelabels;
    prelabels.frame_index = frame->frame_index;
    prelabels.stamp = frame->stamp.value_or(sensors::Timestamp{});
    for (const ObjectLabel& object : frame->objects) prelabels.boxes.push_back(object.labeled);
    current->frames.push_back(std::move(prelabels));
  }
  if (current) {
    FinishDraft(*current, labels);
    drafts.push_back(std::move(*current));
  }
  return drafts;
}

}  // namespace longtail::labeling
