// Write-then-rename: a reader never sees a half-written file, even if the writer is killed.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace longtail::sensors {

// Writes `bytes` to `path` through a temporary file in the same directory, flushed and renamed over
// `path`. Throws std::runtime_error naming the path on failure; `path` is then untouched.
void WriteFileAtomically(const std::filesystem::path& path, std::span<const std::byte> bytes);
void WriteFileAtomically(const std::filesystem::path& path, std::string_view text);

}  // namespace longtail::sensors
