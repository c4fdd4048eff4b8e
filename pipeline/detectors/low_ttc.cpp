#include "pipeline/detectors/low_ttc.h"

#include <optional>

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

LowTtcDetector::LowTtcDetector(const proto::DetectorsOptions& options)
    : options_(options.low_ttc()), body_(options.ego_body()) {}

std::vector<Event> LowTtcDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const sensors::Box3D ego_box = EgoFootprint(body_);
  const Eigen::Vector2d ego_velocity = EgoVelocity(frame.ego);
  const double horizon = options_.horizon_s();
  const double step = std::max(1e-3, options_.time_step_s());
  const double near_miss = options_.near_miss_distance_m();
  for (const Track& track : frame.tracks) {
    if (track.hits < options_.min_hits()) continue;
    // Constant relative velocity in the ego's axes (the ego's turning is ignored over the horizon).
    const Eigen::Vector2d relative = track.velocity_vehicle - ego_velocity;
    const double relative_speed = relative.norm();
    if (relative_speed < options_.min_relative_speed_mps()) continue;
    const double now_distance = FootprintDistance(ego_box, track.box);
    // Overlapping the ego now is a perception artefact, and a track that cannot come within the
    // near-miss distance over the horizon is skipped without simulating it.
    if (now_distance <= 0 || now_distance - relative_speed * horizon > near_miss) continue;
    std::optional<double> ttc;
    double min_distance = now_distance, min_time = 0;
    for (int i = 1; i * step <= horizon + 1e-9; ++i) {
      const double t = i * step;
      sensors::Box3D moved = track.box;
      moved.center.head<2>() += relative * t;
      const double distance = FootprintDistance(ego_box, moved);
      if (distance < min_distance) {
        min_distance = distance;
        min_time = t;
      }
      if (distance <= 0) {
        ttc = t;
        break;
      }
    }
    const std::map<std::string, double> values = {{"distance_m", now_distance},
                                                  {"relative_speed_mps", relative_speed},
                                                  {"min_distance_m", min_distance},
                                                  {"time_of_min_distance_s", min_time}};
    if (ttc && *ttc <= options_.ttc_threshold_s()) {
      auto with_ttc = values;
      with_ttc["ttc_s"] = *ttc;
      events.push_back(MakeFrameEvent(frame, kName, version(), "low_ttc",
                                      1.0 - 0.5 * *ttc / options_.ttc_threshold_s(), {track.id},
                                      Describe(track) + ": time to collision " + Fixed(*ttc, 2) +
                                          " s (now " + Fixed(now_distance) +
                                          " m from the ego, closing at " + Fixed(relative_speed) +
                                          " m/s)",
                                      std::move(with_ttc)));
    } else if (!ttc && min_time > 0 && min_distance <= near_miss) {
      events.push_back(MakeFrameEvent(frame, kName, version(), "near_miss",
                                      0.5 + 0.3 * (1.0 - min_distance / near_miss), {track.id},
                                      Describe(track) + " passes " + Fixed(min_distance, 2) +
                                          " m from the ego in " + Fixed(min_time) + " s at " +
                                          Fixed(relative_speed) + " m/s relative (now " +
                                          Fixed(now_distance) + " m away)",
                                      values));
    }
  }
  return events;
}

}  // namespace longtail::pipeline
