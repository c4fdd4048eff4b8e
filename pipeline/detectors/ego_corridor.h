// "Object in the ego corridor" (issue 2): a track of plausible object size whose box overlaps the
// strip the ego sweeps along its path ahead, within a configurable distance.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class EgoCorridorDetector : public Detector {
 public:
  static constexpr std::string_view kName = "ego_corridor";
  explicit EgoCorridorDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 2; }
  int lookahead_frames() const override;
  // One "object_in_corridor" event per track in the corridor at window.now().
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::EgoCorridorOptions options_;
  proto::EgoPathOptions path_options_;
};

}  // namespace longtail::pipeline
