// Cut-in: a vehicle that was outside the ego lane within the look-back and whose centre now enters
// it, close ahead, after moving sideways toward the path. Fires on the frame the centre crosses in.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class CutInDetector : public Detector {
 public:
  static constexpr std::string_view kName = "cut_in";
  explicit CutInDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 1; }
  int lookback_frames() const override;
  int lookahead_frames() const override;
  // One "cut_in" event per vehicle crossing into the lane at this frame.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::CutInOptions options_;
  proto::EgoPathOptions path_options_;
  proto::TrackPlausibilityOptions plausibility_;
};

}  // namespace longtail::pipeline
