// File helpers of the KITTI layouts: the readers use them, and so do `longtail bench` and tests
// that read single scans.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sensors/frame.h"
#include "sensors/issues.h"

namespace longtail::sensors::kitti {

// Reads a Velodyne .bin (float32 x, y, z, reflectance). A missing, empty or truncated file (size
// not a multiple of 16 bytes) is reported and gives nullopt: a partial scan would look like a
// sensor fault.
std::optional<std::vector<LidarPoint>> ReadVelodyneBin(const std::filesystem::path& file,
                                                       IssueLog& issues);

// Reads an encoded image's bytes, checking the PNG or JPEG signature; reports and gives nullopt if
// the file is missing, empty or neither format.
std::optional<CameraImage> ReadEncodedImage(const std::filesystem::path& file, IssueLog& issues);

// Reads timestamps.txt, one stamp per line. A bad line is reported (with its byte offset) and gives
// nullopt at its position, so positions keep matching the data files.
std::vector<std::optional<Timestamp>> ReadTimestamps(const std::filesystem::path& file,
                                                     IssueLog& issues);

// The numbered data files in `dir` with extension `ext`, as (number, path), sorted by number.
std::vector<std::pair<std::int64_t, std::filesystem::path>> NumberedFiles(
    const std::filesystem::path& dir, const std::string& ext);

}  // namespace longtail::sensors::kitti
