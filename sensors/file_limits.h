// Upper bounds on what one input file of a kind may hold, checked before a byte is read: a file
// larger than any real sensor or calibration produces is refused with a clear error instead of
// being read whole (a 4 GiB "scan" must not cost 4 GiB of memory).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace longtail::sensors {

// A 128-beam lidar at 2048 columns makes 262,144 points (4 MiB as float32 x, y, z, intensity).
inline constexpr std::uint64_t kMaxLidarScanBytes = 64ull << 20;
// A camera image: a 12-megapixel PNG stays far below this.
inline constexpr std::uint64_t kMaxImageBytes = 64ull << 20;
// Calibration and oxts files hold a few lines of numbers.
inline constexpr std::uint64_t kMaxSmallTextBytes = 1ull << 20;
// Timestamp and label files grow with the drive: a day at 100 Hz is 8.6 M lines of 30 bytes.
inline constexpr std::uint64_t kMaxListTextBytes = 256ull << 20;

// nullopt when `file` exists and holds at most `limit` bytes; otherwise why not, for a person:
// "cannot read: No such file or directory", "4294967296 bytes, more than a lidar scan can hold
// (limit 67108864)". `what` names the kind of file ("a lidar scan").
std::optional<std::string> FileSizeProblem(const std::filesystem::path& file, std::uint64_t limit,
                                           const std::string& what);

// `text` cut to `max_chars` with "..." when longer: bad input is quoted in messages, never echoed
// whole.
std::string Excerpt(std::string_view text, std::size_t max_chars = 60);

}  // namespace longtail::sensors
