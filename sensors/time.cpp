#include "sensors/time.h"

#include <charconv>
#include <cstdio>

namespace longtail::sensors {
namespace {

// Digits only: from_chars would also take a sign.
bool ParseInt(std::string_view text, int& out) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<Timestamp> ParseKittiTimestamp(std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  // "YYYY-MM-DD hh:mm:ss[.fffffffff]"
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  int year, month, day, hour, minute, second;
  if (!ParseInt(text.substr(0, 4), year) || !ParseInt(text.substr(5, 2), month) ||
      !ParseInt(text.substr(8, 2), day) || !ParseInt(text.substr(11, 2), hour) ||
      !ParseInt(text.substr(14, 2), minute) || !ParseInt(text.substr(17, 2), second)) {
    return std::nullopt;
  }
  std::int64_t nanos = 0;
  if (text.size() > 19) {
    const std::string_view fraction = text.substr(20);
    if (text[19] != '.' || fraction.empty() || fraction.size() > 9) return std::nullopt;
    int digits = 0;
    for (char c : fraction) {
      if (c < '0' || c > '9') return std::nullopt;
      nanos = nanos * 10 + (c - '0');
      ++digits;
    }
    for (; digits < 9; ++digits) nanos *= 10;
  }
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  // A Timestamp counts nanoseconds in 64 bits: years 1678 to 2261 fit (a stamp read as year 0026
  // would overflow).
  if (!date.ok() || year < 1678 || year > 2261 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  return Timestamp(std::chrono::sys_days(date).time_since_epoch()) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second) + Duration(nanos);
}

std::string FormatKittiTimestamp(Timestamp t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day date(days);
  std::int64_t rest = (t - days).count();
  const std::int64_t nanos = rest % 1'000'000'000;
  rest /= 1'000'000'000;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u %02lld:%02lld:%02lld.%09lld",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long long>(rest / 3600),
                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60),
                static_cast<long long>(nanos));
  return buffer;
}

}  // namespace longtail::sensors
