#include "pipeline/detectors/roadway_incursion.h"

#include <algorithm>
#include <cmath>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"

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
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const double half_width = options_.corridor_width_m() / 2;
  const double start = options_.start_m(), end = options_.length_m();
  const double horizon = options_.horizon_s();
  const EgoPath path = PredictEgoPath(window, end, path_options_);
  const double ego_speed = EgoVelocity(frame.ego).x();
  for (const Track& track : frame.tracks) {
    const bool unknown = track.object_class == sensors::ObjectClass::kUnknown ||
                         track.object_class == sensors::ObjectClass::kMisc;
    if ((unknown && !options_.include_unknown()) || track.hits < options_.min_hits() ||
        track.hits < options_.min_hit_ratio() * track.age ||
        track.box.height < options_.min_height_m() || !HasPlausibleMotion(track, plausibility_)) {
      continue;
    }
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
    const double severity = 1.0 - 0.7 * time_to_entry / horizon;
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
