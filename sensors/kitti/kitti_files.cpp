#include "sensors/kitti/kitti_files.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>

#include "sensors/file_limits.h"
#include "sensors/sync.h"

namespace longtail::sensors::kitti {

std::optional<std::vector<LidarPoint>> ReadVelodyneBin(const std::filesystem::path& file,
                                                       IssueLog& issues) {
  if (const auto problem = FileSizeProblem(file, kMaxLidarScanBytes, "a lidar scan")) {
    issues.Report({file.string(), 0, 0, "lidar scan: " + *problem});
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(file);
  if (size == 0) {
    issues.Report({file.string(), 0, 0, "empty lidar scan"});
    return std::nullopt;
  }
  if (size % sizeof(LidarPoint) != 0) {
    issues.Report({file.string(), size - size % sizeof(LidarPoint), size,
                   "truncated lidar scan: " + std::to_string(size) +
                       " bytes is not a multiple of the 16-byte point"});
    return std::nullopt;
  }
  std::vector<LidarPoint> points(size / sizeof(LidarPoint));
  std::ifstream in(file, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(points.data()), static_cast<std::streamsize>(size))) {
    issues.Report({file.string(),
                   static_cast<std::uint64_t>(std::max<std::streamsize>(in.gcount(), 0)), size,
                   "short read of lidar scan"});
    return std::nullopt;
  }
  return points;
}

std::optional<CameraImage> ReadEncodedImage(const std::filesystem::path& file, IssueLog& issues) {
  if (const auto problem = FileSizeProblem(file, kMaxImageBytes, "a camera image")) {
    issues.Report({file.string(), 0, 0, "image: " + *problem});
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    issues.Report({file.string(), 0, 0, "cannot open image"});
    return std::nullopt;
  }
  // One read of the whole file: a byte-at-a-time stream iterator cost a few percent of `mine`.
  std::error_code size_error;
  const auto size = std::filesystem::file_size(file, size_error);
  auto data = std::make_shared<std::vector<std::uint8_t>>(size_error ? 0 : size);
  in.read(reinterpret_cast<char*>(data->data()), static_cast<std::streamsize>(data->size()));
  data->resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  static constexpr std::uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  static constexpr std::uint8_t kJpeg[] = {0xff, 0xd8, 0xff};
  CameraImage image;
  if (data->size() >= sizeof(kPng) && std::memcmp(data->data(), kPng, sizeof(kPng)) == 0) {
    image.format = "png";
  } else if (data->size() >= sizeof(kJpeg) &&
             std::memcmp(data->data(), kJpeg, sizeof(kJpeg)) == 0) {
    image.format = "jpeg";
  } else {
    issues.Report({file.string(), 0, data->size(),
                   data->empty() ? "empty image file" : "not a PNG or JPEG image"});
    return std::nullopt;
  }
  // A file cut short would reach the decoder, whose library reports it on stderr with no file
  // name ("libpng error: ...") and gives no image: caught here, named and counted instead.
  // (JPEG files may carry bytes after their end marker, so only PNG's last chunk is checked.)
  static constexpr std::uint8_t kPngEnd[] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  if (image.format == "png" &&
      (data->size() < sizeof(kPngEnd) ||
       std::memcmp(data->data() + data->size() - sizeof(kPngEnd), kPngEnd, sizeof(kPngEnd)))) {
    issues.Report(
        {file.string(), data->size(), 0, "truncated PNG image: no IEND chunk at its end"});
    return std::nullopt;
  }
  image.data = std::move(data);
  return image;
}

std::vector<std::optional<Timestamp>> ReadTimestamps(const std::filesystem::path& file,
                                                     IssueLog& issues) {
  std::vector<std::optional<Timestamp>> stamps;
  if (const auto problem = FileSizeProblem(file, kMaxListTextBytes, "a timestamps file")) {
    issues.Report({file.string(), 0, 0, "timestamps: " + *problem});
    return stamps;
  }
  std::ifstream in(file);
  if (!in) {
    issues.Report({file.string(), 0, 0, "cannot open timestamps"});
    return stamps;
  }
  std::string line;
  std::uint64_t offset = 0;
  std::vector<std::uint64_t> offsets;
  while (std::getline(in, line)) {
    const std::uint64_t line_offset = offset;
    offset += line.size() + 1;
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    std::optional<Timestamp> stamp = ParseKittiTimestamp(line);
    if (!stamp) {
      issues.Report(
          {file.string(), line_offset, line.size(), "bad timestamp line '" + Excerpt(line) + "'"});
    }
    stamps.push_back(stamp);
    offsets.push_back(line_offset);
  }
  for (std::size_t i : OutOfOrderStamps(stamps)) {
    issues.Report({file.string(), offsets[i], 0,
                   "timestamp of frame " + std::to_string(i) +
                       " is out of order with its neighbours: frame left out"});
    stamps[i].reset();
  }
  return stamps;
}

std::vector<std::pair<std::int64_t, std::filesystem::path>> NumberedFiles(
    const std::filesystem::path& dir, const std::string& ext) {
  std::vector<std::pair<std::int64_t, std::filesystem::path>> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() != ext) continue;
    const std::string stem = entry.path().stem().string();
    std::int64_t number;
    const auto [end, parse_error] = std::from_chars(stem.data(), stem.data() + stem.size(), number);
    if (parse_error == std::errc() && end == stem.data() + stem.size()) {
      files.emplace_back(number, entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace longtail::sensors::kitti
