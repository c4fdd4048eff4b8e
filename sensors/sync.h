// Time synchronisation of streams: pairing each lidar scan with the nearest message of another
// stream.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "sensors/time.h"

namespace longtail::sensors {

// Index of the stamp in `sorted` (ascending) nearest to `t`, or nullopt when `sorted` is empty or
// the nearest is farther than `max_skew`. Ties go to the earlier stamp.
std::optional<std::size_t> NearestStamp(const std::vector<Timestamp>& sorted, Timestamp t,
                                        Duration max_skew = Duration::max());

// Streaming pairing: takes the element of `queue` (in stamp order; T has a `stamp`) nearest to
// `t` within `max_skew`, and drops those before it, which no later scan can be nearer to (the
// taken one stays: the next scan may pair with it too). nullopt when none is near enough; elements
// too old for any later scan are dropped then.
template <typename T>
std::optional<T> TakeNearest(std::deque<T>& queue, Timestamp t, Duration max_skew) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const Duration d = queue[i].stamp - t;
    if (std::chrono::abs(d) > max_skew) continue;
    if (!best || std::chrono::abs(d) < std::chrono::abs(queue[*best].stamp - t)) best = i;
  }
  if (!best) {
    while (!queue.empty() && queue.front().stamp < t - max_skew) queue.pop_front();
    return std::nullopt;
  }
  T value = queue[*best];
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(*best));
  return value;
}

// The longest interval between consecutive stamps (0 for fewer than two).
Duration LargestGap(const std::vector<Timestamp>& sorted);

// Positions of the stamps that break the order of a stream whose frames were captured in sequence:
// a stamp not after the last one kept, or not before the next one (unless that next one is itself
// out of order). A swapped pair loses one frame, a single stamp in the future or the past only
// itself; the rest keep their order. Missing stamps (nullopt) are skipped.
std::vector<std::size_t> OutOfOrderStamps(const std::vector<std::optional<Timestamp>>& stamps);

}  // namespace longtail::sensors
