// The frames a streaming stage still needs, oldest first, in one contiguous block: detectors and
// callbacks see them as a std::span without a per-frame copy.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "pipeline/types.h"

namespace longtail::pipeline {

// A bounded FIFO of frames. Dropping the oldest frame is O(1): the storage keeps a dead prefix and
// is compacted once that prefix is as long as the live frames, so each frame moves once on average
// (amortised O(1)) and storage never holds twice the live frames. A dropped frame's buffers are
// freed at once.
//
// Spans and references it hands out stay valid until the next push_back, pop_front or clear.
class FrameHistory {
 public:
  void push_back(FrameResult frame);
  // Drops the oldest frame. Precondition: !empty().
  void pop_front();
  void clear();

  bool empty() const { return size() == 0; }
  std::size_t size() const { return storage_.size() - dropped_; }
  // Preconditions: !empty(), and i < size() for operator[].
  const FrameResult& front() const { return storage_[dropped_]; }
  const FrameResult& back() const { return storage_.back(); }
  const FrameResult& operator[](std::size_t i) const { return storage_[dropped_ + i]; }
  // Every live frame, oldest first.
  std::span<const FrameResult> frames() const {
    return std::span<const FrameResult>(storage_).subspan(dropped_);
  }

  // Slots in storage, live frames plus dropped ones not yet compacted away: below 2 * size() when
  // not empty, 0 when empty. This is what bounds the memory.
  std::size_t stored() const { return storage_.size(); }

 private:
  std::vector<FrameResult> storage_;  // dropped_ dead (emptied) frames, then the live ones
  std::size_t dropped_ = 0;
};

}  // namespace longtail::pipeline
