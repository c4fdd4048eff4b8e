// Small literal lidar scenes for the perception tests: a ground plane and box-shaped objects.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <vector>

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

}  // namespace longtail::testing
