// Cut-in: a vehicle moving the ego's way that moves sideways into the ego lane close ahead.
// With hindsight (the look-ahead frames hold the ego's poses) the episode runs while the vehicle
// is still beside the lane and its centre actually enters the lane within kHorizonS; without it,
// it fires on the frame the centre crosses in after a sideways move over the look-back.
// Severity (severity.h): the time gap between the vehicle entering the lane and the ego's front
// getting to that point (without hindsight: the time headway to it). A car that keeps its lane
// while the ego changes into it is beside the ego's path only in the ego's frame, not on it.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class CutInDetector : public Detector {
 public:
  static constexpr std::string_view kName = "cut_in";
  static constexpr double kHorizonS = 2.0;  // how far ahead a confirmed cut-in is looked for
  explicit CutInDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 2; }
  int lookback_frames() const override;
  int lookahead_frames() const override;
  // One "cut_in" event per vehicle cutting into the lane.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  std::vector<Event> Confirmed(const FrameWindow& window);
  std::vector<Event> Observed(const FrameWindow& window);
  proto::CutInOptions options_;
  proto::EgoPathOptions path_options_;
  proto::EgoBodyOptions body_;
  proto::TrackPlausibilityOptions plausibility_;
};

}  // namespace longtail::pipeline
