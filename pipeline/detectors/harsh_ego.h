// Ego hard braking and harsh manoeuvres from ego motion: deceleration, acceleration and jerk as
// fitted slopes of the speed around the judged frame (smoothing_frames each side), lateral
// acceleration from speed x yaw rate.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class HarshEgoDetector : public Detector {
 public:
  static constexpr std::string_view kName = "harsh_ego";
  explicit HarshEgoDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 2; }
  int lookback_frames() const override;
  int lookahead_frames() const override;
  // Up to one event per kind (hard_braking, harsh_acceleration, harsh_jerk, harsh_turn).
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::HarshEgoOptions options_;
};

}  // namespace longtail::pipeline
