// A vulnerable road user (pedestrian or cyclist) in the ego corridor ("vru_in_path") or within a
// margin of it ("vru_near_path") ahead of the vehicle.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class VulnerableRoadUserDetector : public Detector {
 public:
  static constexpr std::string_view kName = "vulnerable_road_user";
  explicit VulnerableRoadUserDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 1; }
  int lookahead_frames() const override;
  // One event per pedestrian or cyclist in or near the path.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::VulnerableRoadUserOptions options_;
  proto::EgoPathOptions path_options_;
};

}  // namespace longtail::pipeline
