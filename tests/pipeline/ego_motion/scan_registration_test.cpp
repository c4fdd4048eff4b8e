#include "pipeline/ego_motion/scan_registration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <optional>
#include <random>
#include <vector>

#include "tests/pipeline/ego_motion/street.h"

namespace longtail::pipeline {
namespace {

using testing::Planar;
using testing::Seen;
using testing::Street;

constexpr double kDeg = std::numbers::pi / 180;

TEST(RegisterScan, RecoversAKnownPlanarMotion) {
  const std::vector<Eigen::Vector3f> world = Street();
  const PointGrid2D previous(world, 1.0, 60);
  const Eigen::Isometry3d truth = Planar(1.1, 0.15, 2 * kDeg);
  const RegistrationResult result =
      RegisterScan(Seen(world, truth), previous, Planar(1.0, 0, 0), RegistrationOptions());
  ASSERT_TRUE(result.valid);
  EXPECT_NEAR(result.target_from_source.translation().x(), 1.1, 0.03);
  EXPECT_NEAR(result.target_from_source.translation().y(), 0.15, 0.03);
  const Eigen::Matrix3d r = result.target_from_source.linear();
  EXPECT_NEAR(std::atan2(r(1, 0), r(0, 0)), 2 * kDeg, 0.2 * kDeg);
}

TEST(RegisterScan, IsInvalidWithoutOverlap) {
  const PointGrid2D previous(Street(), 1.0, 60);
  const std::vector<Eigen::Vector3f> far = {{500, 500, 0}, {501, 500, 0}};
  EXPECT_FALSE(RegisterScan(far, previous, Eigen::Isometry3d::Identity(), {}).valid);
}

TEST(PointGrid2D, FindsTheNearestPointWithinOneCell) {
  const PointGrid2D grid({{1.2f, 1.2f, 0}, {1.9f, 1.2f, 5}}, 1.0, 10);
  EXPECT_EQ(grid.size(), 2u);
  const auto nearest = grid.Nearest({1.7f, 1.3f});
  ASSERT_TRUE(nearest);
  EXPECT_FLOAT_EQ(nearest->point.x(), 1.9f);
  EXPECT_TRUE(nearest->normal.isZero());  // two points are no line
  EXPECT_FALSE(grid.Nearest({5, 5}));
}

TEST(PointGrid2D, FindsPointsInTheEdgeCellsFromJustOutsideTheGrid) {
  // Four cells per side, x and y in [-2, 2).
  const PointGrid2D grid({{-1.9f, 0.5f, 0}, {1.9f, -1.9f, 0}, {0.1f, 1.95f, 0}}, 1.0, 2);
  ASSERT_EQ(grid.size(), 3u);
  const auto left = grid.Nearest({-2.3f, 0.4f});
  ASSERT_TRUE(left);
  EXPECT_FLOAT_EQ(left->point.x(), -1.9f);
  const auto corner = grid.Nearest({2.4f, -2.2f});
  ASSERT_TRUE(corner);
  EXPECT_FLOAT_EQ(corner->point.x(), 1.9f);
  const auto top = grid.Nearest({-0.3f, 2.6f});  // one column and one row off the point's cell
  ASSERT_TRUE(top);
  EXPECT_FLOAT_EQ(top->point.y(), 1.95f);
  EXPECT_FALSE(grid.Nearest({-3.5f, 0.5f}));  // more than a cell beyond the left edge
  EXPECT_FALSE(grid.Nearest({5.0f, -1.9f}));
  EXPECT_FALSE(grid.Nearest({0.1f, 4.5f}));
}

TEST(PointGrid2D, NearestAgreesWithABruteForceSearch) {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> coordinate(-12, 12);
  std::vector<Eigen::Vector3f> points;
  for (int i = 0; i < 3000; ++i) points.emplace_back(coordinate(random), coordinate(random), 0);
  const PointGrid2D grid(points, 1.0, 10);
  // The grid keeps one point per quarter cell: search among the points it kept.
  std::vector<Eigen::Vector2f> kept;
  for (const Eigen::Vector3f& p : points) {
    const auto self = grid.Nearest(p.head<2>());
    if (self && self->point == p.head<2>()) kept.push_back(p.head<2>());
  }
  ASSERT_EQ(kept.size(), grid.size());
  for (int i = 0; i < 2000; ++i) {
    const Eigen::Vector2f query(coordinate(random), coordinate(random));
    float best = 1.0f;
    std::optional<Eigen::Vector2f> expected;
    for (const Eigen::Vector2f& p : kept) {
      if ((p - query).squaredNorm() < best) best = (p - query).squaredNorm(), expected = p;
    }
    const auto found = grid.Nearest(query);
    ASSERT_EQ(found.has_value(), expected.has_value()) << query.transpose();
    if (found) {
      EXPECT_EQ(found->point, *expected) << query.transpose();
    }
  }
}

TEST(PointGrid2D, GivesPointsOnAWallTheWallsNormal) {
  std::vector<Eigen::Vector3f> wall;
  for (float x = 0; x < 10; x += 0.1f) wall.emplace_back(x, 3, 0);
  const PointGrid2D grid(wall, 1.0, 20);
  const auto nearest = grid.Nearest({5.02f, 3.3f});
  ASSERT_TRUE(nearest);
  EXPECT_NEAR(std::abs(nearest->normal.y()), 1, 1e-3);
}

TEST(RegisterScan, IsInvalidOnAnEmptyScanOrAnEmptyTarget) {
  const PointGrid2D street(Street(), 1.0, 60), nothing({}, 1.0, 60);
  EXPECT_FALSE(RegisterScan({}, street, Eigen::Isometry3d::Identity(), {}).valid);
  EXPECT_FALSE(RegisterScan(Street(), nothing, Eigen::Isometry3d::Identity(), {}).valid);
}

TEST(PointGrid2D, LeavesOutPointsBeyondItsSquareAndFindsNothingThere) {
  const PointGrid2D grid({{1, 1, 0}, {30, 0, 0}, {0, -30, 0}}, 1.0, 10);
  EXPECT_EQ(grid.size(), 1u);
  EXPECT_FALSE(grid.Nearest({30, 0}));
  EXPECT_FALSE(grid.Nearest({-100, 1e6f}));
  EXPECT_FALSE(PointGrid2D({}, 1.0, 10).Nearest({0, 0}));
}

}  // namespace
}  // namespace longtail::pipeline
