#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sensors/box3d.h"
#include "sensors/sync.h"
#include "sensors/time.h"

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

TEST(Box3D, BevIoUOfIdenticalDisjointAndHalfOverlappingBoxes) {
  const Box3D a{{10, 0, 0}, 4, 2, 1.5, 0.3};
  EXPECT_NEAR(BevIoU(a, a), 1.0, 1e-9);
  Box3D far = a;
  far.center.x() += 20;
  EXPECT_EQ(BevIoU(a, far), 0.0);
  const Box3D unit{{0, 0, 0}, 2, 2, 1, 0};
  const Box3D shifted{{1, 0, 0}, 2, 2, 1, 0};
  EXPECT_NEAR(BevIoU(unit, shifted), 2.0 / 6.0, 1e-9);
  // A square turned by 90 degrees is the same footprint.
  Box3D turned = unit;
  turned.yaw = std::numbers::pi / 2;
  EXPECT_NEAR(BevIoU(unit, turned), 1.0, 1e-9);
}

TEST(Box3D, ContainsRespectsYawAndHeight) {
  const Box3D box{{0, 0, 1}, 4, 1, 2, std::numbers::pi / 2};  // long along y
  EXPECT_TRUE(Contains(box, {0, 1.9, 1}));
  EXPECT_FALSE(Contains(box, {1.9, 0, 1}));
  EXPECT_FALSE(Contains(box, {0, 0, 2.1}));
  EXPECT_TRUE(Contains(box, {0, 0, 2.1}, 0.2));
}

TEST(Box3D, CornersSpanTheBox) {
  const Box3D box{{1, 2, 3}, 4, 2, 1, 0};
  const auto corners = Corners(box);
  EXPECT_TRUE(corners[0].isApprox(Eigen::Vector3d(3, 3, 2.5)));
  EXPECT_TRUE(corners[6].isApprox(Eigen::Vector3d(-1, 1, 3.5)));
}

TEST(Box3D, WrapAngleMapsToHalfOpenInterval) {
  EXPECT_NEAR(WrapAngle(3 * std::numbers::pi), std::numbers::pi, 1e-12);
  EXPECT_NEAR(WrapAngle(-std::numbers::pi), std::numbers::pi, 1e-12);
  EXPECT_NEAR(WrapAngle(-0.5), -0.5, 1e-12);
}

TEST(ObjectClass, ParsesKittiTypes) {
  EXPECT_EQ(ParseObjectClass("Car"), ObjectClass::kCar);
  EXPECT_EQ(ParseObjectClass("Person_sitting"), ObjectClass::kPedestrian);
  EXPECT_FALSE(ParseObjectClass("DontCare"));
  EXPECT_TRUE(IsVulnerableRoadUser(ObjectClass::kCyclist));
  EXPECT_TRUE(IsVehicle(ObjectClass::kVan));
}

}  // namespace
}  // namespace longtail::sensors
