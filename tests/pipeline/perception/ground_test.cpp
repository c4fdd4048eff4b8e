#include "pipeline/perception/ground.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/pipeline/perception/scenes.h"

namespace longtail::pipeline {
namespace {

using testing::AddBoxSides;
using testing::AddGround;
using testing::kGroundZ;
using testing::Segment;

TEST(FastAtan2, MatchesStdAtan2InEveryQuadrant) {
  for (double angle = -3.1; angle <= 3.14; angle += 0.01) {
    const float y = static_cast<float>(std::sin(angle) * 7),
                x = static_cast<float>(std::cos(angle) * 7);
    EXPECT_NEAR(FastAtan2(y, x), std::atan2(y, x), 2e-4) << angle;
  }
  EXPECT_EQ(FastAtan2(0, 0), 0);
}

TEST(FloatAtMost, AFloatComparisonDecidesAsTheDoubleOneWould) {
  for (const double threshold : {0.12, 3.8, 0.5, -0.2, 0.0, 1e-9, 100.1}) {
    const auto near = static_cast<float>(threshold);
    float d = near;
    for (int step = 0; step < 4; ++step) d = std::nextafter(d, -1e30f);
    for (int step = 0; step < 8; ++step, d = std::nextafter(d, 1e30f)) {
      EXPECT_EQ(d > FloatAtMost(threshold), static_cast<double>(d) > threshold)
          << threshold << " " << d;
    }
  }
  EXPECT_EQ(FloatAtMost(0.5), 0.5f);  // a float threshold is kept
  EXPECT_LT(static_cast<double>(FloatAtMost(0.12)), 0.12);
}

TEST(SegmentGround, FlatRoadIsGroundAndABoxOnItIsNot) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -20, 20, -20, 20, 0.5f);
  const std::size_t num_road = points.size();
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);
  const GroundSegmentation ground = Segment(points);
  std::size_t road_as_ground = 0, box_as_ground = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    (i < num_road ? road_as_ground : box_as_ground) += ground.is_ground[i];
  }
  EXPECT_GT(road_as_ground, num_road * 0.98);
  EXPECT_EQ(box_as_ground, 0u);
  EXPECT_NEAR(ground.HeightAt(10, 0), kGroundZ, 0.05);
}

TEST(SegmentGround, ListsExactlyTheNonGroundPointsInOrder) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -20, 20, -20, 20, 0.5f);
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);
  AddGround(points, 5, 8, -3, 3, 0.5f);  // ground after the box: the list must skip it
  const GroundSegmentation ground = Segment(points);
  std::vector<int> expected;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!ground.is_ground[i]) expected.push_back(static_cast<int>(i));
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(ground.non_ground, expected);
  EXPECT_EQ(ground.num_ground, static_cast<std::int64_t>(points.size() - expected.size()));
}

TEST(SegmentGround, ListsTheGroundPointsStandingAboveTheLowPointHeight) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -20, 20, -20, 20, 0.5f);
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);
  // A brick on the road: its top is below the ground threshold, so it is ground, but high.
  for (int k = 0; k < 7; ++k) points.emplace_back(6 + 0.05f * k, 2, kGroundZ + 0.15f);
  const pipeline::proto::GroundOptions options;
  PolarBins bins = MakePolarBins(Eigen::Vector2d::Zero(), 80, options, points.size());
  bins.AddRange(points.data(), points.size());
  const GroundSegmentation ground = SegmentGround(points, bins, kGroundZ, options, 0.12);
  std::vector<int> expected;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const float above = points[i].z() - ground.HeightUnderPoint(i);
    if (ground.is_ground[i] && static_cast<double>(above) > 0.12)
      expected.push_back(static_cast<int>(i));
  }
  ASSERT_GE(expected.size(), 7u);  // the brick at least
  EXPECT_EQ(ground.low_ground, expected);
  EXPECT_TRUE(SegmentGround(points, bins, kGroundZ, options).low_ground.empty());  // not asked
}

TEST(SegmentGround, FollowsARisingSlopeThatOneGlobalPlaneWouldMiss) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, 3, 40, -10, 10, 0.5f, /*slope=*/0.08f);  // 8 % grade: +3.2 m at 40 m
  const std::size_t num_road = points.size();
  AddBoxSides(points, 30, 0, 4, 1.8f, 1.5f, 0.1f, 0, kGroundZ + 0.08f * 30);
  const GroundSegmentation ground = Segment(points);
  std::size_t road_as_ground = 0, high_box_as_ground = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    // The box's bottom is flat while the road rises under it: judge it by its height over the road.
    const bool high = points[i].z() > kGroundZ + 0.08f * points[i].x() + 0.25f;
    if (i < num_road) road_as_ground += ground.is_ground[i];
    if (i >= num_road && high) high_box_as_ground += ground.is_ground[i];
  }
  EXPECT_GT(road_as_ground, num_road * 0.97);
  EXPECT_EQ(high_box_as_ground, 0u);
  EXPECT_NEAR(ground.HeightAt(30, 0), kGroundZ + 0.08 * 30, 0.3);
}

TEST(SegmentGround, AWallIsNotGround) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, 3, 20, -10, 10, 0.5f);
  const std::size_t num_road = points.size();
  for (float y = -10; y <= 10; y += 0.1f) {
    for (float z = kGroundZ + 0.3f; z < 2; z += 0.1f) points.emplace_back(15, y, z);
  }
  const GroundSegmentation ground = Segment(points);
  std::size_t wall_as_ground = 0;
  for (std::size_t i = num_road; i < points.size(); ++i) wall_as_ground += ground.is_ground[i];
  EXPECT_EQ(wall_as_ground, 0u);
}

TEST(SegmentGround, AnEmptyScanHasNoGround) {
  const GroundSegmentation ground = Segment({});
  EXPECT_TRUE(ground.is_ground.empty());
  EXPECT_TRUE(ground.non_ground.empty());
  EXPECT_EQ(ground.num_ground, 0);
}

TEST(EstimateGroundHeight, ReadsTheRoadAllAroundTheSensor) {
  std::vector<Eigen::Vector3f> points;
  AddGround(points, -20, 20, -20, 20, 0.5f);
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);  // objects stand above the lowest points
  EXPECT_NEAR(EstimateGroundHeight(points, Eigen::Vector2d::Zero()), kGroundZ, 1e-5);
}

TEST(EstimateGroundHeight, IsNaNWhenTooFewSectorsSeeTheRoad) {
  EXPECT_TRUE(std::isnan(EstimateGroundHeight({}, Eigen::Vector2d::Zero())));
  // A strip straight ahead covers a few of the 36 sectors; points nearer than 4 m or farther than
  // 20 m do not count.
  std::vector<Eigen::Vector3f> points;
  AddGround(points, 5, 15, -1, 1, 0.5f);
  AddGround(points, -3, 3, -3, 3, 0.5f);
  AddGround(points, -40, -25, -40, 40, 1.0f);
  EXPECT_TRUE(std::isnan(EstimateGroundHeight(points, Eigen::Vector2d::Zero())));
}

}  // namespace
}  // namespace longtail::pipeline
