// Time in longtail: nanoseconds since the Unix epoch (UTC), never a bare double.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace longtail::sensors {

using Duration = std::chrono::nanoseconds;
using Timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;

// Seconds as a double, for printing and for physics (speeds, accelerations).
inline double ToSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline Duration FromSeconds(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}
inline std::int64_t ToNanos(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromNanos(std::int64_t ns) { return Timestamp(Duration(ns)); }

// KITTI's "2011-09-26 13:02:25.964389445" (UTC, up to nine fractional digits).
std::optional<Timestamp> ParseKittiTimestamp(std::string_view text);
std::string FormatKittiTimestamp(Timestamp t);

}  // namespace longtail::sensors
