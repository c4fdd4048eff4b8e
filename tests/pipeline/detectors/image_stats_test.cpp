#include "pipeline/detectors/image_stats.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

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
