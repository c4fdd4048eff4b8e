#include "pipeline/perception/clustering.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/pipeline/perception/scenes.h"

namespace longtail::pipeline {
namespace {

using testing::AddBoxSides;
using testing::kGroundZ;
using testing::Segment;

// Every index of `points` but those in `left_out`, in order.
std::vector<int> AllBut(const std::vector<Eigen::Vector3f>& points,
                        std::vector<int> left_out = {}) {
  std::vector<int> indices;
  for (int i = 0; i < static_cast<int>(points.size()); ++i) {
    if (std::find(left_out.begin(), left_out.end(), i) == left_out.end()) indices.push_back(i);
  }
  return indices;
}

TEST(ClusterPoints, SeparatesAPedestrianHalfAMetreFromACar) {
  std::vector<Eigen::Vector3f> points;
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);
  AddBoxSides(points, 10, 0.9f + 0.5f + 0.25f, 0.5f, 0.5f, 1.7f, 0.05f);  // 0.5 m gap
  const GroundSegmentation ground = Segment(points);
  const Clusters clusters = ClusterPoints(points, AllBut(points), ground, proto::ClusterOptions());
  EXPECT_EQ(clusters.size(), 2);
}

TEST(ClusterPoints, KeepsALongTruckInOnePiece) {
  std::vector<Eigen::Vector3f> points;
  AddBoxSides(points, 20, 5, 12, 2.5f, 3.5f, 0.15f);
  const GroundSegmentation ground = Segment(points);
  const Clusters clusters = ClusterPoints(points, AllBut(points), ground, proto::ClusterOptions());
  ASSERT_EQ(clusters.size(), 1);
  EXPECT_EQ(clusters.count(0), static_cast<int>(points.size()));
}

TEST(ClusterPoints, DropsPointsNotListedTooHighAndTooSmallClusters) {
  std::vector<Eigen::Vector3f> points = {{10, 0, kGroundZ}, {10, 0.1f, kGroundZ}};
  for (int i = 0; i < 3; ++i) points.emplace_back(20, 0.05f * i, 0);   // 3 points: too few
  for (int i = 0; i < 20; ++i) points.emplace_back(30, 0.05f * i, 5);  // 6.7 m above ground
  const GroundSegmentation ground = Segment(points);
  EXPECT_EQ(ClusterPoints(points, AllBut(points, {0, 1}), ground, proto::ClusterOptions()).size(),
            0);
}

}  // namespace
}  // namespace longtail::pipeline
