#include "pipeline/detectors/roadway_incursion.h"

#include <algorithm>
#include <cmath>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"
#include "pipeline/detectors/hindsight.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {

RoadwayIncursionDetector::RoadwayIncursionDetector(const proto::DetectorsOptions& options)
    : options_(options.roadway_incursion()),
      path_options_(options.ego_path()),
      plausibility_(options.plausibility()) {}

int RoadwayIncursionDetector::lookback_frames() const { return options_.confirm_frames(); }

int RoadwayIncursionDetector::lookahead_frames() const {
  return path_options_.use_future_poses() ? path_options_.future_frames() : 0;
}

std::vector<Event> RoadwayIncursionDetector::Process(const FrameWindow& window) {
  return HasHindsight(window) ? Confirmed(window) : Predicted(window);
}

bool RoadwayIncursionDetector::IsCandidate(const Track& track) const {
  const bool unknown = track.object_class == sensors::ObjectClass::kUnknown ||
                       track.object_class == sensors::ObjectClass::kMisc;
  return (!unknown || options_.include_unknown()) && track.hits >= options_.min_hits() &&
         track.hits >= options_.min_hit_ratio() * track.age &&
         track.box.height >= options_.min_height_m() && HasPlausibleMotion(track, plausibility_);
}

std::vector<Event> RoadwayIncursionDetector::Confirmed(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const double half_width = options_.corridor_width_m() / 2;
  const double start = options_.start_m(), end = options_.length_m();
  const EgoPath path = PredictEgoPath(window, end, path_options_);
  for (const Track& track : frame.tracks) {
    // A mover beside the corridor now (a parked car's box that jitters into it is not one).
    if (!IsCandidate(track) || track.velocity_world.norm() < options_.min_lateral_speed_mps()) {
      continue;
    }
    // A pedestrian or cyclist is on the road when its centre is (its box's edge over the kerb is
    // not); a vehicle when any part of it is.
    const bool vulnerable = sensors::IsVulnerableRoadUser(track.object_class);
    const FootprintOnPath on_path = ProjectFootprint(path, track.box, start, end);
    const double gap =
        vulnerable ? std::abs(on_path.center_d) - half_width : on_path.lateral_gap - half_width;
    if (!on_path.in_range || gap <= 0) continue;
    // Looking at its future is only worth it when it could get there: within twice its speed now
    // over the horizon, plus 2 m for a box that grows or a walker who starts to run.
    if (gap > 2 * track.velocity_world.norm() * options_.horizon_s() + 2.0) continue;
    const auto entry = FuturePathEntry(window, track.id, path, half_width, start,
                                       options_.horizon_s(), /*by_center=*/vulnerable);
    // Within the corridor's length of the ego as it was when the actor entered.
    if (!entry || !entry->time_gap_s || entry->ahead_of_ego_m > end) continue;
    const double severity = SeverityFromTimeGap(*entry->time_gap_s, vulnerable);
    const bool ego_first = *entry->ego_arrival_s < entry->actor_time_s;
    std::string reason = Describe(track) + " " + Fixed(gap) + " m " +
                         (on_path.center_d > 0 ? "left" : "right") + " of the ego corridor " +
                         Fixed(on_path.s_min) + " m ahead crossed into it " +
                         Fixed(entry->actor_time_s) + " s later, " + Fixed(entry->s_m) +
                         " m ahead; the ego got there " + Fixed(*entry->time_gap_s) + " s " +
                         (ego_first ? "before" : "after") + " it (post-encroachment time)";
    events.push_back(MakeFrameEvent(frame, kName, version(), "roadway_incursion", severity,
                                    {track.id}, std::move(reason),
                                    {{"lateral_gap_m", gap},
                                     {"distance_m", on_path.s_min},
                                     {"time_to_entry_s", entry->actor_time_s},
                                     {"entry_distance_m", entry->s_m},
                                     {"ego_arrival_s", *entry->ego_arrival_s},
                                     {"time_gap_s", *entry->time_gap_s}}));
  }
  return events;
}

