#include "pipeline/detectors/camera_health.h"

#include <algorithm>
#include <cmath>

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

CameraHealthDetector::CameraHealthDetector(const proto::DetectorsOptions& options)
    : options_(options.camera_health()) {}

int CameraHealthDetector::lookback_frames() const {
  return std::max(options_.lookback_frames(), options_.frozen_frames());
}

std::vector<Event> CameraHealthDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  for (std::size_t camera = 0; camera < frame.camera_skews.size(); ++camera) {
    const double skew_ms = sensors::ToSeconds(frame.camera_skews[camera]) * 1000;
    const double limit = options_.max_skew_ms();
    if (std::abs(skew_ms) > limit) {
      events.push_back(MakeFrameEvent(
          frame, kName, version(), "camera_lidar_skew",
          0.5 + 0.5 * std::min(1.0, (std::abs(skew_ms) - limit) / (2 * limit)), {},
          "Camera " + std::to_string(camera) + " image is " + Fixed(std::abs(skew_ms), 0) + " ms " +
              (skew_ms > 0 ? "after" : "before") + " the lidar scan (limit " + Fixed(limit, 0) +
              " ms)",
          {{"camera", static_cast<double>(camera)}, {"skew_ms", skew_ms}}));
    }
  }
  const std::size_t first =
      window.current -
      std::min<std::size_t>(window.current, static_cast<std::size_t>(lookback_frames()));
  for (std::size_t camera = 0; camera < frame.camera_stats.size(); ++camera) {
    const ImageStats& stats = frame.camera_stats[camera];
    const std::string name = "Camera " + std::to_string(camera);
    const double index = static_cast<double>(camera);
    if (!stats.valid) {
      events.push_back(MakeFrameEvent(frame, kName, version(), "camera_undecodable", 0.6, {},
                                      name + " image could not be decoded", {{"camera", index}}));
      continue;
    }
    const double clipped = options_.max_clipped_fraction();
    const bool over = stats.mean_brightness > options_.max_mean_brightness() ||
                      stats.overexposed_fraction > clipped;
    const bool under = stats.mean_brightness < options_.min_mean_brightness() ||
                       stats.underexposed_fraction > clipped;
    if (over || under) {
      events.push_back(MakeFrameEvent(
          frame, kName, version(), over ? "camera_overexposed" : "camera_underexposed", 0.5, {},
          name + (over ? " overexposed" : " underexposed") + ": mean grey " +
              Fixed(stats.mean_brightness, 0) + " (limits " +
              Fixed(options_.min_mean_brightness(), 0) + "-" +
              Fixed(options_.max_mean_brightness(), 0) + "), " +
              Fixed(100 * (over ? stats.overexposed_fraction : stats.underexposed_fraction), 0) +
              "% of pixels clipped",
          {{"camera", index},
           {"mean_brightness", stats.mean_brightness},
           {"overexposed_fraction", stats.overexposed_fraction},
           {"underexposed_fraction", stats.underexposed_fraction}}));
    }

    // Sharpness depends on the scene, so blur is judged against this camera's recent history;
    // an exposure fault also flattens the image and is reported as such instead.
    std::vector<double> history;
    for (std::size_t i = first; i < window.current; ++i) {
      const auto& earlier = window.frames[i].camera_stats;
      if (camera < earlier.size() && earlier[camera].valid)
        history.push_back(earlier[camera].sharpness);
    }
    const double typical = Median(history);
    const bool relative_blur =
        history.size() >= 3 && stats.sharpness < options_.min_sharpness_ratio() * typical;
    if (!over && !under && (stats.sharpness < options_.min_sharpness() || relative_blur)) {
      events.push_back(MakeFrameEvent(
          frame, kName, version(), "camera_blur", 0.5, {},
          name + " blurred: sharpness " + Fixed(stats.sharpness) + " against a median of " +
              Fixed(typical) + " over the previous " + std::to_string(history.size()) +
              " frames (floor " + Fixed(options_.min_sharpness()) + ")",
          {{"camera", index}, {"sharpness", stats.sharpness}, {"median_sharpness", typical}}));
    }

    // Frozen: the very same pixels in consecutive frames although time goes on.
    int same = 1;
    for (std::size_t i = window.current; i > first; --i) {
      const auto& earlier = window.frames[i - 1].camera_stats;
      if (camera >= earlier.size() || !earlier[camera].valid ||
          earlier[camera].hash != stats.hash || window.frames[i - 1].stamp == frame.stamp) {
        break;
      }
      ++same;
    }
    if (same >= options_.frozen_frames()) {
      events.push_back(MakeFrameEvent(
          frame, kName, version(), "camera_frozen", 0.7, {},
          name + " frozen: the same image in " + std::to_string(same) + " consecutive frames",
          {{"camera", index}, {"identical_frames", static_cast<double>(same)}}));
    }
  }
  return events;
}

}  // namespace longtail::pipeline
