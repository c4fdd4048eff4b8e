// Features of one cluster for the learned class decision: extent, height profile above the local
// ground, point density against range, reflectance, and the shape of what the lidar saw. Plain
// floats, so the model, the training command and the tests share one definition.
#pragma once

#include <Eigen/Core>
#include <array>
#include <string_view>
#include <vector>

#include "sensors/box3d.h"

namespace longtail::pipeline {

// The feature vector, in a fixed order (the model file is trained on this order: changing it
// means retraining, and kFeatureNames is written into the model so a stale model is refused).
inline constexpr int kNumClusterFeatures = 31;
// Where the features other code reads are: range_m and height_m.
inline constexpr int kRangeFeature = 0, kHeightFeature = 5;
struct ClusterFeatures {
  std::array<float, kNumClusterFeatures> values{};
};
// One short name per feature, in order (model files and `train-classifier` print them).
extern const std::array<std::string_view, kNumClusterFeatures> kFeatureNames;

// What a cluster is made of. Points are in the vehicle frame, m; `reflectance` holds one value
// per point, already divided by the scan's mean reflectance (so sensors that report 0..1 and
// 0..255 look alike); `tight_box` is the L-shape box of the points (bottom at `ground_z`, m).
struct ClusterView {
  const std::vector<Eigen::Vector3f>* points = nullptr;
  const std::vector<float>* reflectance = nullptr;
  sensors::Box3D tight_box;
  double ground_z = 0;                                  // m, vehicle frame
  Eigen::Vector2d sensor_xy = Eigen::Vector2d::Zero();  // m, vehicle frame
};

// Pure and allocation-free (height quantiles from a 5 cm histogram). Points must not be empty.
ClusterFeatures ComputeClusterFeatures(const ClusterView& cluster);

}  // namespace longtail::pipeline
