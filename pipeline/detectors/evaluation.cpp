#include "pipeline/detectors/evaluation.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {
namespace {

// Expected types the synthesiser's ground truth uses whose detector events have other names.
struct Synonym {
  std::string_view expected;
  std::string_view detected;
};
constexpr std::array kSynonyms = {
    Synonym{"hard_brake", "hard_braking"},
    Synonym{"hard_brake", "harsh_jerk"},  // the jerk as the same braking sets in
    Synonym{"lidar_dropout", "lidar_point_drop"},
    Synonym{"lidar_dropout", "lidar_empty"},
    Synonym{"lidar_dropout", "missing_frames"},
    Synonym{"camera_freeze", "camera_frozen"},
    Synonym{"camera_exposure", "camera_overexposed"},
    Synonym{"camera_exposure", "camera_underexposed"},
    Synonym{"vru", "vru_in_path"},
    Synonym{"vru", "vru_near_path"},
    Synonym{"vru_in_path", "vru_near_path"},
    Synonym{"near_miss", "low_ttc"},
    Synonym{"low_ttc", "near_miss"},
    Synonym{"debris", "debris_in_lane"},
    Synonym{"incursion", "roadway_incursion"},
};

}  // namespace

bool CountsFor(std::string_view expected_type, const Event& event) {
  if (event.type == expected_type || event.detector == expected_type) return true;
  return std::any_of(kSynonyms.begin(), kSynonyms.end(), [&](const Synonym& s) {
    return s.expected == expected_type && s.detected == event.type;
  });
}

