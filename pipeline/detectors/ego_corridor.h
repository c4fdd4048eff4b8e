// "Object in the ego corridor": a standing or crawling object of plausible size (not a pedestrian
// or cyclist: vulnerable_road_user judges those) whose box overlaps the strip the ego sweeps along
// its path ahead. Severity (severity.h): the deceleration the ego needs to stop kStandoffM short
// of it at its speed now.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class EgoCorridorDetector : public Detector {
 public:
  static constexpr std::string_view kName = "ego_corridor";
  explicit EgoCorridorDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 3; }
  int lookahead_frames() const override;
  // One "object_in_corridor" event per track in the corridor at window.now().
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::EgoCorridorOptions options_;
  proto::EgoPathOptions path_options_;
  proto::EgoBodyOptions body_;
};

}  // namespace longtail::pipeline
