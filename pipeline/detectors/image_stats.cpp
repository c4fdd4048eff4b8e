#include "pipeline/detectors/image_stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "sensors/image.h"

namespace longtail::pipeline {

namespace {

// OpenCV's BORDER_REFLECT_101 (the border cv::Laplacian uses): -1 -> 1, n -> n - 2; a single
// row or column mirrors onto itself.
int Reflect101(int i, int n) {
  if (n == 1) return 0;
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

// Variance of the 4-neighbour Laplacian (Pech-Pacheco et al. 2000): low when edges are smeared.
// Every Laplacian value is an integer, so its sum and sum of squares are exact in 64-bit integers
// and the variance is computed as cv::meanStdDev computes it from them (times 1/n, then
// E[x^2] - E[x]^2): the same double as cv::Laplacian(CV_64F) + cv::meanStdDev, without their
// 8-bytes-per-pixel buffer.
double LaplacianVariance(const std::uint8_t* pixels, int width, int height) {
  std::int64_t sum = 0, squares = 0;
  const auto add = [&](int value) {
    sum += value;
    squares += static_cast<std::int64_t>(value) * value;
  };
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* row = pixels + std::size_t(y) * width;
    const std::uint8_t* up = pixels + std::size_t(Reflect101(y - 1, height)) * width;
    const std::uint8_t* down = pixels + std::size_t(Reflect101(y + 1, height)) * width;
    const auto at = [&](int x) {
      return row[Reflect101(x - 1, width)] + row[Reflect101(x + 1, width)] + up[x] + down[x] -
             4 * row[x];
    };
    add(at(0));
    std::int64_t row_sum = 0, row_squares = 0;
    for (int x = 1; x < width - 1; ++x) {
      const int value = row[x - 1] + row[x + 1] + up[x] + down[x] - 4 * row[x];
      row_sum += value;
      row_squares += value * value;
    }
    sum += row_sum;
    squares += row_squares;
    if (width > 1) add(at(width - 1));
  }
  const double scale = 1. / (static_cast<double>(width) * height);
  const double mean = static_cast<double>(sum) * scale;
  const double stddev = std::sqrt(std::max(static_cast<double>(squares) * scale - mean * mean, 0.));
  return stddev * stddev;
}

}  // namespace

ImageStats ComputeGrayImageStats(std::span<const std::uint8_t> pixels, int width, int height) {
  ImageStats stats;
  if (width <= 0 || height <= 0 ||
      pixels.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
    return stats;
  }
  stats.valid = true;
  std::uint64_t sum = 0, over = 0, under = 0;
  for (const std::uint8_t p : pixels) {  // apart from the hash, so the compiler vectorizes it
    sum += p;
    over += p >= 250;
    under += p <= 5;
  }
  // A frozen camera repeats its image bit for bit, a live one never does (sensor noise), so an
  // exact hash is the right test. FNV-1a steps over 8 pixels at a time (then the last few one by
  // one): each step is a bijection of the state for a given word, so images that differ in one
  // word always hash apart, and the multiply chain is an eighth as long as pixel by pixel.
  std::uint64_t hash = 1469598103934665603ULL;
  std::size_t at = 0;
  for (; at + 8 <= pixels.size(); at += 8) {
    std::uint64_t word;
    std::memcpy(&word, pixels.data() + at, 8);
    hash = (hash ^ word) * 1099511628211ULL;
  }
  for (; at < pixels.size(); ++at) hash = (hash ^ pixels[at]) * 1099511628211ULL;
  const double n = static_cast<double>(pixels.size());
  stats.mean_brightness = static_cast<double>(sum) / n;
  stats.overexposed_fraction = static_cast<double>(over) / n;
  stats.underexposed_fraction = static_cast<double>(under) / n;
  stats.hash = hash;
  stats.sharpness = LaplacianVariance(pixels.data(), width, height);
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
