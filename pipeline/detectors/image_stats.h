// Pixel statistics of camera images for the camera-fault detectors (exposure, blur, frozen image).
// The runner fills FrameResult::camera_stats with them; OpenCV stays inside the .cpp.
#pragma once

#include <cstdint>
#include <span>

#include "pipeline/types.h"
#include "sensors/frame.h"

namespace longtail::pipeline {

// Statistics of an 8-bit grey image, row-major, `width` x `height` pixels.
ImageStats ComputeGrayImageStats(std::span<const std::uint8_t> pixels, int width, int height);
// Decodes the encoded image (PNG/JPEG) to grey first; valid = false when that fails.
ImageStats ComputeImageStats(const sensors::CameraImage& image);

}  // namespace longtail::pipeline
