#include "pipeline/detectors/ego_path.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using testing::CarBox;
using testing::MakeFrame;
using testing::MovingEgo;

TEST(EgoPathTest, StraightPathGivesPlainCoordinates) {
  const EgoPath path = ArcPath(0, 30, 2);
  const PathPoint p = ToPathCoordinates(path, {10, 1.5});
  EXPECT_NEAR(p.s, 10, 1e-9);
  EXPECT_NEAR(p.d, 1.5, 1e-9);
  const PathPoint right = ToPathCoordinates(path, {5, -2});
  EXPECT_NEAR(right.d, -2, 1e-9);
}

TEST(EgoPathTest, PointsBeyondTheEndsUseTheEndSegmentsExtended) {
  const EgoPath path = ArcPath(0, 10, 2);
  EXPECT_NEAR(ToPathCoordinates(path, {15, 0.5}).s, 15, 1e-9);
  EXPECT_NEAR(ToPathCoordinates(path, {-3, 0.5}).s, -3, 1e-9);
}

TEST(EgoPathTest, ArcCoordinatesFollowTheCircle) {
  // Radius 20 m turning left: the point on the circle a quarter turn on is (20, 20).
  const EgoPath path = ArcPath(1.0 / 20, 40, 0.5);
  const PathPoint p = ToPathCoordinates(path, {20, 20});
  EXPECT_NEAR(p.s, 20 * M_PI / 2, 0.05);
  EXPECT_NEAR(p.d, 0, 0.01);
  // One metre outside the circle (away from its centre at (0, 20)) is one metre to the right.
  const PathPoint outside = ToPathCoordinates(path, {21, 20});
  EXPECT_NEAR(outside.d, -1, 0.01);
}

TEST(EgoPathTest, PredictsStraightWithoutEgoMotion) {
  const std::vector<FrameResult> frames = {MakeFrame(0)};
  const EgoPath path = PredictEgoPath({frames, 0}, 30, proto::EgoPathOptions());
  EXPECT_EQ(path.source, PathSource::kStraight);
  EXPECT_GE(path.arc_length.back(), 30);
}

TEST(EgoPathTest, PredictsAnArcFromYawRateWhenMoving) {
  std::vector<FrameResult> frames = {MakeFrame(0)};
  frames[0].ego = MovingEgo({0, 0}, 0, 10, 0.5);
  proto::EgoPathOptions options;
  options.set_use_future_poses(false);
  const EgoPath path = PredictEgoPath({frames, 0}, 30, options);
  EXPECT_EQ(path.source, PathSource::kYawRate);
  EXPECT_NEAR(path.curvature, 0.05, 1e-12);
}

TEST(EgoPathTest, StaysStraightBelowTheCurvatureSpeed) {
  std::vector<FrameResult> frames = {MakeFrame(0)};
  frames[0].ego = MovingEgo({0, 0}, 0, 0.5, 0.5);
  EXPECT_EQ(PredictEgoPath({frames, 0}, 30, proto::EgoPathOptions()).source, PathSource::kStraight);
}

TEST(EgoPathTest, ClampsTheCurvature) {
  std::vector<FrameResult> frames = {MakeFrame(0)};
  frames[0].ego = MovingEgo({0, 0}, 0, 2, 1.0);
  EXPECT_NEAR(PredictEgoPath({frames, 0}, 30, proto::EgoPathOptions()).curvature, 0.125, 1e-12);
}

TEST(EgoPathTest, FollowsTheFuturePosesInTheJudgedFramesAxes) {
  // The ego heads north (yaw 90 deg) from (100, 50) and then turns right, to the east.
  std::vector<FrameResult> frames;
  for (int i = 0; i < 10; ++i) {
    frames.push_back(MakeFrame(i));
    frames.back().ego = MovingEgo({100, 50 + 2.0 * i}, M_PI / 2, 20);
  }
  for (int i = 0; i < 10; ++i) {
    frames.push_back(MakeFrame(10 + i));
    frames.back().ego = MovingEgo({102 + 2.0 * i, 68}, 0, 20);
  }
  const EgoPath path = PredictEgoPath({frames, 0}, 50, proto::EgoPathOptions());
  EXPECT_EQ(path.source, PathSource::kFuturePoses);
  EXPECT_GE(path.arc_length.back(), 50);
  // In the judged frame's axes north is ahead (+x) and east is to the right (-y).
  const PathPoint p = ToPathCoordinates(path, {18, -10});
  EXPECT_NEAR(p.d, 0, 0.3);
  EXPECT_GT(p.s, 25);
}

TEST(EgoPathTest, StandingEgoFallsBackToThePrediction) {
  std::vector<FrameResult> frames;
  for (int i = 0; i < 5; ++i) {
    frames.push_back(MakeFrame(i));
    frames.back().ego = MovingEgo({3, 4}, 0.3, 0);
  }
  EXPECT_EQ(PredictEgoPath({frames, 0}, 30, proto::EgoPathOptions()).source, PathSource::kStraight);
}

TEST(EgoPathTest, ProjectsAFootprintClippedToTheRange) {
  const EgoPath path = ArcPath(0, 30, 2);
  const FootprintOnPath on = ProjectFootprint(path, CarBox(10, 2.5), 2, 30);
  ASSERT_TRUE(on.in_range);
  EXPECT_NEAR(on.s_min, 7.75, 1e-9);
  EXPECT_NEAR(on.s_max, 12.25, 1e-9);
  EXPECT_NEAR(on.lateral_gap, 1.6, 1e-9);
  EXPECT_NEAR(on.center_d, 2.5, 1e-9);
  const FootprintOnPath clipped = ProjectFootprint(path, CarBox(29, 0), 2, 30);
  EXPECT_NEAR(clipped.s_max, 30, 1e-9);
  EXPECT_EQ(clipped.lateral_gap, 0);
  EXPECT_FALSE(ProjectFootprint(path, CarBox(40, 0), 2, 30).in_range);
}

TEST(EgoPathTest, SplitsVelocityAlongAndAcrossThePath) {
  PathPoint at;
  at.tangent = {0, 1};
  const Eigen::Vector2d v = ToPathVelocity(at, {1, 2});
  EXPECT_NEAR(v.x(), 2, 1e-12);
  EXPECT_NEAR(v.y(), -1, 1e-12);
}

}  // namespace
}  // namespace longtail::pipeline
