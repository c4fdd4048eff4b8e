#include "sensors/sync.h"

#include <algorithm>

namespace longtail::sensors {

std::optional<std::size_t> NearestStamp(const std::vector<Timestamp>& sorted, Timestamp t,
                                        Duration max_skew) {
  if (sorted.empty()) return std::nullopt;
  const auto after = std::lower_bound(sorted.begin(), sorted.end(), t);
  std::size_t best = after == sorted.end() ? sorted.size() - 1 : after - sorted.begin();
  if (after != sorted.begin() && after != sorted.end() && t - *(after - 1) <= *after - t) --best;
  const Duration skew = sorted[best] > t ? sorted[best] - t : t - sorted[best];
  if (skew > max_skew) return std::nullopt;
  return best;
}

Duration LargestGap(const std::vector<Timestamp>& sorted) {
  Duration largest{0};
  for (std::size_t i = 1; i < sorted.size(); ++i)
    largest = std::max(largest, sorted[i] - sorted[i - 1]);
  return largest;
}

}  // namespace longtail::sensors
