// Time synchronisation of streams: pairing each lidar scan with the nearest message of another
// stream.
#pragma once

#include <optional>
#include <vector>

#include "sensors/time.h"

namespace longtail::sensors {

// Index of the stamp in `sorted` (ascending) nearest to `t`, or nullopt when `sorted` is empty or
// the nearest is farther than `max_skew`. Ties go to the earlier stamp.
std::optional<std::size_t> NearestStamp(const std::vector<Timestamp>& sorted, Timestamp t,
                                        Duration max_skew = Duration::max());

// The longest interval between consecutive stamps (0 for fewer than two).
Duration LargestGap(const std::vector<Timestamp>& sorted);

}  // namespace longtail::sensors
