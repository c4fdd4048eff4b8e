#include "sensors/image.h"

#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <stdexcept>

namespace longtail::sensors {

std::optional<DecodedImage> DecodeImage(const CameraImage& image) {
  if (!image.data || image.data->empty()) return std::nullopt;
  const cv::Mat encoded(1, static_cast<int>(image.data->size()), CV_8UC1,
                        const_cast<std::uint8_t*>(image.data->data()));
  const cv::Mat decoded = cv::imdecode(encoded, cv::IMREAD_UNCHANGED);
  if (decoded.empty() || decoded.depth() != CV_8U) return std::nullopt;
  DecodedImage result;
  result.width = decoded.cols;
  result.height = decoded.rows;
  result.channels = decoded.channels();
  const cv::Mat contiguous = decoded.isContinuous() ? decoded : decoded.clone();
  result.pixels.assign(contiguous.datastart, contiguous.dataend);
  return result;
}

CameraImage EncodeImage(const DecodedImage& image, const std::string& format, int jpeg_quality) {
  if ((image.channels != 1 && image.channels != 3) ||
      image.pixels.size() != std::size_t(image.width) * image.height * image.channels) {
    throw std::invalid_argument(
        "EncodeImage: pixel buffer does not match width x height x channels");
  }
  const cv::Mat mat(image.height, image.width, CV_8UC(image.channels),
                    const_cast<std::uint8_t*>(image.pixels.data()));
  std::vector<std::uint8_t> bytes;
  std::vector<int> params;
  std::string extension;
  if (format == "png") {
    extension = ".png";
    params = {cv::IMWRITE_PNG_COMPRESSION, 6};
  } else if (format == "jpeg") {
    extension = ".jpg";
    params = {cv::IMWRITE_JPEG_QUALITY, jpeg_quality};
  } else {
    throw std::invalid_argument("EncodeImage: format must be png or jpeg, not " + format);
  }
  if (!cv::imencode(extension, mat, bytes, params))
    throw std::runtime_error("image encoding failed");
  CameraImage result;
  result.format = format;
  result.data = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
  return result;
}

std::optional<std::pair<int, int>> PngSize(const CameraImage& image) {
  // 8-byte signature, then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4),
  // big-endian.
  if (image.format != "png" || !image.data || image.data->size() < 24) return std::nullopt;
  const std::uint8_t* d = image.data->data();
  const auto be32 = [](const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
           static_cast<std::uint32_t>(p[2]) << 8 | p[3];
  };
  if (std::memcmp(d + 12, "IHDR", 4) != 0) return std::nullopt;
  const std::uint32_t width = be32(d + 16), height = be32(d + 20);
  if (width > 1u << 30 || height > 1u << 30) return std::nullopt;
  return std::pair<int, int>(static_cast<int>(width), static_cast<int>(height));
}

}  // namespace longtail::sensors
