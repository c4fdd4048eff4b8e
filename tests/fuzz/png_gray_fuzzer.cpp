// libFuzzer target: the fast PNG-to-grey decoder the camera checks use, against the decoder it
// stands in for. Whatever it accepts must give exactly OpenCV's IMREAD_GRAYSCALE pixels; what it
// refuses goes to OpenCV anyway, so refusing is always safe. Random bytes rarely carry valid chunk
// CRCs and zlib checksums, so besides the input as it is the target also decodes
//   - the input with every chunk's CRC made right (header fields, chunk order and the zlib stream
//     are then what is being fuzzed), and
//   - a PNG built here from the input: its first bytes pick the width, height and colour type, the
//     rest are the filtered rows (filter bytes and samples), deflated with zlib, so unfiltering
//     and grey conversion meet arbitrary rows.
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "sensors/image.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint32_t BigEndian32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void PutBigEndian32(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint32_t Crc(const std::uint8_t* bytes, std::size_t size) {
  return static_cast<std::uint32_t>(crc32(0, bytes, static_cast<uInt>(size)));
}

// The same bytes with the CRC of every whole chunk after the signature rewritten to match.
Bytes WithChunkCrcsFixed(const std::uint8_t* data, std::size_t size) {
  Bytes png(data, data + size);
  for (std::size_t at = 8; size >= 12 && at <= size - 12;) {
    const std::uint32_t length = BigEndian32(&png[at]);
    if (length > size - at - 12) break;
    const std::uint32_t crc = Crc(&png[at + 4], length + 4);
    for (int k = 0; k < 4; ++k)
      png[at + 8 + length + k] = static_cast<std::uint8_t>(crc >> (24 - 8 * k));
    at += 12 + std::size_t{length};
  }
  return png;
}

void AppendChunk(Bytes& png, const char* type, const Bytes& body) {
  PutBigEndian32(png, static_cast<std::uint32_t>(body.size()));
  const std::size_t type_at = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), body.begin(), body.end());
  PutBigEndian32(png, Crc(&png[type_at], body.size() + 4));
}

// A valid PNG container around rows taken from the input (short rows are padded with zeros).
Bytes BuiltFromRows(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return {};
  const std::uint32_t width = 1 + data[0] % 64, height = 1 + data[1] % 16;
  const std::uint8_t color_type = data[2] % 2 ? 2 : 0;
  const std::size_t row_bytes = 1 + width * (color_type == 2 ? 3 : 1);
  Bytes rows(data + 3, data + size);
  rows.resize(row_bytes * height, 0);
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Bytes header;
  PutBigEndian32(header, width);
  PutBigEndian32(header, height);
  header.insert(header.end(), {8, color_type, 0, 0, 0});
  AppendChunk(png, "IHDR", header);
  uLongf compressed_size = compressBound(static_cast<uLong>(rows.size()));
  Bytes compressed(compressed_size);
  compress(compressed.data(), &compressed_size, rows.data(), static_cast<uLong>(rows.size()));
  compressed.resize(compressed_size);
  AppendChunk(png, "IDAT", compressed);
  AppendChunk(png, "IEND", {});
  return png;
}

// Aborts when the fast decoder accepts `png` but its pixels are not OpenCV's.
void CheckAgainstOpenCv(const Bytes& png) {
  longtail::sensors::CameraImage image;
  image.format = "png";
  image.data = std::make_shared<const Bytes>(png);
  const auto fast = longtail::sensors::DecodePngToGray(image);
  if (!fast) return;
  const cv::Mat encoded(1, static_cast<int>(png.size()), CV_8UC1,
                        const_cast<std::uint8_t*>(png.data()));
  const cv::Mat gray = cv::imdecode(encoded, cv::IMREAD_GRAYSCALE);
  if (gray.empty() || gray.cols != fast->width || gray.rows != fast->height ||
      !gray.isContinuous() ||
      !std::equal(gray.datastart, gray.dataend, fast->pixels.begin(), fast->pixels.end())) {
    std::abort();  // accepted, but not the pixels OpenCV gives
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  CheckAgainstOpenCv(Bytes(data, data + size));
  CheckAgainstOpenCv(WithChunkCrcsFixed(data, size));
  if (const Bytes built = BuiltFromRows(data, size); !built.empty()) CheckAgainstOpenCv(built);
  return 0;
}