std::vector<Event> RoadwayIncursionDetector::Predicted(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const double half_width = options_.corridor_width_m() / 2;
  const double start = options_.start_m(), end = options_.length_m();
  const double horizon = options_.horizon_s();
  const EgoPath path = PredictEgoPath(window, end, path_options_);
  const double ego_speed = EgoVelocity(frame.ego).x();
  for (const Track& track : frame.tracks) {
    if (!IsCandidate(track)) continue;
    // Beside the corridor (anywhere along the path for now; the entry point is checked below).
    const FootprintOnPath on_path = ProjectFootprint(path, track.box, -1e9, 1e9);
    const double gap = on_path.lateral_gap - half_width;
    if (!on_path.in_range || gap <= 0) continue;
    const PathPoint center = ToPathCoordinates(path, track.box.center.head<2>());
    const Eigen::Vector2d velocity = ToPathVelocity(center, track.velocity_vehicle);
    const double toward = center.d > 0 ? -velocity.y() : velocity.y();
    if (toward < options_.min_lateral_speed_mps()) continue;
    const double time_to_entry = gap / toward;
    if (time_to_entry > horizon) continue;
    // Constant velocities: where along the path it enters, and how far ahead of the ego's front
    // that is by then. An object the ego has already passed is no incursion ahead of it.
    const double entry_s = center.s + velocity.x() * time_to_entry;
    const double ahead_of_ego = entry_s - ego_speed * time_to_entry;
    if (center.s < 0 || entry_s > end || ahead_of_ego < start) continue;
    // The approach must show in the past frames too: a velocity from one jittering box is noise.
    const auto past = EarliestObservation(window, track.id, options_.confirm_frames());
    if (!past) continue;
    const EgoPath past_path = PredictEgoPath({window.frames, past->frame}, end, path_options_);
    const FootprintOnPath then = ProjectFootprint(past_path, past->track->box, -1e9, 1e9);
    const double seconds = sensors::ToSeconds(frame.stamp - window.frames[past->frame].stamp);
    const double approached = (then.lateral_gap - half_width) - gap;
    const double claimed = toward * seconds;
    // So must the object: a track that turned from vehicle to road user or from unknown to either
    // over the look-back is a cluster that merged, split or jumped to another object (a pole's
    // track taken over by a passing walker). Pedestrian and cyclist, car and van, pass for alike.
    const auto kind = [](ObjectClass c) {
      return sensors::IsVehicle(c) ? 1 : sensors::IsVulnerableRoadUser(c) ? 2 : 0;
    };
    bool same_kind = true;
    for (std::size_t i = past->frame; i < window.current; ++i) {
      const Track* earlier = FindTrack(window.frames[i], track.id);
      same_kind &= earlier == nullptr || kind(earlier->object_class) == kind(track.object_class);
    }
    if (!same_kind || (then.center_d > 0) != (center.d > 0) ||
        approached < options_.min_confirmed_fraction() * claimed ||
        approached > options_.max_confirmed_factor() * claimed + 1.0 ||
        held_.Hold(track.id) < options_.persist_frames()) {
      continue;
    }
    // The time gap between the object's entry and the ego reaching that point, both predicted.
    const double ego_time = ego_speed > 0.5 ? (entry_s - start) / ego_speed : 1e9;
    const double severity = SeverityFromTimeGap(std::abs(ego_time - time_to_entry),
                                                sensors::IsVulnerableRoadUser(track.object_class));
    std::string reason = Describe(track) + " " + Fixed(gap) + " m " +
                         (center.d > 0 ? "left" : "right") + " of the ego corridor " +
                         Fixed(center.s) + " m ahead, moving toward it at " + Fixed(toward) +
                         " m/s: enters in " + Fixed(time_to_entry) + " s, " + Fixed(ahead_of_ego) +
                         " m ahead of the ego (" + Fixed(approached) + " m closer than " +
                         Fixed(seconds) + " s ago)";
    events.push_back(MakeFrameEvent(frame, kName, version(), "roadway_incursion", severity,
                                    {track.id}, std::move(reason),
                                    {{"lateral_gap_m", gap},
                                     {"distance_m", center.s},
                                     {"lateral_speed_mps", toward},
                                     {"time_to_entry_s", time_to_entry},
                                     {"entry_ahead_of_ego_m", ahead_of_ego},
                                     {"approached_m", approached},
                                     {"approach_interval_s", seconds}}));
  }
  held_.EndFrame();
  return events;
}

}  // namespace longtail::pipeline
