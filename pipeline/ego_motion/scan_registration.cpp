#include "pipeline/ego_motion/scan_registration.h"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>

namespace longtail::pipeline {

int PointGrid2D::CellOf(float x, float y) const {
  const int ix = static_cast<int>(std::floor((x + half_size_m_) / cell_m_));
  const int iy = static_cast<int>(std::floor((y + half_size_m_) / cell_m_));
  if (ix < 0 || iy < 0 || ix >= side_ || iy >= side_) return -1;
  return iy * side_ + ix;
}

PointGrid2D::PointGrid2D(const std::vector<Eigen::Vector3f>& points, double cell_m,
                         double half_size_m)
    : cell_m_(cell_m), half_size_m_(half_size_m) {
  side_ = std::max(1, static_cast<int>(std::ceil(2 * half_size_m / cell_m)));
  // 1. Thin to one point per quarter cell: a wall's points stack up from above.
  const int fine_side = side_ * 4;
  std::vector<char> taken(std::size_t(fine_side) * fine_side, false);
  std::vector<Eigen::Vector2f> thinned;
  std::vector<int> cell_of;
  for (const Eigen::Vector3f& p : points) {
    const int fx = static_cast<int>(std::floor((p.x() + half_size_m_) / cell_m_ * 4));
    const int fy = static_cast<int>(std::floor((p.y() + half_size_m_) / cell_m_ * 4));
    if (fx < 0 || fy < 0 || fx >= fine_side || fy >= fine_side) continue;
    const std::size_t fine = std::size_t(fy) * fine_side + fx;
    if (taken[fine]) continue;
    taken[fine] = true;
    thinned.push_back(p.head<2>());
    cell_of.push_back((fy / 4) * side_ + fx / 4);
  }
  // 2. Counting sort by cell.
  cell_begin_.assign(std::size_t(side_) * side_ + 1, 0);
  for (int c : cell_of) ++cell_begin_[c + 1];
  for (std::size_t c = 1; c < cell_begin_.size(); ++c) cell_begin_[c] += cell_begin_[c - 1];
  points_.resize(thinned.size());
  std::vector<int> cursor(cell_begin_.begin(), cell_begin_.end() - 1);
  for (std::size_t i = 0; i < thinned.size(); ++i) points_[cursor[cell_of[i]]++] = thinned[i];
  // 3. Local line direction from the covariance of the neighbours within one cell side: the
  // normal is its minor axis when the neighbourhood is clearly elongated.
  normals_.assign(points_.size(), Eigen::Vector2f::Zero());
  const float radius2 = static_cast<float>(cell_m_ * cell_m_);
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const Eigen::Vector2f& p = points_[i];
    const int ix = static_cast<int>(std::floor((p.x() + half_size_m_) / cell_m_));
    const int iy = static_cast<int>(std::floor((p.y() + half_size_m_) / cell_m_));
    Eigen::Vector2f sum = Eigen::Vector2f::Zero();
    Eigen::Matrix2f outer = Eigen::Matrix2f::Zero();
    int n = 0;
    // Cells of one grid row are consecutive in points_: one run of points per row.
    const int x0 = std::max(0, ix - 1), x1 = std::min(side_ - 1, ix + 1);
    for (int y = std::max(0, iy - 1); y <= std::min(side_ - 1, iy + 1); ++y) {
      const int end = cell_begin_[y * side_ + x1 + 1];
      for (int k = cell_begin_[y * side_ + x0]; k < end; ++k) {
        if ((points_[k] - p).squaredNorm() > radius2) continue;
        sum += points_[k];
        outer += points_[k] * points_[k].transpose();
        ++n;
      }
    }
    if (n < 4) continue;
    const Eigen::Vector2f mean = sum / n;
    const Eigen::Matrix2f covariance = outer / n - mean * mean.transpose();
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2f> solver(covariance);
    const Eigen::Vector2f values = solver.eigenvalues();  // ascending
    if (values[0] < 0.05f * values[1]) normals_[i] = solver.eigenvectors().col(0).normalized();
  }
}

std::optional<PointGrid2D::Match> PointGrid2D::Nearest(const Eigen::Vector2f& query) const {
  const int ix = static_cast<int>(std::floor((query.x() + half_size_m_) / cell_m_));
  const int iy = static_cast<int>(std::floor((query.y() + half_size_m_) / cell_m_));
  float best = static_cast<float>(cell_m_ * cell_m_);
  int nearest = -1;
  // Cells of one grid row are consecutive in points_: one run of points per row, in the same order
  // as cell by cell.
  const int x0 = std::max(0, ix - 1), x1 = std::min(side_ - 1, ix + 1);
  if (x0 > x1) return std::nullopt;  // the query is more than a cell outside the grid
  for (int y = std::max(0, iy - 1); y <= std::min(side_ - 1, iy + 1); ++y) {
    const int end = cell_begin_[y * side_ + x1 + 1];
    for (int k = cell_begin_[y * side_ + x0]; k < end; ++k) {
      const float d = (points_[k] - query).squaredNorm();
      if (d < best) best = d, nearest = k;
    }
  }
  if (nearest < 0) return std::nullopt;
  return Match{points_[nearest], normals_[nearest]};
}

RegistrationResult RegisterScan(const std::vector<Eigen::Vector3f>& source,
                                const PointGrid2D& target, const Eigen::Isometry3d& initial,
                                const RegistrationOptions& options) {
  RegistrationResult result;
  Eigen::Isometry3d estimate = initial;
  const std::size_t stride =
      std::max<std::size_t>(1, source.size() / std::max(1, options.max_source_points));
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
    for (std::size_t i = 0; i < source.size(); i += stride) {
      const Eigen::Vector2d moved = rotation * source[i].head<2>().cast<double>() + translation;
      const std::optional<PointGrid2D::Match> match = target.Nearest(moved.cast<float>());
      if (!match) continue;
      Eigen::Matrix<double, 2, 3> jacobian;
      jacobian << 1, 0, -moved.y(), 0, 1, moved.x();
      const Eigen::Vector2d offset = moved - match->point.cast<double>();
      double r2 = 0;
      if (match->normal.isZero()) {
        r2 = offset.squaredNorm();
        const double weight = k2 / ((k2 + r2) * (k2 + r2));
        hessian += weight * jacobian.transpose() * jacobian;
        gradient += weight * jacobian.transpose() * offset;
      } else {
        const Eigen::Vector2d normal = match->normal.cast<double>();
        const double residual = normal.dot(offset);
        r2 = residual * residual;
        const double weight = k2 / ((k2 + r2) * (k2 + r2));
        const Eigen::RowVector3d row = normal.transpose() * jacobian;
        hessian += weight * row.transpose() * row;
        gradient += weight * row.transpose() * residual;
      }
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
