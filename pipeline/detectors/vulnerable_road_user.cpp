#include "pipeline/detectors/vulnerable_road_user.h"

#include <algorithm>
#include <optional>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"
#include "pipeline/detectors/hindsight.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {

VulnerableRoadUserDetector::VulnerableRoadUserDetector(const proto::DetectorsOptions& options)
    : options_(options.vulnerable_road_user()),
      path_options_(options.ego_path()),
      body_(options.ego_body()) {}

int VulnerableRoadUserDetector::lookahead_frames() const {
  return path_options_.use_future_poses() ? path_options_.future_frames() : 0;
}

std::vector<Event> VulnerableRoadUserDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const double half_width = options_.corridor_width_m() / 2;
  const double start = options_.start_m(), end = options_.length_m();
  if (end <= start) return events;
  const bool any = std::any_of(frame.tracks.begin(), frame.tracks.end(), [](const Track& t) {
    return sensors::IsVulnerableRoadUser(t.object_class);
  });
  if (!any) return events;
  const EgoPath path = PredictEgoPath(window, end, path_options_);
  const sensors::Box3D ego_box = EgoFootprint(body_);
  const bool hindsight = HasHindsight(window);
  for (const Track& track : frame.tracks) {
    if (!sensors::IsVulnerableRoadUser(track.object_class) || track.hits < options_.min_hits() ||
        track.class_confidence < options_.min_class_confidence()) {
      continue;
    }
    const FootprintOnPath on_path = ProjectFootprint(path, track.box, start, end);
    if (!on_path.in_range || on_path.lateral_gap > half_width + options_.near_margin_m()) continue;
    // In the path: its centre inside the corridor (a box edge over the kerb is near it).
    const bool in_path =
        on_path.lateral_gap <= half_width && std::abs(on_path.center_d) <= half_width;
    const double outside = std::max(0.0, on_path.lateral_gap - half_width);
    // How close the ego actually passed it and how fast it drove then (hindsight), else how close
    // it will pass at today's speed if it stays where it is.
    const auto pass = hindsight ? FutureClosestPass(window, track.id, ego_box, kHorizonS)
                                : std::optional<ClosestPass>();
    const double clearance =
        pass ? pass->distance_m : std::max(0.0, on_path.lateral_gap - body_.width_m() / 2);
    const double speed = pass ? pass->ego_speed_mps : std::max(0.0, frame.ego.speed);
    double severity = SeverityFromClearance(clearance, speed);
    // In the path: the time between it leaving the corridor (hindsight; without it, now) and
    // the ego's front getting there, the post-encroachment time of a crossing.
    std::optional<double> arrival, time_gap;
    if (in_path) {
      arrival = EgoArrival(window, path, on_path.s_min, body_.front_m());
      const auto exit =
          hindsight ? FuturePathExit(window, track.id, path, half_width, kHorizonS) : 0.0;
      if (arrival) time_gap = std::max(0.0, *arrival - exit.value_or(0.0));
      if (time_gap) severity = std::max(severity, SeverityFromTimeGap(*time_gap, true));
    }
    std::string reason = Describe(track) + (in_path ? " in" : " near") + " the ego path " +
                         Fixed(on_path.s_min) + " m ahead, " +
                         (in_path ? LeftOrRight(on_path.center_d) + " of its centre"
                                  : Fixed(outside) + " m outside the " +
                                        Fixed(options_.corridor_width_m()) + " m corridor") +
                         " (path from " + std::string(ToString(path.source)) + "); " +
                         (time_gap ? "the ego's front got there " + Fixed(*time_gap) +
                                         " s after it left the corridor, "
                                   : std::string()) +
                         (pass ? "passed " : "would pass ") + Fixed(clearance) + " m from it at " +
                         Fixed(speed * 3.6, 0) + " km/h";
    events.push_back(MakeFrameEvent(frame, kName, version(),
                                    in_path ? "vru_in_path" : "vru_near_path", severity, {track.id},
                                    std::move(reason),
                                    {{"distance_m", on_path.s_min},
                                     {"center_offset_m", on_path.center_d},
                                     {"outside_corridor_m", outside},
                                     {"pass_clearance_m", clearance},
                                     {"pass_speed_mps", speed},
                                     {"ego_arrival_s", arrival.value_or(-1)},
                                     {"time_gap_s", time_gap.value_or(-1)}}));
  }
  return events;
}

}  // namespace longtail::pipeline
