// Roadway incursion: a road user beside the ego corridor that moves into it ahead of the vehicle
// within a horizon. The corridor follows the ego's path (ego_path.h).
// With hindsight (the look-ahead frames hold the ego's poses, as when mining a log) the entry is
// what actually happened: the actor's future boxes entered the strip the ego then drove, and the
// severity is the post-encroachment time, the gap between the actor and the ego passing that
// point (hindsight.h, severity.h). A pedestrian crossing in front of a standing ego is no
// incursion: the ego never gets there. Looks ahead horizon_s for the entry and the ego's path
// (future_frames) for its arrival, extrapolated at its last speed beyond them.
// Without hindsight the entry is predicted from constant velocities and must hold on
// persist_frames frames in a row and show in the track's past.
#pragma once

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

class RoadwayIncursionDetector : public Detector {
 public:
  static constexpr std::string_view kName = "roadway_incursion";
  explicit RoadwayIncursionDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 3; }
  int lookback_frames() const override;
  int lookahead_frames() const override;
  // One "roadway_incursion" event per track predicted to enter the corridor.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  bool IsCandidate(const Track& track) const;
  std::vector<Event> Confirmed(const FrameWindow& window);
  std::vector<Event> Predicted(const FrameWindow& window);
  proto::RoadwayIncursionOptions options_;
  proto::EgoPathOptions path_options_;
  proto::TrackPlausibilityOptions plausibility_;
  ConsecutiveFrames held_;  // frames in a row with a predicted entry, by track
};

}  // namespace longtail::pipeline
