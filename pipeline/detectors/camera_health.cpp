#include "pipeline/detectors/camera_health.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

namespace {

constexpr std::string_view kName = CameraHealthDetector::kName;

// A camera image captured too long before or after the lidar scan: the fused frame is wrong.
std::optional<Event> SkewEvent(const FrameResult& frame, std::size_t camera, int version,
                               const proto::CameraHealthOptions& options) {
  const double skew_ms = sensors::ToSeconds(frame.camera_skews[camera]) * 1000;
  const double limit = options.max_skew_ms();
  if (std::abs(skew_ms) <= limit) return std::nullopt;
  return MakeFrameEvent(
      frame, kName, version, "camera_lidar_skew",
      0.5 + 0.5 * std::min(1.0, (std::abs(skew_ms) - limit) / (2 * limit)), {},
      "Camera " + std::to_string(camera) + " image is " + Fixed(std::abs(skew_ms), 0) + " ms " +
          (skew_ms > 0 ? "after" : "before") + " the lidar scan (limit " + Fixed(limit, 0) + " ms)",
      {{"camera", static_cast<double>(camera)}, {"skew_ms", skew_ms}});
}

// Exposure faults: a mean grey out of its limits, or too many clipped pixels.
struct Exposure {
  bool over = false;
  bool under = false;
};

Exposure JudgeExposure(const ImageStats& stats, const proto::CameraHealthOptions& options) {
  const double clipped = options.max_clipped_fraction();
  return {
      stats.mean_brightness > options.max_mean_brightness() || stats.overexposed_fraction > clipped,
      stats.mean_brightness < options.min_mean_brightness() ||
          stats.underexposed_fraction > clipped};
}

Event ExposureEvent(const FrameResult& frame, std::size_t camera, const ImageStats& stats,
                    Exposure exposure, int version, const proto::CameraHealthOptions& options) {
  const bool over = exposure.over;
  return MakeFrameEvent(
      frame, kName, version, over ? "camera_overexposed" : "camera_underexposed", 0.5, {},
      "Camera " + std::to_string(camera) + (over ? " overexposed" : " underexposed") +
          ": mean grey " + Fixed(stats.mean_brightness, 0) + " (limits " +
          Fixed(options.min_mean_brightness(), 0) + "-" + Fixed(options.max_mean_brightness(), 0) +
          "), " +
          Fixed(100 * (over ? stats.overexposed_fraction : stats.underexposed_fraction), 0) +
          "% of pixels clipped",
      {{"camera", static_cast<double>(camera)},
       {"mean_brightness", stats.mean_brightness},
       {"overexposed_fraction", stats.overexposed_fraction},
       {"underexposed_fraction", stats.underexposed_fraction}});
}

// Sharpness depends on the scene, so blur is judged against this camera's recent history (frames
// `first` up to now) as well as against an absolute floor.
std::optional<Event> BlurEvent(const FrameWindow& window, std::size_t first, std::size_t camera,
                               int version, const proto::CameraHealthOptions& options) {
  const FrameResult& frame = window.now();
  const ImageStats& stats = frame.camera_stats[camera];
  std::vector<double> history;
  for (std::size_t i = first; i < window.current; ++i) {
    const auto& earlier = window.frames[i].camera_stats;
    if (camera < earlier.size() && earlier[camera].valid)
      history.push_back(earlier[camera].sharpness);
  }
  const double typical = Median(history);
  const bool relative_blur =
      history.size() >= 3 && stats.sharpness < options.min_sharpness_ratio() * typical;
  if (!(stats.sharpness < options.min_sharpness() || relative_blur)) return std::nullopt;
  return MakeFrameEvent(frame, kName, version, "camera_blur", 0.5, {},
                        "Camera " + std::to_string(camera) + " blurred: sharpness " +
                            Fixed(stats.sharpness) + " against a median of " + Fixed(typical) +
                            " over the previous " + std::to_string(history.size()) +
                            " frames (floor " + Fixed(options.min_sharpness()) + ")",
                        {{"camera", static_cast<double>(camera)},
                         {"sharpness", stats.sharpness},
                         {"median_sharpness", typical}});
}

// Frozen: the very same pixels in consecutive frames (back to `first`) although time goes on.
std::optional<Event> FrozenEvent(const FrameWindow& window, std::size_t first, std::size_t camera,
                                 int version, const proto::CameraHealthOptions& options) {
  const FrameResult& frame = window.now();
  const ImageStats& stats = frame.camera_stats[camera];
  int same = 1;
  for (std::size_t i = window.current; i > first; --i) {
    const auto& earlier = window.frames[i - 1].camera_stats;
    if (camera >= earlier.size() || !earlier[camera].valid || earlier[camera].hash != stats.hash ||
        window.frames[i - 1].stamp == frame.stamp) {
      break;
    }
    ++same;
  }
  if (same < options.frozen_frames()) return std::nullopt;
  return MakeFrameEvent(
      frame, kName, version, "camera_frozen", 0.7, {},
      "Camera " + std::to_string(camera) + " frozen: the same image in " + std::to_string(same) +
          " consecutive frames",
      {{"camera", static_cast<double>(camera)}, {"identical_frames", static_cast<double>(same)}});
}

}  // namespace

CameraHealthDetector::CameraHealthDetector(const proto::DetectorsOptions& options)
    : options_(options.camera_health()) {}

int CameraHealthDetector::lookback_frames() const {
  return std::max(options_.lookback_frames(), options_.frozen_frames());
}

std::vector<Event> CameraHealthDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const auto add = [&events](std::optional<Event> event) {
    if (event) events.push_back(std::move(*event));
  };
  for (std::size_t camera = 0; camera < frame.camera_skews.size(); ++camera) {
    add(SkewEvent(frame, camera, version(), options_));
  }
  const std::size_t first =
      window.current -
      std::min<std::size_t>(window.current, static_cast<std::size_t>(lookback_frames()));
  for (std::size_t camera = 0; camera < frame.camera_stats.size(); ++camera) {
    const ImageStats& stats = frame.camera_stats[camera];
    if (!stats.valid) {
      events.push_back(
          MakeFrameEvent(frame, kName, version(), "camera_undecodable", 0.6, {},
                         "Camera " + std::to_string(camera) + " image could not be decoded",
                         {{"camera", static_cast<double>(camera)}}));
      continue;
    }
    const Exposure exposure = JudgeExposure(stats, options_);
    if (exposure.over || exposure.under) {
      events.push_back(ExposureEvent(frame, camera, stats, exposure, version(), options_));
    } else {
      // An exposure fault also flattens the image and is reported as such instead of as blur.
      add(BlurEvent(window, first, camera, version(), options_));
    }
    add(FrozenEvent(window, first, camera, version(), options_));
  }
  return events;
}

}  // namespace longtail::pipeline
