// Roadway incursion: an object beside the ego corridor moving sideways into it ahead of the
// vehicle, with its predicted entry within a horizon. The corridor follows the ego's path
// (ego_path.h); the drivable roadway from ground segmentation is not used yet.
#pragma once

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

class RoadwayIncursionDetector : public Detector {
 public:
  static constexpr std::string_view kName = "roadway_incursion";
  explicit RoadwayIncursionDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 2; }
  int lookback_frames() const override;
  int lookahead_frames() const override;
  // One "roadway_incursion" event per track predicted to enter the corridor.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::RoadwayIncursionOptions options_;
  proto::EgoPathOptions path_options_;
  proto::TrackPlausibilityOptions plausibility_;
  ConsecutiveFrames held_;  // frames in a row with a predicted entry, by track
};

}  // namespace longtail::pipeline
