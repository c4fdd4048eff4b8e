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
  EXPECT_FALSE(ParseKittiTimestamp("2011-09-26 13:02:25.1234567890"));
}

}  // namespace
}  // namespace longtail::sensors
