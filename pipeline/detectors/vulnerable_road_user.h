// A vulnerable road user (pedestrian or cyclist) in the ego corridor ("vru_in_path") or within a
// margin of it ("vru_near_path") ahead of the vehicle. Severity (severity.h): the clearance at
// which the ego actually passed it against the ego's speed then (hindsight, kHorizonS ahead;
// without it, the clearance if it stays put at today's speed), and in the path the time until the
// ego's front gets there. A pedestrian on the pavement beside a slow ego, or in front of a
// standing one, ranks low; a close pass at speed ranks high.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class VulnerableRoadUserDetector : public Detector {
 public:
  static constexpr std::string_view kName = "vulnerable_road_user";
  static constexpr double kHorizonS = 3.0;  // how far ahead the actual pass is looked for
  explicit VulnerableRoadUserDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 2; }
  int lookahead_frames() const override;
  // One event per pedestrian or cyclist in or near the path.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::VulnerableRoadUserOptions options_;
  proto::EgoPathOptions path_options_;
  proto::EgoBodyOptions body_;
};

}  // namespace longtail::pipeline
