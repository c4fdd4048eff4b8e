// Low time-to-collision and near misses: each track's footprint moved with constant velocity
// relative to the ego's footprint (ego_body options); "low_ttc" when they touch within the
// threshold, "near_miss" when they pass closer than the near-miss distance without touching.
// Severity (severity.h): the time gap to contact or to the closest approach; halved when the
// actual future over the horizon (hindsight) shows the track passing wider than kBorneOutM.
#pragma once

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

class LowTtcDetector : public Detector {
 public:
  static constexpr std::string_view kName = "low_ttc";
  static constexpr double kBorneOutM = 1.0;  // actual closest approach that confirms, m
  explicit LowTtcDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 3; }
  int lookback_frames() const override;
  int lookahead_frames() const override;
  // At most one event per track.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::LowTtcOptions options_;
  proto::EgoBodyOptions body_;
  proto::TrackPlausibilityOptions plausibility_;
  ConsecutiveFrames held_;  // frames in a row with low TTC or a near miss, by track
};

}  // namespace longtail::pipeline
