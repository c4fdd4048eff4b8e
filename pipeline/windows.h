// Episodes and review windows. A detector fires one-frame events; consecutive firings of one
// condition (detector, type, actors) become one episode with its first, peak and last frame.
// Episodes below the severity threshold are dropped; the rest become time windows with context
// before and after, and overlapping or close windows merge into one review task.
#pragma once

#include <string>
#include <vector>

#include "pipeline/proto/run.pb.h"
#include "pipeline/types.h"

namespace longtail::pipeline {

struct ReviewWindow {
  // The critical parts of its episodes with context; frames whose stamp lies in [start, end]
  // belong to it.
  Timestamp start, end;
  double severity = 0;        // the highest of its episodes
  std::vector<Event> events;  // episodes, in order of first firing
  std::string detectors;      // sorted, comma-separated names of the detectors that fired
};

// An episode and the part of it that is critical: the frames whose severity reaches the run's
// threshold. The episode tells the whole span of the condition; a reviewer's window is built
// around the critical part (a pedestrian who stands in the path 40 m ahead for ten seconds before
// the ego comes close is one episode, and the reviewer sees the last two seconds).
struct Episode {
  Event event;
  bool critical = false;                   // some frame reached the threshold
  Timestamp critical_start, critical_end;  // first and last such frame
};

// Joins one-frame events into episodes. An episode closes when its condition has not fired for
// longer than the gap, or when it and its window's context would outlast max_window_s (a condition
// that lasts longer goes on as a new episode, so the frames kept for its window stay bounded).
class EpisodeBuilder {
 public:
  explicit EpisodeBuilder(const proto::RunnerOptions& options);
  // Events that fired at the judged frame stamped `now` (in time order across calls). Returns the
  // episodes that are now closed.
  std::vector<Episode> Add(const std::vector<Event>& events, Timestamp now);
  std::vector<Episode> Flush();  // closes every open episode (end of the log)
  // The start of the earliest open episode, or `now` when none is open.
  Timestamp EarliestOpen(Timestamp now) const;

 private:
  Duration gap_, max_length_;
  double min_severity_;
  std::vector<Episode> open_;  // in order of first firing
};

// Streams one-frame events in time order and hands back windows of episodes once no later
// episode can join them.
class WindowBuilder {
 public:
  explicit WindowBuilder(const proto::RunnerOptions& options);
  // Events that fired at the judged frame stamped `now` (in time order across calls). Returns the
  // windows that are now closed.
  std::vector<ReviewWindow> Add(const std::vector<Event>& events, Timestamp now);
  // Closes every open episode and window (end of the log).
  std::vector<ReviewWindow> Flush();
  // The earliest stamp an open or future window may start at: frames before it are no longer
  // needed.
  Timestamp EarliestNeeded(Timestamp now) const;
  // Episodes closed so far whose peak severity was below the threshold (not in any window).
  std::int64_t dropped_episodes() const { return dropped_; }

 private:
  void AddEpisodes(const std::vector<Episode>& episodes);
  std::vector<ReviewWindow> CloseBefore(Timestamp horizon);
  EpisodeBuilder episodes_;
  Duration before_, after_, merge_gap_, max_window_;
  std::int64_t dropped_ = 0;
  std::vector<ReviewWindow> open_;  // in time order
};

}  // namespace longtail::pipeline
