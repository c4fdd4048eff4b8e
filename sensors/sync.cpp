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

std::vector<std::size_t> OutOfOrderStamps(const std::vector<std::optional<Timestamp>>& stamps) {
  std::vector<std::size_t> bad;
  std::optional<Timestamp> kept;
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    if (!stamps[i]) continue;
    std::optional<Timestamp> next;
    for (std::size_t j = i + 1; j < stamps.size() && !next; ++j) next = stamps[j];
    const bool after_kept = !kept || *stamps[i] > *kept;
    // A next stamp before the kept one is the outlier itself, not evidence against this one.
    const bool before_next = !next || *stamps[i] < *next || (kept && *next <= *kept);
    if (after_kept && before_next) {
      kept = stamps[i];
    } else {
      bad.push_back(i);
    }
  }
  return bad;
}

}  // namespace longtail::sensors
