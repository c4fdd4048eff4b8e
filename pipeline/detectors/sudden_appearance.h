// Sudden appearance: a track first seen close to the ego (emerging from occlusion). Remembers the
// track ids it has seen, so it must see every frame of a log in order.
#pragma once

#include <unordered_set>

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {

class SuddenAppearanceDetector : public Detector {
 public:
  static constexpr std::string_view kName = "sudden_appearance";
  explicit SuddenAppearanceDetector(const proto::DetectorsOptions& options);

  std::string_view name() const override { return kName; }
  int version() const override { return 3; }
  int lookback_frames() const override { return 1; }
  int lookahead_frames() const override { return options_.confirm_frames(); }
  // One "sudden_appearance" event per newborn track near the ego.
  std::vector<Event> Process(const FrameWindow& window) override;

 private:
  proto::SuddenAppearanceOptions options_;
  proto::EgoBodyOptions body_;
  std::unordered_set<int> seen_track_ids_;
};

}  // namespace longtail::pipeline
