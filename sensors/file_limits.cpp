#include "sensors/file_limits.h"

#include <system_error>

namespace longtail::sensors {

std::optional<std::string> FileSizeProblem(const std::filesystem::path& file, std::uint64_t limit,
                                           const std::string& what) {
  std::error_code error;
  const std::uint64_t size = std::filesystem::file_size(file, error);
  if (error) return "cannot read: " + error.message();
  if (size > limit) {
    return std::to_string(size) + " bytes, more than " + what + " can hold (limit " +
           std::to_string(limit) + ")";
  }
  return std::nullopt;
}

std::string Excerpt(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  return std::string(text.substr(0, max_chars)) + "...";
}

}  // namespace longtail::sensors
