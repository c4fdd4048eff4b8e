// Scan-to-scan registration for lidar ego motion: planar ICP with a robust kernel against a
// bird's-eye-view grid of the previous scan. Matches on walls and kerbs use the point-to-line
// distance (so a long facade does not pin the estimate along itself); matches on poles and corners
// use the point-to-point distance.
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <optional>
#include <vector>

namespace longtail::pipeline {

// A scan's points seen from above, thinned to one per quarter cell and bucketed by cell for
// constant-time nearest-neighbour queries, each with the direction of the line it lies on (if any).
// The vehicle moves on the road, so registration matches points by their (x, y) only.
class PointGrid2D {
 public:
  struct Match {
    Eigen::Vector2f point;   // m
    Eigen::Vector2f normal;  // unit normal of the local line; zero when the neighbourhood is a blob
  };
  // Points outside the square of half side `half_size_m` around the origin are left out.
  PointGrid2D(const std::vector<Eigen::Vector3f>& points, double cell_m, double half_size_m);
  // The nearest stored point (by x, y) within one cell side of `query`, if any.
  std::optional<Match> Nearest(const Eigen::Vector2f& query) const;
  std::size_t size() const { return points_.size(); }
  double cell_m() const { return cell_m_; }

 private:
  int CellOf(float x, float y) const;  // -1 outside the grid
  double cell_m_, half_size_m_;
  int side_ = 0;                          // cells per side
  std::vector<int> cell_begin_;           // CSR offsets into points_, side_*side_ + 1 entries
  std::vector<Eigen::Vector2f> points_;   // sorted by cell
  std::vector<Eigen::Vector2f> normals_;  // one per point
};

struct RegistrationOptions {
  int max_iterations = 30;
  double convergence_m = 1e-4;   // m (and rad) per iteration
  double robust_kernel_m = 0.3;  // m, Geman-McClure scale
  int max_source_points = 1500;  // the current scan is strided down to this many points
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
