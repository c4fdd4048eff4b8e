// The stages of `longtail eval` between mining a log and printing its scores: which ground-truth
// actor each track is, the expected windows with their critical moments, and each log's verdicts
// (missed expectations, events by verdict). The scoring itself is pipeline/detectors/evaluation.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/detectors/evaluation.h"
#include "pipeline/types.h"

namespace longtail::evaluation {

// Which ground-truth actor each track is, tallied frame by frame as the log streams past, so memory
// does not grow with the log's length: the rule of pipeline::MatchTracksToActors (each frame's
// nearest actor; the actor a track matches in at least half of its frames) from per-frame counts.
class TrackActorTally {
 public:
  // `actors` must outlive the tally.
  explicit TrackActorTally(const pipeline::BoxesByFrame& actors) : actors_(actors) {}

  void Add(const pipeline::FrameResult& frame);
  std::map<int, int> ActorOfTrack() const;  // track id -> actor id, for the tracks that are one

 private:
  const pipeline::BoxesByFrame& actors_;
  std::map<int, int> frames_seen_;                    // by track
  std::map<int, std::map<int, int>> frames_matched_;  // by track, then actor
};

// A log's ground truth frame by frame: the actors' boxes and the frames' stamps.
struct TruthFrames {
  pipeline::BoxesByFrame actor_boxes;
  std::map<std::int64_t, sensors::Timestamp> stamps;
};

// The expected windows with their critical moments (pipeline::CriticalFrame, at that frame's
// stamp; the window's start when the frame has no stamp).
std::vector<pipeline::ExpectedWindow> WithCriticalMoments(
    std::vector<pipeline::ExpectedWindow> windows, const TruthFrames& truth);

// One log's verdicts for a person and for CI.
struct LogVerdicts {
  struct Missed {
    std::string type;
    std::int64_t first_frame = 0;
  };
  struct EventVerdict {
    std::string detector, type;
    std::int64_t first_frame = 0, last_frame = 0;
    // The ground-truth actor the event is about (-1: none, clutter or no object): tells a
    // detector's mistake about a real road user from perception's mistake about a wall.
    int actor = -1;
    std::string verdict;  // "expected", "same_actor" or "false_alarm"
    std::string reason;
  };
  std::vector<Missed> missed;
  std::vector<EventVerdict> events;
  std::size_t false_alarms = 0;
};
LogVerdicts VerdictsOf(const pipeline::LogScore& score, const std::map<int, int>& actor_of_track);

}  // namespace longtail::evaluation
