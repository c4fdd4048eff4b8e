// Camera faults: camera-lidar time skew, over/under-exposure, blur and frozen images. The pixel
// faults need FrameResult::camera_stats (image_stats.h); without them only the skew is judged.
#pragma once

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class CameraHealthDetector : public Detector {
 public:
  static constexpr std::string_view kName = "camera_health";
  explicit CameraHealthDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 2; }
  int lookback_frames() const override;
  // Up to one event per camera and fault kind.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::CameraHealthOptions options_;
};

}  // namespace longtail::pipeline
