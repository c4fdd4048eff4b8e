#include "tools/progress.h"

#include <cstdio>

namespace longtail::tools {

ProgressBar::ProgressBar(std::string label, std::int64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Advance(std::int64_t n) {
  done_ += n;
  const auto now = std::chrono::steady_clock::now();
  // Redraw at most ten times a second: a terminal is slower than the pipeline.
  if (enabled_ && now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    Draw();
  }
}

void ProgressBar::Draw() {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? done_ / seconds : 0;
  constexpr int kWidth = 30;
  if (total_ > 0) {
    const int filled = static_cast<int>(kWidth * std::min<double>(1.0, double(done_) / total_));
    std::fprintf(stderr, "\r%s [%s%s] %lld/%lld %.1f/s ", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(),
                 static_cast<long long>(done_), static_cast<long long>(total_), rate);
  } else {
    std::fprintf(stderr, "\r%s %lld %.1f/s ", label_.c_str(), static_cast<long long>(done_), rate);
  }
  std::fflush(stderr);
}

void ProgressBar::Done() {
  if (enabled_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace longtail::tools
