// Unknown object / debris in the lane: a small static track of unknown or misc class on the road
// surface inside the ego corridor.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class DebrisDetector : public Detector {
 public:
  static constexpr std::string_view kName = "debris";
  explicit DebrisDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 3; }
  int lookahead_frames() const override;
  // One "debris_in_lane" event per such track.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::DebrisOptions options_;
  proto::EgoPathOptions path_options_;
  proto::EgoBodyOptions body_;
};

}  // namespace longtail::pipeline
