// Clustering of non-ground points: connected components of a bird's-eye-view occupancy grid.
// Linear in the number of points; no per-point neighbour queries.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "pipeline/perception/ground.h"
#include "pipeline/proto/perception.pb.h"

namespace longtail::pipeline {

// Clusters as index lists into the input points, stored back to back (CSR).
struct Clusters {
  std::vector<int> point_indices;  // all clustered points, cluster by cluster
  std::vector<int> begin;  // cluster i is point_indices[begin[i], begin[i+1]); size()+1 entries

  int size() const { return begin.empty() ? 0 : static_cast<int>(begin.size()) - 1; }
  int count(int i) const { return begin[i + 1] - begin[i]; }
};

// Groups the points `indices` (increasing) of `points` that are not too high above the ground:
// Perceive passes `ground.non_ground`, its low-obstacle pass the points just above the ground.
// `points` are in the vehicle frame, centred on `ground.sensor_xy`. Clusters with fewer than
// `min_points` points are dropped. Cluster order is deterministic (by the first grid cell each
// cluster occupies).
Clusters ClusterPoints(const std::vector<Eigen::Vector3f>& points, const std::vector<int>& indices,
                       const GroundSegmentation& ground, const proto::ClusterOptions& options);

}  // namespace longtail::pipeline
