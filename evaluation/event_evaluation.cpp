#include "evaluation/event_evaluation.h"

#include <algorithm>

namespace longtail::evaluation {

void TrackActorTally::Add(const pipeline::FrameResult& frame) {
  pipeline::BoxesByFrame one;
  auto& boxes = one[frame.index];
  for (const auto& track : frame.tracks) {
    boxes.push_back({track.id, track.box});
    ++frames_seen_[track.id];
  }
  for (const auto& [track, actor] : pipeline::MatchTracksToActors(one, actors_)) {
    ++frames_matched_[track][actor];
  }
}

std::map<int, int> TrackActorTally::ActorOfTrack() const {
  std::map<int, int> actor_of_track;
  for (const auto& [track, by_actor] : frames_matched_) {
    const auto best =
        std::max_element(by_actor.begin(), by_actor.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    if (2 * best->second >= frames_seen_.at(track)) actor_of_track[track] = best->first;
  }
  return actor_of_track;
}

std::vector<pipeline::ExpectedWindow> WithCriticalMoments(
    std::vector<pipeline::ExpectedWindow> windows, const TruthFrames& truth) {
  for (pipeline::ExpectedWindow& window : windows) {
    const auto critical = truth.stamps.find(pipeline::CriticalFrame(window, truth.actor_boxes));
    window.critical = critical != truth.stamps.end() ? critical->second : window.start;
  }
  return windows;
}

LogVerdicts VerdictsOf(const pipeline::LogScore& score, const std::map<int, int>& actor_of_track) {
  LogVerdicts out;
  for (const auto& x : score.expectations) {
    if (!x.found) out.missed.push_back({x.expected.type, x.expected.first_frame});
  }
  for (const auto& d : score.detections) {
    int actor = -1;
    for (int track : d.event.track_ids) {
      if (const auto it = actor_of_track.find(track); it != actor_of_track.end()) {
        actor = it->second;
      }
    }
    const char* verdict = d.true_positive ? "expected"
                          : d.same_actor  ? "same_actor"
                                          : "false_alarm";
    out.false_alarms += !d.true_positive && !d.same_actor;
    out.events.push_back({d.event.detector, d.event.type, d.event.first_frame, d.event.last_frame,
                          actor, verdict, d.event.reason});
  }
  return out;
}

}  // namespace longtail::evaluation
