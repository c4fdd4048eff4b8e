#include "pipeline/detectors/image_stats.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "sensors/image.h"

namespace longtail::pipeline {

ImageStats ComputeGrayImageStats(std::span<const std::uint8_t> pixels, int width, int height) {
  ImageStats stats;
  if (width <= 0 || height <= 0 ||
      pixels.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
    return stats;
  }
  const cv::Mat gray(height, width, CV_8UC1, const_cast<std::uint8_t*>(pixels.data()));
  stats.valid = true;
  std::uint64_t sum = 0, over = 0, under = 0;
  // FNV-1a over every pixel: a frozen camera repeats its image bit for bit, a live one never does
  // (sensor noise), so an exact hash is the right test.
  std::uint64_t hash = 1469598103934665603ULL;
  for (const std::uint8_t p : pixels) {
    sum += p;
    over += p >= 250;
    under += p <= 5;
    hash = (hash ^ p) * 1099511628211ULL;
  }
  const double n = static_cast<double>(pixels.size());
  stats.mean_brightness = static_cast<double>(sum) / n;
  stats.overexposed_fraction = static_cast<double>(over) / n;
  stats.underexposed_fraction = static_cast<double>(under) / n;
  stats.hash = hash;
  // Variance of the Laplacian (Pech-Pacheco et al. 2000): low when edges are smeared.
  cv::Mat laplacian;
  cv::Laplacian(gray, laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  stats.sharpness = stddev[0] * stddev[0];
  return stats;
}

ImageStats ComputeImageStats(const sensors::CameraImage& image) {
  if (!image.data || image.data->empty()) return {};
  // The fast path gives the same grey pixels; anything it does not take, OpenCV decodes.
  if (const auto gray = sensors::DecodePngToGray(image)) {
    return ComputeGrayImageStats(gray->pixels, gray->width, gray->height);
  }
  const cv::Mat encoded(1, static_cast<int>(image.data->size()), CV_8UC1,
                        const_cast<std::uint8_t*>(image.data->data()));
  cv::Mat gray;
  try {
    gray = cv::imdecode(encoded, cv::IMREAD_GRAYSCALE);
  } catch (const cv::Exception&) {
    return {};
  }
  if (gray.empty() || !gray.isContinuous()) return {};
  return ComputeGrayImageStats({gray.data, gray.total()}, gray.cols, gray.rows);
}

}  // namespace longtail::pipeline
