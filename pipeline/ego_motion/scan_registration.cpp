#include "pipeline/ego_motion/scan_registration.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>

namespace longtail::pipeline {

PointGrid2D::PointGrid2D(const std::vector<Eigen::Vector3f>& points, double cell_m,
                         double half_size_m)
    : cell_m_(cell_m), half_size_m_(half_size_m) {
  side_ = std::max(1, static_cast<int>(std::ceil(2 * half_size_m / cell_m)));
  // Counting sort of the points by cell.
  std::vector<int> cell_of(points.size(), -1);
  std::vector<int> count(std::size_t(side_) * side_ + 1, 0);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const int ix = static_cast<int>(std::floor((points[i].x() + half_size_m_) / cell_m_));
    const int iy = static_cast<int>(std::floor((points[i].y() + half_size_m_) / cell_m_));
    if (ix < 0 || iy < 0 || ix >= side_ || iy >= side_) continue;
    cell_of[i] = iy * side_ + ix;
    ++count[cell_of[i] + 1];
  }
  cell_begin_.resize(count.size());
  cell_begin_[0] = 0;
  for (std::size_t c = 1; c < count.size(); ++c) cell_begin_[c] = cell_begin_[c - 1] + count[c];
  points_.resize(cell_begin_.back());
  std::vector<int> cursor(cell_begin_.begin(), cell_begin_.end() - 1);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (cell_of[i] >= 0) points_[cursor[cell_of[i]]++] = points[i].head<2>();
  }
}

std::optional<Eigen::Vector2f> PointGrid2D::Nearest(const Eigen::Vector2f& query) const {
  const int ix = static_cast<int>(std::floor((query.x() + half_size_m_) / cell_m_));
  const int iy = static_cast<int>(std::floor((query.y() + half_size_m_) / cell_m_));
  float best = static_cast<float>(cell_m_ * cell_m_);
  std::optional<Eigen::Vector2f> nearest;
  for (int y = std::max(0, iy - 1); y <= std::min(side_ - 1, iy + 1); ++y) {
    for (int x = std::max(0, ix - 1); x <= std::min(side_ - 1, ix + 1); ++x) {
      const int cell = y * side_ + x;
      for (int k = cell_begin_[cell]; k < cell_begin_[cell + 1]; ++k) {
        const float d = (points_[k] - query).squaredNorm();
        if (d < best) best = d, nearest = points_[k];
      }
    }
  }
  return nearest;
}

RegistrationResult RegisterScan(const std::vector<Eigen::Vector3f>& source,
                                const PointGrid2D& target, const Eigen::Isometry3d& initial,
                                const RegistrationOptions& options) {
  RegistrationResult result;
  Eigen::Isometry3d estimate = initial;
  // The kernel starts as wide as a grid cell, so the first iterations are pulled by every match
  // (a wrong initial guess is up to a cell away), and narrows to robust_kernel_m.
  double kernel = std::max(options.robust_kernel_m, target.cell_m());
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    // Gauss-Newton on (tx, ty, yaw) with Geman-McClure weights w = k^2 / (k^2 + r^2)^2, so moving
    // objects and wrong matches pull little.
    const double k2 = kernel * kernel;
    kernel = std::max(options.robust_kernel_m, kernel * 0.7);
    Eigen::Matrix3d hessian = Eigen::Matrix3d::Zero();
    Eigen::Vector3d gradient = Eigen::Vector3d::Zero();
    int correspondences = 0;
    double squared_sum = 0;
    const Eigen::Matrix2d rotation = estimate.linear().topLeftCorner<2, 2>();
    const Eigen::Vector2d translation = estimate.translation().head<2>();
    for (const Eigen::Vector3f& p : source) {
      const Eigen::Vector2d moved = rotation * p.head<2>().cast<double>() + translation;
      const std::optional<Eigen::Vector2f> match = target.Nearest(moved.cast<float>());
      if (!match) continue;
      const Eigen::Vector2d residual = moved - match->cast<double>();
      const double r2 = residual.squaredNorm();
      const double weight = k2 / ((k2 + r2) * (k2 + r2));
      Eigen::Matrix<double, 2, 3> jacobian;
      jacobian << 1, 0, -moved.y(), 0, 1, moved.x();
      hessian += weight * jacobian.transpose() * jacobian;
      gradient += weight * jacobian.transpose() * residual;
      ++correspondences;
      squared_sum += r2;
    }
    result.iterations = iteration + 1;
    result.correspondences = correspondences;
    result.rms_error_m = correspondences > 0 ? std::sqrt(squared_sum / correspondences) : 0;
    if (correspondences < 20) return result;
    const Eigen::Vector3d step = -hessian.ldlt().solve(gradient);
    if (!step.allFinite()) return result;
    Eigen::Isometry3d delta = Eigen::Isometry3d::Identity();
    delta.linear() = Eigen::AngleAxisd(step.z(), Eigen::Vector3d::UnitZ()).toRotationMatrix();
    delta.translation() << step.x(), step.y(), 0;
    estimate = delta * estimate;
    if (step.norm() < options.convergence_m && kernel <= options.robust_kernel_m) break;
  }
  result.valid = true;
  result.target_from_source = estimate;
  return result;
}

}  // namespace longtail::pipeline
