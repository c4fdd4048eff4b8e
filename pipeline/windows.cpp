#include "pipeline/windows.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace longtail::pipeline {
namespace {

bool SameCondition(const Event& a, const Event& b) {
  return a.detector == b.detector && a.type == b.type && a.track_ids == b.track_ids;
}

std::string JoinDetectors(const std::vector<Event>& events) {
  std::set<std::string> names;
  for (const Event& e : events) names.insert(e.detector);
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ",") + name;
  return joined;
}

}  // namespace

WindowBuilder::WindowBuilder(const proto::RunnerOptions& options)
    : before_(sensors::FromSeconds(options.window_context_before_s())),
      after_(sensors::FromSeconds(options.window_context_after_s())),
      merge_gap_(sensors::FromSeconds(options.window_merge_gap_s())),
      max_window_(sensors::FromSeconds(options.max_window_s())) {}

void WindowBuilder::Merge(ReviewWindow& window, const Event& event) {
  window.start = std::min(window.start, event.start - before_);
  window.end = std::max(window.end, event.end + after_);
  window.severity = std::max(window.severity, event.severity);
  // The same condition firing again (frame after frame) extends the earlier event.
  for (auto it = window.events.rbegin(); it != window.events.rend(); ++it) {
    if (!SameCondition(*it, event) || event.start - it->end > merge_gap_) continue;
    it->end = std::max(it->end, event.end);
    it->last_frame = std::max(it->last_frame, event.last_frame);
    if (event.severity > it->severity) {  // keep the numbers of the worst moment
      it->severity = event.severity;
      it->reason = event.reason;
      it->values = event.values;
    }
    return;
  }
  window.events.push_back(event);
  window.detectors = JoinDetectors(window.events);
}

std::vector<ReviewWindow> WindowBuilder::Add(const std::vector<Event>& events, Timestamp now) {
  for (const Event& event : events) {
    const Timestamp start = event.start - before_;
    auto it = std::find_if(open_.begin(), open_.end(), [&](const ReviewWindow& w) {
      return start - merge_gap_ <= w.end && event.end + after_ + merge_gap_ >= w.start &&
             w.end - w.start < max_window_;
    });
    if (it == open_.end()) {
      open_.push_back({start, event.end + after_, event.severity, {}, ""});
      it = open_.end() - 1;
    }
    Merge(*it, event);
  }
  // A later event starts no earlier than now - before: windows ending before that minus the merge
  // gap can no longer grow.
  std::vector<ReviewWindow> closed;
  const Timestamp horizon = now - before_ - merge_gap_;
  while (!open_.empty() && open_.front().end < horizon) {
    closed.push_back(std::move(open_.front()));
    open_.erase(open_.begin());
  }
  return closed;
}

std::vector<ReviewWindow> WindowBuilder::Flush() { return std::exchange(open_, {}); }

Timestamp WindowBuilder::EarliestNeeded(Timestamp now) const {
  const Timestamp future = now - before_ - merge_gap_;
  return open_.empty() ? future : std::min(open_.front().start, future);
}

}  // namespace longtail::pipeline
