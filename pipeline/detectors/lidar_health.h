// Lidar faults: a scan with far fewer points than the look-back's median ("lidar_point_drop",
// "lidar_empty") and gaps in the timestamps ("missing_frames").
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class LidarHealthDetector : public Detector {
 public:
  static constexpr std::string_view kName = "lidar_health";
  explicit LidarHealthDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 1; }
  int lookback_frames() const override;
  // Up to one event per fault kind.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::LidarHealthOptions options_;
};

}  // namespace longtail::pipeline
