// A PNG decoder for the one case the camera checks meet all the time (8-bit grey or RGB,
// non-interlaced, no colour-space chunks) that inflates with libdeflate and turns RGB to grey while
// unfiltering each row. It gives exactly the pixels OpenCV's IMREAD_GRAYSCALE gives (libpng's
// rgb_to_gray with weights 0.299 and 0.587, truncated), at about a third of the CPU: everything
// else, and every damaged file, is left to the general decoder.
#include <libdeflate.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "sensors/image.h"

namespace longtail::sensors {
namespace {

std::uint32_t BigEndian32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

bool IsChunk(const std::uint8_t* type, const char* name) { return std::memcmp(type, name, 4) == 0; }

// Chunks that change neither the pixels nor whether libpng accepts the file. Colour-space chunks
// (gAMA, cHRM, sRGB, iCCP) change libpng's grey conversion, and any chunk not named here might:
// a file with one goes to the general decoder.
bool IsHarmlessAncillary(const std::uint8_t* type) {
  for (const char* name : {"tEXt", "zTXt", "iTXt", "tIME", "pHYs"}) {
    if (IsChunk(type, name)) return true;
  }
  return false;
}

// libpng's fixed-point weights for png_set_rgb_to_gray(0.299, 0.587): value * 100000 (rounded),
// then * 32768 / 100000 (truncated); blue takes the rest of 32768.
constexpr std::uint32_t kRedWeight = 29900u * 32768u / 100000u;
constexpr std::uint32_t kGreenWeight = 58700u * 32768u / 100000u;
constexpr std::uint32_t kBlueWeight = 32768u - kRedWeight - kGreenWeight;

// libpng's rgb_to_gray for 8-bit samples without gamma: the weighted sum, truncated.
std::uint8_t Gray(std::uint32_t red, std::uint32_t green, std::uint32_t blue) {
  return static_cast<std::uint8_t>((kRedWeight * red + kGreenWeight * green + kBlueWeight * blue) >>
                                   15);
}

std::uint8_t Paeth(int left, int up, int up_left) {
  const int estimate = left + up - up_left;
  const int to_left = std::abs(estimate - left), to_up = std::abs(estimate - up),
            to_up_left = std::abs(estimate - up_left);
  if (to_left <= to_up && to_left <= to_up_left) return static_cast<std::uint8_t>(left);
  if (to_up <= to_up_left) return static_cast<std::uint8_t>(up);
  return static_cast<std::uint8_t>(up_left);
}

// Undoes the row's PNG filter in place; `previous` is the unfiltered row above (zeros for the
// first). False for an unknown filter type.
bool Unfilter(std::uint8_t filter, std::uint8_t* row, const std::uint8_t* previous,
              std::size_t length, std::size_t pixel_bytes) {
  switch (filter) {
    case 0:
      return true;
    case 1:
      for (std::size_t i = pixel_bytes; i < length; ++i) row[i] += row[i - pixel_bytes];
      return true;
    case 2:
      for (std::size_t i = 0; i < length; ++i) row[i] += previous[i];
      return true;
    case 3:
      for (std::size_t i = 0; i < length; ++i) {
        const int left = i >= pixel_bytes ? row[i - pixel_bytes] : 0;
        row[i] += static_cast<std::uint8_t>((left + previous[i]) / 2);
      }
      return true;
    case 4:
      for (std::size_t i = 0; i < length; ++i) {
        const int left = i >= pixel_bytes ? row[i - pixel_bytes] : 0;
        const int up_left = i >= pixel_bytes ? previous[i - pixel_bytes] : 0;
        row[i] += Paeth(left, previous[i], up_left);
      }
      return true;
    default:
      return false;
  }
}

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// Per thread, reused: the compressed and inflated buffers of a KITTI image are about 2 MB, and
// fresh ones would be page-faulted in again for every frame.
struct Scratch {
  std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor{
      libdeflate_alloc_decompressor()};
  std::vector<std::uint8_t> compressed, inflated, previous_row;
};

}  // namespace

std::optional<DecodedImage> DecodePngToGray(const CameraImage& image) {
  if (image.format != "png" || !image.data) return std::nullopt;
  const std::uint8_t* data = image.data->data();
  const std::size_t size = image.data->size();
  static constexpr std::uint8_t kSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (size < 8 + 25 || std::memcmp(data, kSignature, 8) != 0) return std::nullopt;

  thread_local Scratch scratch;
  if (!scratch.decompressor) return std::nullopt;
  scratch.compressed.clear();

  // Walk the chunks: IHDR first, IDATs in one run, IEND last; every CRC must match.
  std::uint32_t width = 0, height = 0;
  std::uint8_t color_type = 0;
  bool seen_header = false, seen_data = false, data_ended = false, seen_end = false;
  std::size_t at = 8;
  while (!seen_end) {
    if (size - at < 12) return std::nullopt;
    const std::uint32_t length = BigEndian32(data + at);
    if (length > size - at - 12) return std::nullopt;
    const std::uint8_t* type = data + at + 4;
    const std::uint8_t* body = type + 4;
    if (libdeflate_crc32(0, type, length + 4) != BigEndian32(body + length)) return std::nullopt;
    if (!seen_header) {
      if (!IsChunk(type, "IHDR") || length != 13) return std::nullopt;
      width = BigEndian32(body);
      height = BigEndian32(body + 4);
      const std::uint8_t bit_depth = body[8], compression = body[10], filter = body[11],
                         interlace = body[12];
      color_type = body[9];
      // At most 64 megapixels: five times any camera a drive log holds.
      if (width == 0 || height == 0 || width > (1u << 16) || height > (1u << 16) ||
          std::uint64_t{width} * height > (std::uint64_t{1} << 26) || bit_depth != 8 ||
          (color_type != 0 && color_type != 2) || compression != 0 || filter != 0 ||
          interlace != 0) {
        return std::nullopt;
      }
      seen_header = true;
    } else if (IsChunk(type, "IDAT")) {
      if (data_ended) return std::nullopt;
      scratch.compressed.insert(scratch.compressed.end(), body, body + length);
      seen_data = true;
    } else if (IsChunk(type, "IEND")) {
      seen_end = true;
    } else if (IsHarmlessAncillary(type)) {
      data_ended = seen_data;
    } else {
      return std::nullopt;
    }
    at += 12 + std::size_t(length);
  }
  if (!seen_data) return std::nullopt;

  // Inflate: the zlib stream must hold exactly the filtered rows and end where the data ends.
  const std::size_t pixel_bytes = color_type == 2 ? 3 : 1;
  const std::size_t row_bytes = std::size_t(width) * pixel_bytes;
  const std::size_t expected = (row_bytes + 1) * height;
  // Deflate expands at most 1032 to 1 (plus the zlib header and checksum): a small file claiming
  // a huge image is refused before any of it is allocated.
  if (expected > scratch.compressed.size() * 1032 + 6) return std::nullopt;
  scratch.inflated.resize(expected);
  std::size_t consumed = 0, produced = 0;
  if (libdeflate_zlib_decompress_ex(scratch.decompressor.get(), scratch.compressed.data(),
                                    scratch.compressed.size(), scratch.inflated.data(), expected,
                                    &consumed, &produced) != LIBDEFLATE_SUCCESS ||
      consumed != scratch.compressed.size() || produced != expected) {
    return std::nullopt;
  }

  DecodedImage gray;
  gray.width = static_cast<int>(width);
  gray.height = static_cast<int>(height);
  gray.channels = 1;
  gray.pixels.resize(std::size_t(width) * height);
  scratch.previous_row.assign(row_bytes, 0);
  const std::uint8_t* previous = scratch.previous_row.data();
  for (std::size_t y = 0; y < height; ++y) {
    std::uint8_t* row = scratch.inflated.data() + y * (row_bytes + 1);
    std::uint8_t* out = gray.pixels.data() + y * width;
    if (row[0] == 1 && pixel_bytes == 3) {
      // "Sub" on RGB, the filter of every row of KITTI's images: undone and made grey in one pass
      // (the unfiltered bytes are still written back for the next row's filter).
      std::uint8_t red = 0, green = 0, blue = 0;
      std::uint8_t* rgb = row + 1;
      for (std::size_t x = 0; x < width; ++x, rgb += 3) {
        rgb[0] = red = static_cast<std::uint8_t>(red + rgb[0]);
        rgb[1] = green = static_cast<std::uint8_t>(green + rgb[1]);
        rgb[2] = blue = static_cast<std::uint8_t>(blue + rgb[2]);
        out[x] = Gray(red, green, blue);
      }
      previous = row + 1;
      continue;
    }
    if (!Unfilter(row[0], row + 1, previous, row_bytes, pixel_bytes)) return std::nullopt;
    if (pixel_bytes == 1) {
      std::memcpy(out, row + 1, width);
    } else {
      const std::uint8_t* rgb = row + 1;
      for (std::size_t x = 0; x < width; ++x, rgb += 3) {
        out[x] = Gray(rgb[0], rgb[1], rgb[2]);
      }
    }
    previous = row + 1;
  }
  return gray;
}

}  // namespace longtail::sensors
