#include "pipeline/detectors/harsh_ego.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {

namespace {

constexpr std::string_view kName = HarshEgoDetector::kName;

// Acceleration at frame i: the least-squares slope of the speeds over the frames within k of it
// (look-back and look-ahead). A fitted slope averages the noise of estimated speeds out, where
// a difference of two speeds adds it up: speeds from stereo-SLAM poses (about 5 cm of jitter a
// frame) give accelerations within about 0.5 m/s^2 of the truth this way. Needs both sides of i;
// nullopt also beyond `max_plausible` (m/s^2), which only an estimation glitch gives.
std::optional<double> FittedAcceleration(const FrameWindow& window, std::size_t i, std::size_t k,
                                         double max_plausible) {
  if (i < k || i + k >= window.frames.size()) return std::nullopt;
  double mean_t = 0, mean_v = 0;
  for (std::size_t j = i - k; j <= i + k; ++j) {
    if (!window.frames[j].ego.known) return std::nullopt;
    mean_t += sensors::ToSeconds(window.frames[j].stamp - window.frames[i].stamp);
    mean_v += window.frames[j].ego.speed;
  }
  mean_t /= static_cast<double>(2 * k + 1);
  mean_v /= static_cast<double>(2 * k + 1);
  double spread = 0, covariance = 0;
  for (std::size_t j = i - k; j <= i + k; ++j) {
    const double t = sensors::ToSeconds(window.frames[j].stamp - window.frames[i].stamp) - mean_t;
    spread += t * t;
    covariance += t * (window.frames[j].ego.speed - mean_v);
  }
  if (spread <= 0) return std::nullopt;
  const double acceleration = covariance / spread;
  if (std::abs(acceleration) > max_plausible) return std::nullopt;
  return acceleration;
}

// Hard braking, harsh acceleration and harsh jerk at the window's current frame, whose fitted
// `acceleration` over k frames each side is known.
std::vector<Event> LongitudinalEvents(const FrameWindow& window, std::size_t k, double acceleration,
                                      int version, const proto::HarshEgoOptions& options) {
  std::vector<Event> events;
  const std::size_t now = window.current;
  const FrameResult& frame = window.now();
  const EgoMotion& ego = frame.ego;
  const FrameResult& before = window.frames[now - k];
  const FrameResult& after = window.frames[now + k];
  const double seconds = sensors::ToSeconds(frame.stamp - before.stamp);
  const bool moving =
      std::max(std::abs(before.ego.speed), std::abs(ego.speed)) >= options.min_speed_mps();
  const std::string speeds = Fixed(before.ego.speed) + " -> " + Fixed(after.ego.speed) +
                             " m/s over " +
                             Fixed(sensors::ToSeconds(after.stamp - before.stamp), 2) + " s";
  const std::map<std::string, double> values = {{"acceleration_mps2", acceleration},
                                                {"speed_before_mps", before.ego.speed},
                                                {"speed_mps", ego.speed},
                                                {"speed_after_mps", after.ego.speed}};
  if (moving && -acceleration >= options.hard_braking_mps2()) {
    events.push_back(MakeFrameEvent(
        frame, kName, version, "hard_braking", SeverityFromDeceleration(-acceleration), {},
        "Ego braked at " + Fixed(-acceleration) + " m/s^2 (" + speeds + ")", values));
  }
  // Accelerating hard is a matter of comfort, not of danger: half the scale of braking.
  if (moving && acceleration >= options.harsh_acceleration_mps2()) {
    events.push_back(MakeFrameEvent(
        frame, kName, version, "harsh_acceleration", 0.5 * SeverityFromDeceleration(acceleration),
        {}, "Ego accelerated at " + Fixed(acceleration) + " m/s^2 (" + speeds + ")", values));
  }
  // Jerk: the change from the acceleration k frames earlier.
  const std::optional<double> earlier =
      FittedAcceleration(window, now - k, k, options.max_plausible_acceleration_mps2());
  if (moving && earlier) {
    const double jerk = (acceleration - *earlier) / seconds;
    if (std::abs(jerk) >= options.max_jerk_mps3()) {
      events.push_back(MakeFrameEvent(frame, kName, version, "harsh_jerk", 0.4, {},
                                      "Ego jerk " + Fixed(jerk) + " m/s^3 (acceleration " +
                                          Fixed(*earlier) + " -> " + Fixed(acceleration) +
                                          " m/s^2 over " + Fixed(seconds, 2) + " s)",
                                      {{"jerk_mps3", jerk},
                                       {"acceleration_before_mps2", *earlier},
                                       {"acceleration_mps2", acceleration}}));
    }
  }
  return events;
}

// A harsh turn: the lateral acceleration speed x yaw rate, when moving.
std::optional<Event> TurnEvent(const FrameResult& frame, int version,
                               const proto::HarshEgoOptions& options) {
  const EgoMotion& ego = frame.ego;
  const double lateral = ego.speed * ego.yaw_rate;
  if (std::abs(ego.speed) < options.min_speed_mps() ||
      std::abs(lateral) < options.lateral_acceleration_mps2()) {
    return std::nullopt;
  }
  return MakeFrameEvent(frame, kName, version, "harsh_turn",
                        SeverityFromDeceleration(std::abs(lateral)), {},
                        "Ego lateral acceleration " + Fixed(std::abs(lateral)) + " m/s^2 (" +
                            Fixed(ego.speed) + " m/s at a yaw rate of " + Fixed(ego.yaw_rate, 2) +
                            " rad/s, " + (ego.yaw_rate > 0 ? "left" : "right") + ")",
                        {{"lateral_acceleration_mps2", lateral},
                         {"speed_mps", ego.speed},
                         {"yaw_rate_radps", ego.yaw_rate}});
}

}  // namespace

HarshEgoDetector::HarshEgoDetector(const proto::DetectorsOptions& options)
    : options_(options.harsh_ego()) {}

int HarshEgoDetector::lookback_frames() const {
  return 2 * std::max(1, options_.smoothing_frames());
}

int HarshEgoDetector::lookahead_frames() const { return std::max(1, options_.smoothing_frames()); }

std::vector<Event> HarshEgoDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const EgoMotion& ego = frame.ego;
  if (!ego.known || (ego.estimated && !options_.use_estimated_motion())) return events;
  const std::size_t k = std::max(1, options_.smoothing_frames());
  const std::optional<double> acceleration =
      FittedAcceleration(window, window.current, k, options_.max_plausible_acceleration_mps2());
  if (acceleration) events = LongitudinalEvents(window, k, *acceleration, version(), options_);
  if (std::optional<Event> turn = TurnEvent(frame, version(), options_)) {
    events.push_back(std::move(*turn));
  }
  return events;
}

}  // namespace longtail::pipeline
