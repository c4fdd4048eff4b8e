// libFuzzer target: the fast PNG-to-grey decoder the camera checks use, against the decoder it
// stands in for. Whatever it accepts must give exactly OpenCV's IMREAD_GRAYSCALE pixels; what it
// refuses goes to OpenCV anyway, so refusing is always safe.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "sensors/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  sensors::CameraImage image;
  image.format = "png";
  image.data = std::make_shared<const std::vector<std::uint8_t>>(data, data + size);
  const auto fast = sensors::DecodePngToGray(image);
  if (!fast) return 0;
  const cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<std::uint8_t*>(data));
  const cv::Mat gray = cv::imdecode(encoded, cv::IMREAD_GRAYSCALE);
  if (gray.empty() || gray.cols != fast->width || gray.rows != fast->height ||
      !gray.isContinuous() ||
      !std::equal(gray.datastart, gray.dataend, fast->pixels.begin(), fast->pixels.end())) {
    std::abort();  // accepted, but not the pixels OpenCV gives
  }
  return 0;
}
