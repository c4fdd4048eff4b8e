#include "pipeline/perception/cluster_features.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "pipeline/perception/classify.h"

namespace longtail::pipeline {

const std::array<std::string_view, kNumClusterFeatures> kFeatureNames = {
    "range_m",     "log_points",      "log_range_density", "length_m",         "width_m",
    "height_m",    "bottom_m",        "z_p25_m",           "z_p50_m",          "z_p75_m",
    "z_std_m",     "area_m2",         "width_to_length",   "height_to_length", "reflect_mean",
    "reflect_std", "reflect_max",     "linearity",         "planarity",        "scattering",
    "normal_z",    "lower_body_span", "band_0_05",         "band_05_10",       "band_10_15",
    "band_15_20",  "upper_radius_m",  "edge_fraction",     "fit_vehicle",      "fit_pedestrian",
    "fit_cyclist"};

namespace {

// Heights above the ground in 5 cm bins from -0.5 m to 4.5 m: quantiles without sorting or
// allocating (the per-scan budget of the whole class decision is half a millisecond).
struct HeightHistogram {
  static constexpr float kLow = -0.5f, kBin = 0.05f;
  static constexpr int kBins = 100;
  std::array<int, kBins> counts{};
  int total = 0;
  void Add(double height) {
    const int b = static_cast<int>(std::floor((height - kLow) / kBin));
    ++counts[std::clamp(b, 0, kBins - 1)];
    ++total;
  }
  // The centre of the bin holding the q-quantile, m.
  float Quantile(double q) const {
    const double needed = q * total;
    int seen = 0;
    for (int b = 0; b < kBins; ++b) {
      seen += counts[b];
      if (seen >= needed && seen > 0) return kLow + (b + 0.5f) * kBin;
    }
    return kLow + kBins * kBin;
  }
};

}  // namespace

ClusterFeatures ComputeClusterFeatures(const ClusterView& cluster) {
  const std::vector<Eigen::Vector3f>& points = *cluster.points;
  const std::vector<float>& reflectance = *cluster.reflectance;
  const sensors::Box3D& box = cluster.tight_box;
  const auto n = static_cast<double>(points.size());
  ClusterFeatures out;
  auto& f = out.values;

  // Range and density: a surface at range r receives about 1/r^2 of the points it would get at
  // 1 m, so n * r^2 tells a solid body from a sparse one whatever its distance.
  const double range = (box.center.head<2>() - cluster.sensor_xy).norm();
  f[0] = static_cast<float>(range);
  f[1] = static_cast<float>(std::log(n));
  f[2] = static_cast<float>(std::log1p(n * range * range / 100));

  // Extent of the tight box.
  const double length = std::max(box.length, 0.05), width = std::max(box.width, 0.05);
  f[3] = static_cast<float>(box.length);
  f[4] = static_cast<float>(box.width);
  f[5] = static_cast<float>(box.height);
  f[11] = static_cast<float>(length * width);
  f[12] = static_cast<float>(width / length);
  f[13] = static_cast<float>(box.height / length);

  // Height profile above the local ground, moments, spread and the shape of the point cloud.
  HeightHistogram heights;
  double lowest = std::numeric_limits<double>::infinity();
  Eigen::Vector3d mean = Eigen::Vector3d::Zero();
  double reflect_sum = 0, reflect_sq = 0, reflect_max = 0;
  std::array<int, 4> bands{};
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double above = points[i].z() - cluster.ground_z;
    heights.Add(above);
    lowest = std::min(lowest, above);
    mean += points[i].cast<double>();
    const int band = static_cast<int>(std::floor(above / 0.5));
    if (band >= 0 && band < 4) ++bands[band];
    reflect_sum += reflectance[i];
    reflect_sq += double(reflectance[i]) * reflectance[i];
    reflect_max = std::max(reflect_max, double(reflectance[i]));
  }
  mean /= n;
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
  for (const Eigen::Vector3f& p : points) {
    const Eigen::Vector3d d = p.cast<double>() - mean;
    covariance += d * d.transpose();
  }
  covariance /= n;
  f[6] = static_cast<float>(lowest);
  f[7] = heights.Quantile(0.25);
  f[8] = heights.Quantile(0.5);
  f[9] = heights.Quantile(0.75);
  f[10] = static_cast<float>(std::sqrt(covariance(2, 2)));
  const double reflect_mean = reflect_sum / n;
  f[14] = static_cast<float>(reflect_mean);
  f[15] =
      static_cast<float>(std::sqrt(std::max(0.0, reflect_sq / n - reflect_mean * reflect_mean)));
  f[16] = static_cast<float>(reflect_max);

  // Eigenvalues l1 >= l2 >= l3 of the covariance: poles are linear, walls and car sides planar,
  // bushes scattered (Demantke et al. 2011); a wall's normal is horizontal, a roof's vertical.
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eigen(covariance);
  const Eigen::Vector3d l = eigen.eigenvalues();  // ascending
  const double l1 = std::max(l[2], 1e-9);
  f[17] = static_cast<float>((l[2] - l[1]) / l1);
  f[18] = static_cast<float>((l[1] - l[0]) / l1);
  f[19] = static_cast<float>(l[0] / l1);
  f[20] = static_cast<float>(std::abs(eigen.eigenvectors()(2, 0)));

  // Lower body: the span of the points between knee and waist height along and across the box;
  // a vehicle's body fills its footprint down low, a tree crown or a hedge top only up high.
  const double c = std::cos(box.yaw), s = std::sin(box.yaw);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double min_along = kInf, max_along = -kInf, min_across = kInf, max_across = -kInf;
  double upper_sq = 0;
  int upper = 0, near_edge = 0;
  for (const Eigen::Vector3f& p : points) {
    const double above = p.z() - cluster.ground_z;
    const double dx = p.x() - box.center.x(), dy = p.y() - box.center.y();
    const double along = c * dx + s * dy, across = -s * dx + c * dy;
    if (above >= 0.3 && above <= 1.0) {
      min_along = std::min(min_along, along), max_along = std::max(max_along, along);
      min_across = std::min(min_across, across), max_across = std::max(max_across, across);
    }
    if (above > 1.0) {
      upper_sq += (p.x() - mean.x()) * (p.x() - mean.x()) + (p.y() - mean.y()) * (p.y() - mean.y());
      ++upper;
    }
    // Surfaces (a car's sides, a wall) lie on the box outline; foliage and people fill it.
    const double to_edge =
        std::min(box.length / 2 - std::abs(along), box.width / 2 - std::abs(across));
    near_edge += to_edge < 0.15;
  }
  f[21] = max_along < min_along ? 0.0f
                                : static_cast<float>(std::max((max_along - min_along) / length,
                                                              (max_across - min_across) / width));
  for (int b = 0; b < 4; ++b) f[22 + b] = static_cast<float>(bands[b] / n);
  f[26] = upper > 0 ? static_cast<float>(std::sqrt(upper_sq / upper)) : 0.0f;
  f[27] = static_cast<float>(near_edge / n);

  // The size rule's fit per group (KITTI class sizes): a prior the forest can refine.
  const SizeFit fit = SizeFitOf(box);
  f[28] = static_cast<float>(fit.vehicle);
  f[29] = static_cast<float>(fit.pedestrian);
  f[30] = static_cast<float>(fit.cyclist);
  return out;
}

}  // namespace longtail::pipeline
