#include "pipeline/windows.h"

#include <algorithm>
#include <iterator>
#include <set>

namespace longtail::pipeline {
namespace {

bool SameCondition(const Event& a, const Event& b) {
  return a.detector == b.detector && a.type == b.type && a.track_ids == b.track_ids;
}

bool StartsEarlier(const Event& a, const Event& b) { return a.start < b.start; }

std::string JoinDetectors(const std::vector<Event>& events) {
  std::set<std::string> names;
  for (const Event& e : events) names.insert(e.detector);
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ",") + name;
  return joined;
}

}  // namespace

EpisodeBuilder::EpisodeBuilder(const proto::RunnerOptions& options)
    : gap_(sensors::FromSeconds(options.episode_gap_s())),
      // With its context before and after, an episode fits in one window of max_window_s.
      max_length_(
          sensors::FromSeconds(std::max(options.max_window_s() - options.window_context_before_s() -
                                            options.window_context_after_s(),
                                        options.episode_gap_s()))),
      min_severity_(options.min_severity()) {}

std::vector<Episode> EpisodeBuilder::Add(const std::vector<Event>& events, Timestamp now) {
  for (const Event& event : events) {
    auto it = std::find_if(open_.begin(), open_.end(), [&](const Episode& e) {
      return SameCondition(e.event, event) && event.start - e.event.end <= gap_ &&
             event.end - e.event.start < max_length_;
    });
    if (it == open_.end()) {
      open_.push_back({event, false, event.start, event.end});
      it = open_.end() - 1;
    } else {
      Event& episode = it->event;
      episode.end = std::max(episode.end, event.end);
      episode.last_frame = std::max(episode.last_frame, event.last_frame);
      if (event.severity > episode.severity) {  // the peak: keep the numbers of the worst moment
        episode.severity = event.severity;
        episode.peak_frame = event.peak_frame;
        episode.peak = event.peak;
        episode.reason = event.reason;
        episode.values = event.values;
        episode.detector_version = event.detector_version;
      }
    }
    if (event.severity >= min_severity_) {
      it->critical_start = it->critical ? std::min(it->critical_start, event.start) : event.start;
      it->critical_end = it->critical ? std::max(it->critical_end, event.end) : event.end;
      it->critical = true;
    }
  }
  // An episode that has not fired for longer than the gap, or has reached the longest an episode
  // may last, is over.
  const auto closed = std::stable_partition(open_.begin(), open_.end(), [&](const Episode& e) {
    return now - e.event.end <= gap_ && e.event.end - e.event.start < max_length_;
  });
  std::vector<Episode> out(std::make_move_iterator(closed), std::make_move_iterator(open_.end()));
  open_.erase(closed, open_.end());
  return out;
}

std::vector<Episode> EpisodeBuilder::Flush() { return std::exchange(open_, {}); }

Timestamp EpisodeBuilder::EarliestOpen(Timestamp now) const {
  Timestamp earliest = now;
  for (const Episode& e : open_) earliest = std::min(earliest, e.event.start);
  return earliest;
}

WindowBuilder::WindowBuilder(const proto::RunnerOptions& options)
    : episodes_(options),
      before_(sensors::FromSeconds(options.window_context_before_s())),
      after_(sensors::FromSeconds(options.window_context_after_s())),
      merge_gap_(sensors::FromSeconds(options.window_merge_gap_s())),
      max_window_(sensors::FromSeconds(options.max_window_s())) {}

void WindowBuilder::AddEpisodes(const std::vector<Episode>& episodes) {
  for (const Episode& episode : episodes) {
    if (!episode.critical) {
      ++dropped_;
      continue;
    }
    open_.push_back({episode.critical_start - before_,
                     episode.critical_end + after_,
                     episode.event.severity,
                     {episode.event},
                     episode.event.detector});
  }
  std::stable_sort(open_.begin(), open_.end(),
                   [](const ReviewWindow& a, const ReviewWindow& b) { return a.start < b.start; });
  // Windows that overlap or nearly touch become one task for one stretch of the drive, while the
  // whole stays within max_window_s.
  for (std::size_t i = 0; i + 1 < open_.size();) {
    ReviewWindow& a = open_[i];
    ReviewWindow& b = open_[i + 1];
    if (b.start - merge_gap_ > a.end || std::max(a.end, b.end) - a.start > max_window_) {
      ++i;
      continue;
    }
    a.end = std::max(a.end, b.end);
    a.severity = std::max(a.severity, b.severity);
    a.events.insert(a.events.end(), b.events.begin(), b.events.end());
    std::stable_sort(a.events.begin(), a.events.end(), StartsEarlier);
    a.detectors = JoinDetectors(a.events);
    open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
  }
}

std::vector<ReviewWindow> WindowBuilder::CloseBefore(Timestamp horizon) {
  const auto closed = std::stable_partition(
      open_.begin(), open_.end(), [&](const ReviewWindow& w) { return w.end >= horizon; });
  std::vector<ReviewWindow> out(std::make_move_iterator(closed),
                                std::make_move_iterator(open_.end()));
  open_.erase(closed, open_.end());
  return out;
}

std::vector<ReviewWindow> WindowBuilder::Add(const std::vector<Event>& events, Timestamp now) {
  AddEpisodes(episodes_.Add(events, now));
  // A later episode starts no earlier than the earliest open one (or now) minus the context:
  // windows ending before that minus the merge gap can no longer grow.
  return CloseBefore(episodes_.EarliestOpen(now) - before_ - merge_gap_);
}

std::vector<ReviewWindow> WindowBuilder::Flush() {
  AddEpisodes(episodes_.Flush());
  return std::exchange(open_, {});
}

Timestamp WindowBuilder::EarliestNeeded(Timestamp now) const {
  const Timestamp future = episodes_.EarliestOpen(now) - before_ - merge_gap_;
  return open_.empty() ? future : std::min(open_.front().start, future);
}

}  // namespace longtail::pipeline
