// Review windows: events become time windows with context before and after; overlapping or close
// windows merge into one; repeated firings of the same condition merge into one event.
#pragma once

#include <string>
#include <vector>

#include "pipeline/proto/run.pb.h"
#include "pipeline/types.h"

namespace longtail::pipeline {

struct ReviewWindow {
  Timestamp start, end;       // with context; frames whose stamp lies in [start, end] belong to it
  double severity = 0;        // the highest of its events
  std::vector<Event> events;  // in order of first firing
  std::string detectors;      // sorted, comma-separated names of the detectors that fired
};

// Streams events in time order and hands back windows once no later event can join them.
class WindowBuilder {
 public:
  explicit WindowBuilder(const proto::RunnerOptions& options);
  // Events that fired at the judged frame stamped `now` (in time order across calls). Returns the
  // windows that are now closed.
  std::vector<ReviewWindow> Add(const std::vector<Event>& events, Timestamp now);
  // Closes every open window (end of the log).
  std::vector<ReviewWindow> Flush();
  // The earliest stamp an open or future window may start at: frames before it are no longer
  // needed.
  Timestamp EarliestNeeded(Timestamp now) const;

 private:
  void Merge(ReviewWindow& window, const Event& event);
  Duration before_, after_, merge_gap_, max_window_;
  std::vector<ReviewWindow> open_;  // disjoint, in time order
};

}  // namespace longtail::pipeline
