#include "pipeline/detectors/severity.h"

#include <gtest/gtest.h>

namespace longtail::pipeline {
namespace {

TEST(SeverityFromTimeGap, IsHalfAtTheSeriousConflictLineAndClampedToZeroAndOne) {
  EXPECT_DOUBLE_EQ(SeverityFromTimeGap(1.5, false), 0.5);
  EXPECT_DOUBLE_EQ(SeverityFromTimeGap(4.0, true), 0.5);  // a wider margin for the vulnerable
  EXPECT_DOUBLE_EQ(SeverityFromTimeGap(0, false), 1.0);
  EXPECT_DOUBLE_EQ(SeverityFromTimeGap(-2, true), 1.0);  // already past: no more than 1
  EXPECT_DOUBLE_EQ(SeverityFromTimeGap(3, false), 0.0);
  EXPECT_DOUBLE_EQ(SeverityFromTimeGap(30, true), 0.0);
}

TEST(SeverityFromDeceleration, HardBrakingIsHalfAndAnEmergencyStopIsOne) {
  EXPECT_DOUBLE_EQ(SeverityFromDeceleration(3), 0.5);
  EXPECT_DOUBLE_EQ(SeverityFromDeceleration(6), 1.0);
  EXPECT_DOUBLE_EQ(SeverityFromDeceleration(9), 1.0);
  EXPECT_DOUBLE_EQ(SeverityFromDeceleration(-4), 0.0);  // speeding up is not severe
}

TEST(SeverityFromClearance, GrowsWithSpeedAndSurvivesAZeroOrNegativeClearance) {
  const double at_50_kmh = 50 / 3.6;
  EXPECT_NEAR(SeverityFromClearance(0.15 * at_50_kmh, at_50_kmh), 0.5, 1e-12);
  EXPECT_NEAR(SeverityFromClearance(0.075 * at_50_kmh, at_50_kmh), 1.0, 1e-12);
  EXPECT_LT(SeverityFromClearance(4, at_50_kmh), 0.5);
  EXPECT_DOUBLE_EQ(SeverityFromClearance(0.5, 0), 0.0);   // standing still
  EXPECT_DOUBLE_EQ(SeverityFromClearance(0.5, -3), 0.0);  // a negative speed counts as standing
  EXPECT_DOUBLE_EQ(SeverityFromClearance(0, 5), 1.0);     // touching: no division by zero
  EXPECT_DOUBLE_EQ(SeverityFromClearance(-1, 5), 1.0);
}

TEST(RequiredDeceleration, IsVSquaredOverTwoDAndFiniteWhenTheDistanceIsGone) {
  EXPECT_DOUBLE_EQ(RequiredDeceleration(10, 25), 2.0);
  EXPECT_DOUBLE_EQ(RequiredDeceleration(0, 5), 0.0);
  EXPECT_DOUBLE_EQ(RequiredDeceleration(-10, 25), 0.0);
  EXPECT_DOUBLE_EQ(RequiredDeceleration(10, 0), 500.0);  // distance floored at 0.1 m
  EXPECT_DOUBLE_EQ(RequiredDeceleration(10, -3), 500.0);
}

TEST(StopShortDeceleration, StopsTheStandoffShortOfTheObstacleFromTheEgosFront) {
  // Near edge 30 m ahead of the origin, front 3 m ahead of it: 25 m left to stop in.
  EXPECT_DOUBLE_EQ(StopShortDeceleration(10, 30, 3), 2.0);
  EXPECT_DOUBLE_EQ(StopShortDeceleration(10, 4, 3), 500.0);  // inside the standoff already
}

}  // namespace
}  // namespace longtail::pipeline
