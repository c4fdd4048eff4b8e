// The fast PNG-to-grey decoder against OpenCV's IMREAD_GRAYSCALE (the decoder it stands in for),
// on PNGs built here row by row so every filter type and chunk layout is covered, and its refusals.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "sensors/image.h"
#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

void Append32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(value >> shift));
}

void AppendChunk(std::vector<std::uint8_t>& out, const char* type,
                 const std::vector<std::uint8_t>& body) {
  Append32(out, static_cast<std::uint32_t>(body.size()));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), body.begin(), body.end());
  Append32(out, static_cast<std::uint32_t>(
                    crc32(0, out.data() + type_at, static_cast<uInt>(body.size() + 4))));
}

struct PngParts {
  int width = 0, height = 0;
  std::uint8_t color_type = 2;  // 2 RGB, 0 grey, 6 RGBA
  std::uint8_t interlace = 0;
  std::vector<std::uint8_t> filtered;            // height rows of (filter byte, row bytes)
  std::vector<std::string> chunks_before_data;   // extra ancillary chunks, empty bodies
  std::vector<std::uint8_t> extra_after_stream;  // bytes after the zlib stream in IDAT
  int idat_chunks = 1;
};

// Random rows with random filter types (0..4): any bytes are a valid filtered row, so decoders
// must agree on how to undo them.
PngParts RandomParts(int width, int height, std::uint8_t color_type, std::uint32_t seed) {
  PngParts parts;
  parts.width = width;
  parts.height = height;
  parts.color_type = color_type;
  const int channels = color_type == 2 ? 3 : color_type == 6 ? 4 : 1;
  std::mt19937 random(seed);
  for (int y = 0; y < height; ++y) {
    parts.filtered.push_back(static_cast<std::uint8_t>(random() % 5));
    for (int x = 0; x < width * channels; ++x) parts.filtered.push_back(random() & 0xff);
  }
  return parts;
}

CameraImage Build(const PngParts& parts) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<std::uint8_t> header;
  Append32(header, parts.width);
  Append32(header, parts.height);
  header.insert(header.end(), {8, parts.color_type, 0, 0, parts.interlace});
  AppendChunk(png, "IHDR", header);
  for (const std::string& type : parts.chunks_before_data) AppendChunk(png, type.c_str(), {});
  uLongf size = compressBound(static_cast<uLong>(parts.filtered.size()));
  std::vector<std::uint8_t> stream(size);
  compress(stream.data(), &size, parts.filtered.data(), static_cast<uLong>(parts.filtered.size()));
  stream.resize(size);
  stream.insert(stream.end(), parts.extra_after_stream.begin(), parts.extra_after_stream.end());
  const std::size_t piece = stream.size() / parts.idat_chunks + 1;
  for (std::size_t at = 0; at < stream.size(); at += piece) {
    AppendChunk(png, "IDAT",
                {stream.begin() + at, stream.begin() + std::min(stream.size(), at + piece)});
  }
  AppendChunk(png, "IEND", {});
  CameraImage image;
  image.format = "png";
  image.data = std::make_shared<const std::vector<std::uint8_t>>(std::move(png));
  return image;
}

std::vector<std::uint8_t> OpenCvGray(const CameraImage& image) {
  const cv::Mat encoded(1, static_cast<int>(image.data->size()), CV_8UC1,
                        const_cast<std::uint8_t*>(image.data->data()));
  const cv::Mat gray = cv::imdecode(encoded, cv::IMREAD_GRAYSCALE);
  if (gray.empty()) return {};
  return {gray.datastart, gray.dataend};
}

TEST(PngGray, RgbRowsWithEveryFilterMatchOpenCvGrey) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    const CameraImage png = Build(RandomParts(37, 23, 2, seed));
    const auto gray = DecodePngToGray(png);
    ASSERT_TRUE(gray) << "seed " << seed;
    EXPECT_EQ(gray->width, 37);
    EXPECT_EQ(gray->height, 23);
    EXPECT_EQ(gray->channels, 1);
    EXPECT_EQ(gray->pixels, OpenCvGray(png)) << "seed " << seed;
  }
}

TEST(PngGray, GreyRowsMatchOpenCv) {
  const CameraImage png = Build(RandomParts(19, 11, 0, 7));
  const auto gray = DecodePngToGray(png);
  ASSERT_TRUE(gray);
  EXPECT_EQ(gray->pixels, OpenCvGray(png));
}

