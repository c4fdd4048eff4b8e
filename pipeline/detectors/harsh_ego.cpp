#include "pipeline/detectors/harsh_ego.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

HarshEgoDetector::HarshEgoDetector(const proto::DetectorsOptions& options)
    : options_(options.harsh_ego()) {}

int HarshEgoDetector::lookback_frames() const {
  return 2 * std::max(1, options_.smoothing_frames());
}

std::vector<Event> HarshEgoDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const EgoMotion& ego = frame.ego;
  if (!ego.known || (ego.estimated && !options_.use_estimated_motion())) return events;
  const std::size_t k = std::max(1, options_.smoothing_frames());
  // Mean acceleration over the k frames up to frame i, from the speeds: a difference over several
  // frames rather than the per-frame value, which is noisy when the motion is estimated.
  const auto acceleration_to = [&](std::size_t i) -> std::optional<double> {
    if (i < k) return std::nullopt;
    const FrameResult& a = window.frames[i - k];
    const FrameResult& b = window.frames[i];
    const double seconds = sensors::ToSeconds(b.stamp - a.stamp);
    if (!a.ego.known || !b.ego.known || seconds <= 0) return std::nullopt;
    const double acceleration = (b.ego.speed - a.ego.speed) / seconds;
    if (std::abs(acceleration) > options_.max_plausible_acceleration_mps2()) return std::nullopt;
    return acceleration;
  };
  const std::size_t now = window.current;
  const std::optional<double> acceleration = acceleration_to(now);
  if (acceleration) {
    const FrameResult& before = window.frames[now - k];
    const double seconds = sensors::ToSeconds(frame.stamp - before.stamp);
    const bool moving =
        std::max(std::abs(before.ego.speed), std::abs(ego.speed)) >= options_.min_speed_mps();
    const std::string speeds = Fixed(before.ego.speed) + " -> " + Fixed(ego.speed) + " m/s over " +
                               Fixed(seconds, 2) + " s";
    const std::map<std::string, double> values = {{"acceleration_mps2", *acceleration},
                                                  {"speed_before_mps", before.ego.speed},
                                                  {"speed_mps", ego.speed},
                                                  {"interval_s", seconds}};
    if (moving && -*acceleration >= options_.hard_braking_mps2()) {
      const double excess =
          (-*acceleration - options_.hard_braking_mps2()) / options_.hard_braking_mps2();
      events.push_back(MakeFrameEvent(
          frame, kName, version(), "hard_braking", 0.5 + 0.5 * std::min(1.0, excess), {},
          "Ego braked at " + Fixed(-*acceleration) + " m/s^2 (" + speeds + ")", values));
    }
    if (moving && *acceleration >= options_.harsh_acceleration_mps2()) {
      events.push_back(MakeFrameEvent(
          frame, kName, version(), "harsh_acceleration", 0.4, {},
          "Ego accelerated at " + Fixed(*acceleration) + " m/s^2 (" + speeds + ")", values));
    }
    const std::optional<double> earlier = acceleration_to(now - k);
    if (moving && earlier) {
      const double jerk = (*acceleration - *earlier) / seconds;
      if (std::abs(jerk) >= options_.max_jerk_mps3()) {
        events.push_back(MakeFrameEvent(frame, kName, version(), "harsh_jerk", 0.4, {},
                                        "Ego jerk " + Fixed(jerk) + " m/s^3 (acceleration " +
                                            Fixed(*earlier) + " -> " + Fixed(*acceleration) +
                                            " m/s^2 over " + Fixed(seconds, 2) + " s)",
                                        {{"jerk_mps3", jerk},
                                         {"acceleration_before_mps2", *earlier},
                                         {"acceleration_mps2", *acceleration}}));
      }
    }
  }
  const double lateral = ego.speed * ego.yaw_rate;
  if (std::abs(ego.speed) >= options_.min_speed_mps() &&
      std::abs(lateral) >= options_.lateral_acceleration_mps2()) {
    events.push_back(MakeFrameEvent(
        frame, kName, version(), "harsh_turn",
        0.5 + 0.5 * std::min(1.0, std::abs(lateral) / options_.lateral_acceleration_mps2() - 1.0),
        {},
        "Ego lateral acceleration " + Fixed(std::abs(lateral)) + " m/s^2 (" + Fixed(ego.speed) +
            " m/s at a yaw rate of " + Fixed(ego.yaw_rate, 2) + " rad/s, " +
            (ego.yaw_rate > 0 ? "left" : "right") + ")",
        {{"lateral_acceleration_mps2", lateral},
         {"speed_mps", ego.speed},
         {"yaw_rate_radps", ego.yaw_rate}}));
  }
  return events;
}

}  // namespace longtail::pipeline
