// Tests of sensors/sync.h: stamp order checks and nearest-stamp pairing.
#include "sensors/sync.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <vector>

namespace longtail::sensors {
namespace {

TEST(Sync, OutOfOrderStampsLoseOnlyTheStampsThatBreakTheOrder) {
  const auto at = [](std::vector<std::int64_t> ms) {
    std::vector<std::optional<Timestamp>> stamps;
    for (std::int64_t m : ms) {
      stamps.push_back(m < 0 ? std::nullopt : std::optional(FromNanos(m * 1000000)));
    }
    return OutOfOrderStamps(stamps);
  };
  using Positions = std::vector<std::size_t>;
  EXPECT_EQ(at({0, 100, 200, 300}), Positions{});
  EXPECT_EQ(at({0, 100, -1, 300}), Positions{});             // a missing stamp is not a break
  EXPECT_EQ(at({0, 200, 100, 300}), Positions{1});           // a swapped pair loses one frame
  EXPECT_EQ(at({0, 100, 9000000, 300, 400}), Positions{2});  // one in the future
  EXPECT_EQ(at({0, 100, 200, 5, 400}), Positions{3});        // one in the past
  EXPECT_EQ(at({0, 100, 100, 200}), Positions{1});           // one of a repeated stamp
  EXPECT_EQ(at({500, 0, 100, 200}), Positions{0});           // a bad first stamp
}

TEST(Sync, PicksTheNearestStampWithinTheSkewLimit) {
  const std::vector<Timestamp> stamps = {FromNanos(100), FromNanos(200), FromNanos(300)};
  EXPECT_EQ(NearestStamp(stamps, FromNanos(240)), 1u);
  EXPECT_EQ(NearestStamp(stamps, FromNanos(260)), 2u);
  EXPECT_EQ(NearestStamp(stamps, FromNanos(250)), 1u);  // ties go to the earlier
  EXPECT_EQ(NearestStamp(stamps, FromNanos(0)), 0u);
  EXPECT_FALSE(NearestStamp(stamps, FromNanos(1000), Duration(50)));
  EXPECT_FALSE(NearestStamp({}, FromNanos(0)));
  EXPECT_EQ(LargestGap({FromNanos(0), FromNanos(10), FromNanos(40)}), Duration(30));
}

TEST(Sync, TakeNearestKeepsWhatALaterScanMayStillUse) {
  struct Stamped {
    Timestamp stamp;
  };
  std::deque<Stamped> queue = {{FromNanos(100)}, {FromNanos(200)}, {FromNanos(300)}};
  // The scan at 210 takes 200 and drops 100; 200 stays for a scan at 205.
  EXPECT_EQ(TakeNearest(queue, FromNanos(210), Duration(50))->stamp, FromNanos(200));
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(TakeNearest(queue, FromNanos(205), Duration(50))->stamp, FromNanos(200));
  // Nothing within 50 ns of 500: none taken, and everything older than 450 is dropped.
  EXPECT_FALSE(TakeNearest(queue, FromNanos(500), Duration(50)));
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace longtail::sensors