TEST(PngGray, OpenCvEncodedImageAndSplitDataMatch) {
  DecodedImage bgr{64, 16, 3, {}};
  for (int i = 0; i < 64 * 16 * 3; ++i)
    bgr.pixels.push_back(static_cast<std::uint8_t>(i * 7 % 256));
  const CameraImage encoded = EncodeImage(bgr, "png");
  ASSERT_TRUE(DecodePngToGray(encoded));
  EXPECT_EQ(DecodePngToGray(encoded)->pixels, OpenCvGray(encoded));

  PngParts split = RandomParts(30, 9, 2, 11);
  split.idat_chunks = 4;
  split.chunks_before_data = {"tEXt", "pHYs"};
  const CameraImage png = Build(split);
  ASSERT_TRUE(DecodePngToGray(png));
  EXPECT_EQ(DecodePngToGray(png)->pixels, OpenCvGray(png));
}

TEST(PngGray, KittiCameraImagesTakeTheFastPathAndMatchOpenCv) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");
  int images = 0;
  for (const auto& entry : std::filesystem::directory_iterator(drive / "image_02" / "data")) {
    std::ifstream in(entry.path(), std::ios::binary);
    CameraImage png;
    png.format = "png";
    png.data = std::make_shared<const std::vector<std::uint8_t>>(std::istreambuf_iterator<char>(in),
                                                                 std::istreambuf_iterator<char>());
    const auto gray = DecodePngToGray(png);
    ASSERT_TRUE(gray) << entry.path();
    EXPECT_EQ(gray->pixels, OpenCvGray(png)) << entry.path();
    ++images;
  }
  EXPECT_GT(images, 0);
}

TEST(PngGray, LeavesOtherLayoutsToTheGeneralDecoder) {
  PngParts rgba = RandomParts(8, 4, 6, 3);
  EXPECT_FALSE(DecodePngToGray(Build(rgba)));
  PngParts interlaced = RandomParts(8, 4, 2, 3);
  interlaced.interlace = 1;
  EXPECT_FALSE(DecodePngToGray(Build(interlaced)));
  PngParts with_gamma = RandomParts(8, 4, 2, 3);
  with_gamma.chunks_before_data = {"gAMA"};
  EXPECT_FALSE(DecodePngToGray(Build(with_gamma)));
  EXPECT_FALSE(
      DecodePngToGray(EncodeImage(DecodedImage{8, 8, 3, std::vector<std::uint8_t>(192)}, "jpeg")));
}

TEST(PngGray, RefusesDamage) {
  const CameraImage good = Build(RandomParts(16, 8, 2, 5));
  ASSERT_TRUE(DecodePngToGray(good));
  const auto damaged = [&](const std::function<void(std::vector<std::uint8_t>&)>& change) {
    std::vector<std::uint8_t> bytes = *good.data;
    change(bytes);
    CameraImage image = good;
    image.data = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
    return image;
  };
  // A flipped bit in the IDAT body: its CRC no longer matches.
  EXPECT_FALSE(DecodePngToGray(damaged([](auto& b) { b[8 + 25 + 8 + 3] ^= 0x10; })));
  // Cut before IEND.
  EXPECT_FALSE(DecodePngToGray(damaged([](auto& b) { b.resize(b.size() - 12); })));
  // A chunk length that runs past the end.
  EXPECT_FALSE(DecodePngToGray(damaged([](auto& b) { b[8 + 25] = 0x7f; })));
  // No IHDR first.
  EXPECT_FALSE(DecodePngToGray(damaged([](auto& b) { b[12] = 'X'; })));

  PngParts bad_filter = RandomParts(16, 8, 2, 5);
  bad_filter.filtered[0] = 5;
  EXPECT_FALSE(DecodePngToGray(Build(bad_filter)));
  PngParts short_data = RandomParts(16, 8, 2, 5);
  short_data.filtered.resize(short_data.filtered.size() - 10);
  EXPECT_FALSE(DecodePngToGray(Build(short_data)));
  PngParts long_data = RandomParts(16, 8, 2, 5);
  long_data.filtered.push_back(0);
  EXPECT_FALSE(DecodePngToGray(Build(long_data)));
  PngParts trailing = RandomParts(16, 8, 2, 5);
  trailing.extra_after_stream = {1, 2, 3};
  EXPECT_FALSE(DecodePngToGray(Build(trailing)));
  PngParts empty = RandomParts(16, 8, 2, 5);
  empty.width = 0;
  EXPECT_FALSE(DecodePngToGray(Build(empty)));
}

}  // namespace
}  // namespace longtail::sensors
