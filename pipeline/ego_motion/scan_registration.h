// Scan-to-scan registration for lidar ego motion: planar point-to-point ICP with a robust kernel
// against a bird's-eye-view grid of the previous scan (nearest neighbour in the 3x3 surrounding
// cells).
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <optional>
#include <vector>

namespace longtail::pipeline {

// A scan's points bucketed by bird's-eye-view cell (x, y) for constant-time nearest-neighbour
// queries. The vehicle moves on the road, so registration matches points by their (x, y) only.
class PointGrid2D {
 public:
  // Points outside the square of half side `half_size_m` around the origin are left out.
  PointGrid2D(const std::vector<Eigen::Vector3f>& points, double cell_m, double half_size_m);
  // The nearest stored point (by x, y) within one cell side of `query`, if any.
  std::optional<Eigen::Vector2f> Nearest(const Eigen::Vector2f& query) const;
  std::size_t size() const { return points_.size(); }
  double cell_m() const { return cell_m_; }

 private:
  double cell_m_, half_size_m_;
  int side_ = 0;                         // cells per side
  std::vector<int> cell_begin_;          // CSR offsets into points_, side_*side_ + 1 entries
  std::vector<Eigen::Vector2f> points_;  // sorted by cell
};

struct RegistrationOptions {
  int max_iterations = 30;
  double convergence_m = 1e-4;   // m (and rad) per iteration
  double robust_kernel_m = 0.3;  // m, Geman-McClure scale
};

struct RegistrationResult {
  bool valid = false;
  Eigen::Isometry3d target_from_source = Eigen::Isometry3d::Identity();
  int iterations = 0;
  int correspondences = 0;  // at the last iteration
  double rms_error_m = 0;   // m, of the correspondences at the last iteration
};

// Aligns `source` (the current scan, vehicle frame) to `target` (the previous scan), starting at
// `initial`. Estimates planar motion (x, y, yaw); z, roll and pitch stay as in `initial`. Invalid
// when fewer than 20 correspondences are found.
RegistrationResult RegisterScan(const std::vector<Eigen::Vector3f>& source,
                                const PointGrid2D& target, const Eigen::Isometry3d& initial,
                                const RegistrationOptions& options);

}  // namespace longtail::pipeline
