// Decoding camera images on demand: frames carry encoded bytes, stages that need pixels decode.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sensors/frame.h"

namespace longtail::sensors {

struct DecodedImage {
  int width = 0, height = 0;
  int channels = 0;                  // 1 (grey) or 3 (BGR)
  std::vector<std::uint8_t> pixels;  // row-major, height * width * channels
};

// Decodes PNG/JPEG bytes; nullopt when they are not a decodable image.
std::optional<DecodedImage> DecodeImage(const CameraImage& image);
// Decodes a PNG straight to grey (channels = 1), pixel for pixel what DecodeImage's OpenCV gives
// for IMREAD_GRAYSCALE, at about a third of its CPU. Only 8-bit grey or RGB, non-interlaced PNGs
// without colour-space chunks take this path; nullopt for any other image and for any damage (a
// CRC, the zlib stream, a filter), so callers fall back to the general decoder and keep its
// verdict.
std::optional<DecodedImage> DecodePngToGray(const CameraImage& image);
// Width and height from a PNG's header (IHDR) without decoding it; nullopt for other formats or
// a header too short to hold them.
std::optional<std::pair<int, int>> PngSize(const CameraImage& image);
// Encodes 8-bit BGR or grey pixels as "png" or "jpeg"; throws std::invalid_argument on bad input.
CameraImage EncodeImage(const DecodedImage& image, const std::string& format,
                        int jpeg_quality = 90);

}  // namespace longtail::sensors
