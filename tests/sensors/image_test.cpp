// Encoding and decoding camera images, reading a PNG's size from its header, and the error paths.
#include "sensors/image.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace longtail::sensors {
namespace {

DecodedImage Gradient(int width, int height, int channels) {
  DecodedImage image{width, height, channels, {}};
  for (int i = 0; i < width * height * channels; ++i) image.pixels.push_back(i % 251);
  return image;
}

TEST(Image, PngRoundTripIsExact) {
  const DecodedImage original = Gradient(7, 5, 3);
  const CameraImage png = EncodeImage(original, "png");
  EXPECT_EQ(png.format, "png");
  const auto decoded = DecodeImage(png);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->width, 7);
  EXPECT_EQ(decoded->height, 5);
  EXPECT_EQ(decoded->channels, 3);
  EXPECT_EQ(decoded->pixels, original.pixels);
}

TEST(Image, JpegOfGreyDecodesToTheSameSize) {
  const CameraImage jpeg = EncodeImage(Gradient(16, 8, 1), "jpeg");
  const auto decoded = DecodeImage(jpeg);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->width, 16);
  EXPECT_EQ(decoded->height, 8);
}

TEST(Image, PngSizeComesFromTheHeaderAlone) {
  CameraImage png = EncodeImage(Gradient(9, 4, 3), "png");
  EXPECT_EQ(PngSize(png), std::make_pair(9, 4));
  auto header_only =
      std::make_shared<std::vector<std::uint8_t>>(png.data->begin(), png.data->begin() + 24);
  png.data = header_only;
  EXPECT_EQ(PngSize(png), std::make_pair(9, 4));
  header_only->resize(20);  // cut inside IHDR
  EXPECT_FALSE(PngSize(png));
  EXPECT_FALSE(PngSize(EncodeImage(Gradient(9, 4, 3), "jpeg")));
}

TEST(Image, BytesThatAreNoImageDoNotDecode) {
  CameraImage garbage;
  garbage.format = "png";
  garbage.data = std::make_shared<const std::vector<std::uint8_t>>(64, 0x42);
  EXPECT_FALSE(DecodeImage(garbage));
}

TEST(Image, EncodingRefusesPixelsThatDoNotMatchTheSize) {
  DecodedImage short_pixels = Gradient(4, 4, 3);
  short_pixels.pixels.resize(10);
  EXPECT_THROW(EncodeImage(short_pixels, "png"), std::invalid_argument);
  EXPECT_THROW(EncodeImage(Gradient(4, 4, 3), "bmp"), std::invalid_argument);
}

}  // namespace
}  // namespace longtail::sensors
