// A one-line progress bar on stderr for long work, drawn only on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace longtail::tools {

class ProgressBar {
 public:
  // total = 0 when unknown (then only the count and rate are shown).
  ProgressBar(std::string label, std::int64_t total, bool enabled);
  void Advance(std::int64_t n = 1);
  void Done();  // clears the line

 private:
  void Draw();
  std::string label_;
  std::int64_t total_, done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace longtail::tools
