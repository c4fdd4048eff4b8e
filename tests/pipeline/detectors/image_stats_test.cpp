#include "pipeline/detectors/image_stats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <vector>

#include "sensors/image.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

TEST(ImageStatsTest, UniformGreyIsFlatAndUnclipped) {
  const std::vector<std::uint8_t> pixels(16, 128);
  const ImageStats stats = ComputeGrayImageStats(pixels, 4, 4);
  EXPECT_TRUE(stats.valid);
  EXPECT_DOUBLE_EQ(stats.mean_brightness, 128);
  EXPECT_DOUBLE_EQ(stats.overexposed_fraction, 0);
  EXPECT_DOUBLE_EQ(stats.underexposed_fraction, 0);
  EXPECT_DOUBLE_EQ(stats.sharpness, 0);
}

TEST(ImageStatsTest, CountsClippedPixelsAndEdges) {
  // Left half black, right half white.
  const std::vector<std::uint8_t> pixels = {0, 0, 255, 255, 0, 0, 255, 255,
                                            0, 0, 255, 255, 0, 0, 255, 255};
  const ImageStats stats = ComputeGrayImageStats(pixels, 4, 4);
  EXPECT_DOUBLE_EQ(stats.mean_brightness, 127.5);
  EXPECT_DOUBLE_EQ(stats.overexposed_fraction, 0.5);
  EXPECT_DOUBLE_EQ(stats.underexposed_fraction, 0.5);
  EXPECT_GT(stats.sharpness, 1000);
}

TEST(ImageStatsTest, HashChangesWithAnyPixel) {
  std::vector<std::uint8_t> pixels(16, 128);
  const std::uint64_t a = ComputeGrayImageStats(pixels, 4, 4).hash;
  EXPECT_EQ(ComputeGrayImageStats(pixels, 4, 4).hash, a);
  pixels[9] = 129;
  EXPECT_NE(ComputeGrayImageStats(pixels, 4, 4).hash, a);
}

TEST(ImageStatsTest, HashSeesEveryPixelOfAnOddSizedImage) {
  // 5 x 3 = 15 pixels: one full 8-pixel word and 7 left over.
  std::vector<std::uint8_t> pixels(15, 40);
  const std::uint64_t original = ComputeGrayImageStats(pixels, 5, 3).hash;
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] ^= 1;
    EXPECT_NE(ComputeGrayImageStats(pixels, 5, 3).hash, original) << "pixel " << i;
    pixels[i] ^= 1;
  }
  EXPECT_EQ(ComputeGrayImageStats(pixels, 5, 3).hash, original);
}

// What the sharpness was first defined as: the variance of OpenCV's Laplacian.
double OpenCvLaplacianVariance(const std::vector<std::uint8_t>& pixels, int width, int height) {
  const cv::Mat gray(height, width, CV_8UC1, const_cast<std::uint8_t*>(pixels.data()));
  cv::Mat laplacian;
  cv::Laplacian(gray, laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

TEST(ImageStatsTest, SharpnessIsExactlyOpenCvsLaplacianVarianceAtEverySize) {
  std::mt19937 random(42);
  for (const auto& [width, height] : std::vector<std::pair<int, int>>{
           {1, 1}, {1, 7}, {6, 1}, {2, 2}, {3, 5}, {17, 9}, {64, 48}, {301, 113}}) {
    std::vector<std::uint8_t> pixels(std::size_t(width) * height);
    for (auto& p : pixels) p = static_cast<std::uint8_t>(random());
    EXPECT_EQ(ComputeGrayImageStats(pixels, width, height).sharpness,
              OpenCvLaplacianVariance(pixels, width, height))
        << width << "x" << height;
  }
}

TEST(ImageStatsTest, SharpnessOfKittiImagesIsExactlyOpenCvs) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");
  int images = 0;
  for (const auto& entry : std::filesystem::directory_iterator(drive / "image_02" / "data")) {
    if (++images > 5) break;
    std::ifstream file(entry.path(), std::ios::binary);
    sensors::CameraImage image;
    image.format = "png";
    image.data = std::make_shared<const std::vector<std::uint8_t>>(
        std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    const auto gray = sensors::DecodePngToGray(image);
    ASSERT_TRUE(gray) << entry.path();
    EXPECT_EQ(ComputeImageStats(image).sharpness,
              OpenCvLaplacianVariance(gray->pixels, gray->width, gray->height))
        << entry.path();
  }
  EXPECT_GT(images, 0);
}

TEST(ImageStatsTest, WrongSizeIsInvalid) {
  const std::vector<std::uint8_t> pixels(15, 128);
  EXPECT_FALSE(ComputeGrayImageStats(pixels, 4, 4).valid);
  EXPECT_FALSE(ComputeGrayImageStats(pixels, 0, 4).valid);
}

TEST(ImageStatsTest, UndecodableOrMissingBytesAreInvalid) {
  sensors::CameraImage image;
  EXPECT_FALSE(ComputeImageStats(image).valid);
  image.data =
      std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>{1, 2, 3, 4});
  EXPECT_FALSE(ComputeImageStats(image).valid);
}

TEST(ImageStatsTest, RealKittiImageLooksHealthy) {
  LONGTAIL_REQUIRE_DATA(dir, "kitti-object/training/image_2");
  std::ifstream file(dir / "000000.png", std::ios::binary);
  ASSERT_TRUE(file) << dir / "000000.png";
  sensors::CameraImage image;
  image.format = "png";
  image.data = std::make_shared<const std::vector<std::uint8_t>>(
      std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  const ImageStats stats = ComputeImageStats(image);
  ASSERT_TRUE(stats.valid);
  EXPECT_GT(stats.mean_brightness, 25);
  EXPECT_LT(stats.mean_brightness, 225);
  EXPECT_LT(stats.overexposed_fraction, 0.3);
  EXPECT_GT(stats.sharpness, 5);
}

}  // namespace
}  // namespace longtail::pipeline