std::map<int, int> MatchTracksToActors(const BoxesByFrame& tracks, const BoxesByFrame& actors,
                                       double max_distance_m) {
  std::map<int, int> frames_seen;                    // by track
  std::map<int, std::map<int, int>> frames_matched;  // by track, then actor
  for (const auto& [frame, frame_tracks] : tracks) {
    const auto frame_actors = actors.find(frame);
    for (const IdentifiedBox& track : frame_tracks) {
      ++frames_seen[track.id];
      if (frame_actors == actors.end()) continue;
      const IdentifiedBox* nearest = nullptr;
      double nearest_distance = max_distance_m;
      for (const IdentifiedBox& actor : frame_actors->second) {
        const double distance = FootprintDistance(track.box, actor.box);
        if (distance > nearest_distance) continue;
        // Overlapping footprints all measure 0: the nearer centre decides.
        if (nearest != nullptr && distance == nearest_distance &&
            (actor.box.center - track.box.center).norm() >=
                (nearest->box.center - track.box.center).norm()) {
          continue;
        }
        nearest = &actor;
        nearest_distance = distance;
      }
      if (nearest != nullptr) ++frames_matched[track.id][nearest->id];
    }
  }
  std::map<int, int> actor_of_track;
  for (const auto& [track, by_actor] : frames_matched) {
    const auto best =
        std::max_element(by_actor.begin(), by_actor.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    if (2 * best->second >= frames_seen[track]) actor_of_track[track] = best->first;
  }
  return actor_of_track;
}

std::int64_t CriticalFrame(const ExpectedWindow& window, const BoxesByFrame& actors,
                           double half_width_m) {
  const auto involved = [&](const IdentifiedBox& actor) {
    return std::find(window.actor_ids.begin(), window.actor_ids.end(), actor.id) !=
           window.actor_ids.end();
  };
  const auto in_strip = [&](const IdentifiedBox& actor) {
    const auto corners = sensors::Corners(actor.box);
    const auto [low, high] =
        std::minmax({corners[0].y(), corners[1].y(), corners[2].y(), corners[3].y()});
    const double front = std::max({corners[0].x(), corners[1].x(), corners[2].x(), corners[3].x()});
    return front >= 0 && low <= half_width_m && high >= -half_width_m;
  };
  const auto first = actors.lower_bound(window.first_frame);
  const auto last = actors.upper_bound(window.last_frame);
  if (window.actor_ids.empty() || first == last) return window.first_frame;
  const auto any_in_strip = [&](const std::vector<IdentifiedBox>& boxes) {
    return std::any_of(boxes.begin(), boxes.end(),
                       [&](const IdentifiedBox& a) { return involved(a) && in_strip(a); });
  };
  if (!any_in_strip(first->second)) {
    for (auto frame = first; frame != last; ++frame) {
      if (any_in_strip(frame->second)) return frame->first;
    }
  }
  std::int64_t nearest_frame = window.first_frame;
  double nearest = std::numeric_limits<double>::infinity();
  for (auto frame = first; frame != last; ++frame) {
    for (const IdentifiedBox& actor : frame->second) {
      const double distance = actor.box.center.head<2>().norm();
      if (involved(actor) && distance < nearest) {
        nearest = distance;
        nearest_frame = frame->first;
      }
    }
  }
  return nearest_frame;
}

LogScore ScoreLog(const std::vector<ExpectedWindow>& expected,
                  const std::vector<ReviewWindow>& detected,
                  const std::map<int, int>& actor_of_track, bool hard_negative, Duration slack) {
  LogScore score;
  score.hard_negative = hard_negative;
  const auto overlaps = [&](const ExpectedWindow& x, const Event& e) {
    return e.start <= x.end + slack && e.end >= x.start - slack;
  };
  const auto names_actor = [&](const ExpectedWindow& x, const Event& e) {
    return std::any_of(e.track_ids.begin(), e.track_ids.end(), [&](int track) {
      const auto actor = actor_of_track.find(track);
      return actor != actor_of_track.end() &&
             std::find(x.actor_ids.begin(), x.actor_ids.end(), actor->second) != x.actor_ids.end();
    });
  };
  const auto matches = [&](const ExpectedWindow& x, const Event& e) {
    return CountsFor(x.type, e) && overlaps(x, e) &&
           (x.actor_ids.empty() || e.track_ids.empty() || names_actor(x, e));
  };
  for (const ExpectedWindow& x : expected) {
    LogScore::Expectation expectation;
    expectation.expected = x;
    std::optional<Timestamp> first;
    for (const ReviewWindow& window : detected) {
      for (const Event& e : window.events) {
        if (!matches(x, e) || (first && e.start >= *first)) continue;
        first = e.start;
        expectation.detector = e.detector;
        expectation.window_lead_time_s = sensors::ToSeconds(x.critical - window.start);
      }
    }
    if (first) {
      expectation.found = true;
      expectation.lead_time_s = sensors::ToSeconds(x.critical - *first);
    }
    score.expectations.push_back(std::move(expectation));
  }
  for (const ReviewWindow& window : detected) {
    for (const Event& e : window.events) {
      const auto any_window = [&](const auto& predicate) {
        return !hard_negative && std::any_of(expected.begin(), expected.end(), predicate);
      };
      const bool hit = any_window([&](const ExpectedWindow& x) { return matches(x, e); });
      const bool same_actor = !hit && any_window([&](const ExpectedWindow& x) {
        return overlaps(x, e) && names_actor(x, e);
      });
      score.detections.push_back({e, hit, same_actor});
    }
  }
  return score;
}

double Tally::Recall() const { return expected == 0 ? 1.0 : double(found) / expected; }
double Tally::Precision() const {
  return detected == 0 ? 1.0 : double(true_positive + same_actor) / detected;
}
double Tally::TypePrecision() const {
  return detected == 0 ? 1.0 : double(true_positive) / detected;
}
double Tally::MedianLeadTime() const { return Median(lead_times_s); }
double Tally::MedianWindowLeadTime() const { return Median(window_lead_times_s); }

EvaluationSummary Summarize(const std::vector<LogScore>& logs) {
  EvaluationSummary summary;
  for (const LogScore& log : logs) {
    if (log.hard_negative) {
      ++summary.hard_negative_logs;
      summary.hard_negative_events += static_cast<int>(log.detections.size());
      for (const auto& d : log.detections) ++summary.hard_negative_events_by_type[d.event.type];
    }
    for (const auto& x : log.expectations) {
      for (Tally* tally : {&summary.by_expected_type[x.expected.type], &summary.overall}) {
        ++tally->expected;
        if (!x.found) continue;
        ++tally->found;
        tally->lead_times_s.push_back(x.lead_time_s);
        tally->window_lead_times_s.push_back(x.window_lead_time_s);
      }
    }
    for (const auto& d : log.detections) {
      for (Tally* tally : {&summary.by_detector[d.event.detector], &summary.overall}) {
        ++tally->detected;
        tally->true_positive += d.true_positive;
        tally->same_actor += d.same_actor;
      }
    }
  }
  return summary;
}

}  // namespace longtail::pipeline
