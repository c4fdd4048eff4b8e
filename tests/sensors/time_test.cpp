// Tests of sensors/time.h: KITTI timestamp text, and what it rejects.
#include "sensors/time.h"

#include <gtest/gtest.h>

namespace longtail::sensors {
namespace {

TEST(Time, ParsesKittiTimestampWithNanoseconds) {
  const auto t = ParseKittiTimestamp("2011-09-26 13:02:25.964389445");
  ASSERT_TRUE(t);
  EXPECT_EQ(ToNanos(*t), 1317042145964389445LL);
  EXPECT_EQ(FormatKittiTimestamp(*t), "2011-09-26 13:02:25.964389445");
}

TEST(Time, RejectsMalformedTimestamps) {
  EXPECT_FALSE(ParseKittiTimestamp(""));
  EXPECT_FALSE(ParseKittiTimestamp("2011-09-26"));
  EXPECT_FALSE(ParseKittiTimestamp("2011-13-26 13:02:25.9"));
  EXPECT_FALSE(ParseKittiTimestamp("2011-09-26 13:02:25.12x"));
  // Found by the timestamps fuzzer: year 0026 overflowed the 64-bit nanosecond count.
  EXPECT_FALSE(ParseKittiTimestamp("0026-01-01 00:00:01.400000000"));
  EXPECT_FALSE(ParseKittiTimestamp("2262-06-01 00:00:00"));
  EXPECT_TRUE(ParseKittiTimestamp("2261-12-31 23:59:59"));
  EXPECT_FALSE(ParseKittiTimestamp("2011-09-26 -1:02:25"));
  EXPECT_FALSE(ParseKittiTimestamp("2011-09-26 13:02:25.1234567890"));
}

}  // namespace
}  // namespace longtail::sensors
