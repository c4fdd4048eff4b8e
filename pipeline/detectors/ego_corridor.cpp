#include "pipeline/detectors/ego_corridor.h"

#include <algorithm>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {
namespace {

bool HasPlausibleSize(const sensors::Box3D& box, const proto::EgoCorridorOptions& options) {
  return box.height >= options.min_height_m() && box.height <= options.max_height_m() &&
         std::max(box.length, box.width) >= options.min_footprint_m() &&
         box.length <= options.max_length_m() && box.width <= options.max_width_m();
}

}  // namespace

EgoCorridorDetector::EgoCorridorDetector(const proto::DetectorsOptions& options)
    : options_(options.ego_corridor()),
      path_options_(options.ego_path()),
      body_(options.ego_body()) {}

int EgoCorridorDetector::lookahead_frames() const {
  return path_options_.use_future_poses() ? path_options_.future_frames() : 0;
}

std::vector<Event> EgoCorridorDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  const double half_width = options_.width_m() / 2;
  const double start = options_.start_m(), end = options_.length_m();
  std::vector<Event> events;
  if (frame.tracks.empty() || end <= start) return events;
  const EgoPath path = PredictEgoPath(window, end, path_options_);
  for (const Track& track : frame.tracks) {
    // Pedestrians and cyclists are the vulnerable_road_user detector's.
    if (track.hits < options_.min_hits() || !HasPlausibleSize(track.box, options_) ||
        sensors::IsVulnerableRoadUser(track.object_class) ||
        track.velocity_world.norm() > options_.max_ground_speed_mps()) {
      continue;
    }
    const FootprintOnPath on_path = ProjectFootprint(path, track.box, start, end);
    if (!on_path.in_range || on_path.lateral_gap > half_width) continue;
    const double distance = on_path.s_min;
    // The deceleration the ego needs to stop kStandoffM short of it: a queue the ego rolls up to
    // needs little, a parked car far along a bend none that counts, an object that blocks the lane
    // close ahead at speed a hard stop.
    const double deceleration =
        StopShortDeceleration(std::max(0.0, frame.ego.speed), distance, body_.front_m());
    const double severity = SeverityFromDeceleration(deceleration);
    std::string reason =
        Describe(track) + " in the ego corridor " + Fixed(distance) + " m ahead along the path, " +
        LeftOrRight(on_path.center_d) + " of its centre (corridor " + Fixed(options_.width_m()) +
        " m wide, " + Fixed(start) + "-" + Fixed(end) + " m, path from " +
        std::string(ToString(path.source)) + "), moving at " + Fixed(track.velocity_world.norm()) +
        " m/s; stopping short of it at " + Fixed(std::max(0.0, frame.ego.speed) * 3.6, 0) +
        " km/h takes " + Fixed(deceleration) + " m/s^2";
    events.push_back(MakeFrameEvent(frame, kName, version(), "object_in_corridor", severity,
                                    {track.id}, std::move(reason),
                                    {{"distance_m", distance},
                                     {"center_offset_m", on_path.center_d},
                                     {"lateral_gap_m", on_path.lateral_gap},
                                     {"corridor_width_m", options_.width_m()},
                                     {"corridor_length_m", end},
                                     {"path_curvature_per_m", path.curvature},
                                     {"ground_speed_mps", track.velocity_world.norm()},
                                     {"required_deceleration_mps2", deceleration}}));
  }
  return events;
}

}  // namespace longtail::pipeline
