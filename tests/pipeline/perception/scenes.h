// Small literal lidar scenes for the perception tests: a ground plane and box-shaped objects, and
// the helpers several of the tests judge them with.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numbers>
#include <vector>

#include "pipeline/perception/cluster_features.h"
#include "pipeline/perception/ground.h"
#include "sensors/frame.h"

namespace longtail::testing {

constexpr float kGroundZ = -1.73f;  // KITTI: the lidar is 1.73 m above the road

// A grid of road points, `step` m apart, over [x0,x1] x [y0,y1], at height z0 + slope * x.
inline void AddGround(std::vector<Eigen::Vector3f>& points, float x0, float x1, float y0, float y1,
                      float step, float slope = 0, float z0 = kGroundZ) {
  for (float x = x0; x <= x1; x += step) {
    for (float y = y0; y <= y1; y += step) points.emplace_back(x, y, z0 + slope * x);
  }
}

// The four vertical sides of an axis-aligned box standing on z0, sampled every `step` m.
inline void AddBoxSides(std::vector<Eigen::Vector3f>& points, float cx, float cy, float length,
                        float width, float height, float step, float yaw = 0, float z0 = kGroundZ) {
  const float c = std::cos(yaw), s = std::sin(yaw);
  const auto add = [&](float lx, float ly, float z) {
    points.emplace_back(cx + c * lx - s * ly, cy + s * lx + c * ly, z);
  };
  for (float z = z0 + 0.25f; z <= z0 + height; z += step) {
    for (float t = -length / 2; t <= length / 2; t += step) {
      add(t, -width / 2, z);
      add(t, width / 2, z);
    }
    for (float t = -width / 2; t <= width / 2; t += step) {
      add(-length / 2, t, z);
      add(length / 2, t, z);
    }
  }
}

inline sensors::Frame FrameOf(const std::vector<Eigen::Vector3f>& points) {
  sensors::Frame frame;
  for (const Eigen::Vector3f& p : points) frame.lidar.points.push_back({p.x(), p.y(), p.z(), 0.5f});
  frame.calibration = std::make_shared<sensors::Calibration>();
  return frame;
}

constexpr double kDeg = std::numbers::pi / 180;

// Ground segmentation of a scan from a sensor at the origin with the KITTI mounting height.
inline pipeline::GroundSegmentation Segment(const std::vector<Eigen::Vector3f>& points) {
  return pipeline::SegmentGround(points, Eigen::Vector3d::Zero(), kGroundZ, 80,
                                 pipeline::proto::GroundOptions());
}

// Heading difference modulo pi (box headings are ambiguous by a half turn).
inline double YawErrorModPi(double a, double b) {
  double d = std::fmod(std::abs(a - b), std::numbers::pi);
  return std::min(d, std::numbers::pi - d);
}

// A vertical pole 0.1 m across and 3 m tall, 20 m ahead, standing on the ground at z = -1.7.
inline pipeline::ClusterFeatures PoleFeatures() {
  std::vector<Eigen::Vector3f> points;
  for (int k = 0; k < 60; ++k) {
    points.emplace_back(20.0f + 0.05f * (k % 2), 0.05f * (k % 3), -1.7f + 0.05f * k);
  }
  const std::vector<float> reflectance(points.size(), 1.0f);
  sensors::Box3D box;
  box.center = {20.025, 0.05, -0.2};
  box.length = 0.1, box.width = 0.1, box.height = 3.0;
  return pipeline::ComputeClusterFeatures(
      {&points, &reflectance, box, -1.7, Eigen::Vector2d::Zero()});
}

}  // namespace longtail::testing
