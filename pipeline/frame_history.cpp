#include "pipeline/frame_history.h"

#include <cstddef>
#include <utility>

namespace longtail::pipeline {

void FrameHistory::push_back(FrameResult frame) { storage_.push_back(std::move(frame)); }

void FrameHistory::pop_front() {
  // Free the dropped frame's objects and tracks now rather than at the next compaction.
  storage_[dropped_] = FrameResult{};
  ++dropped_;
  if (dropped_ == storage_.size()) {
    clear();
  } else if (dropped_ >= size()) {
    // Moves size() <= dropped_ frames, each paid for by one of the dropped_ pops since the last
    // compaction.
    storage_.erase(storage_.begin(), storage_.begin() + static_cast<std::ptrdiff_t>(dropped_));
    dropped_ = 0;
  }
}

void FrameHistory::clear() {
  storage_.clear();
  dropped_ = 0;
}

}  // namespace longtail::pipeline
