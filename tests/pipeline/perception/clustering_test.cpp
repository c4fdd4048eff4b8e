#include "pipeline/perception/clustering.h"

#include <gtest/gtest.h>

#include "tests/pipeline/perception/scenes.h"

namespace longtail::pipeline {
namespace {

using testing::AddBoxSides;
using testing::kGroundZ;
using testing::Segment;

TEST(ClusterPoints, SeparatesAPedestrianHalfAMetreFromACar) {
  std::vector<Eigen::Vector3f> points;
  AddBoxSides(points, 10, 0, 4, 1.8f, 1.5f, 0.1f);
  AddBoxSides(points, 10, 0.9f + 0.5f + 0.25f, 0.5f, 0.5f, 1.7f, 0.05f);  // 0.5 m gap
  const std::vector<std::uint8_t> none(points.size(), 0);
  GroundSegmentation ground = Segment(points);
  ground.is_ground = none;
  const Clusters clusters = ClusterPoints(points, ground, proto::ClusterOptions());
  EXPECT_EQ(clusters.size(), 2);
}

TEST(ClusterPoints, KeepsALongTruckInOnePiece) {
  std::vector<Eigen::Vector3f> points;
  AddBoxSides(points, 20, 5, 12, 2.5f, 3.5f, 0.15f);
  GroundSegmentation ground = Segment(points);
  ground.is_ground.assign(points.size(), 0);
  const Clusters clusters = ClusterPoints(points, ground, proto::ClusterOptions());
  ASSERT_EQ(clusters.size(), 1);
  EXPECT_EQ(clusters.count(0), static_cast<int>(points.size()));
}

TEST(ClusterPoints, DropsGroundTooHighAndTooSmallClusters) {
  std::vector<Eigen::Vector3f> points = {{10, 0, kGroundZ}, {10, 0.1f, kGroundZ}};
  for (int i = 0; i < 3; ++i) points.emplace_back(20, 0.05f * i, 0);   // 3 points: too few
  for (int i = 0; i < 20; ++i) points.emplace_back(30, 0.05f * i, 5);  // 6.7 m above ground
  GroundSegmentation ground = Segment(points);
  ground.is_ground.assign(points.size(), 0);
  ground.is_ground[0] = ground.is_ground[1] = 1;
  EXPECT_EQ(ClusterPoints(points, ground, proto::ClusterOptions()).size(), 0);
}

}  // namespace
}  // namespace longtail::pipeline
