// Literal scenes for the ego-motion and scan-registration tests: a street seen from a moving
// vehicle.
#pragma once

#include <Eigen/Geometry>
#include <cmath>
#include <random>
#include <vector>

namespace longtail::testing {

// A street seen from the origin: two building fronts, a few poles and parked boxes (world frame).
inline std::vector<Eigen::Vector3f> Street() {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> jitter(-0.02f, 0.02f);
  std::vector<Eigen::Vector3f> points;
  for (float x = -40; x <= 40; x += 0.3f) {
    for (float z = -1.0f; z < 3; z += 0.5f) {
      points.emplace_back(x, 9 + 0.02f * x + jitter(random), z);  // a slightly skewed facade
      if (std::fmod(x + 40, 12.0f) > 2) points.emplace_back(x, -8 + jitter(random), z);  // gaps
    }
  }
  for (float x = -35; x <= 35; x += 7) {  // poles
    for (float a = 0; a < 6.28f; a += 0.5f)
      points.emplace_back(x + 0.1f * std::cos(a), 5 + 0.1f * std::sin(a), 0);
  }
  for (float t = 0; t <= 4; t += 0.2f) {  // a parked car's L
    points.emplace_back(12 + t, -4, -1), points.emplace_back(12, -4 - t * 0.45f, -1);
  }
  return points;
}

inline std::vector<Eigen::Vector3f> Seen(const std::vector<Eigen::Vector3f>& world,
                                         const Eigen::Isometry3d& world_from_vehicle) {
  std::vector<Eigen::Vector3f> out;
  const Eigen::Isometry3f vehicle_from_world = world_from_vehicle.inverse().cast<float>();
  for (const Eigen::Vector3f& p : world) out.push_back(vehicle_from_world * p);
  return out;
}

inline Eigen::Isometry3d Planar(double x, double y, double yaw) {
  Eigen::Isometry3d t = Eigen::Isometry3d::Identity();
  t.linear() = Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  t.translation() << x, y, 0;
  return t;
}

}  // namespace longtail::testing
