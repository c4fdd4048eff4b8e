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

constexpr float kFloatInf = std::numeric_limits<float>::infinity();
// Points that describe a cluster's shape (strided); the point count itself uses them all.
constexpr std::size_t kMaxShapePoints = 128;

// Heights above the ground in 5 cm bins from -0.5 m to 4.5 m: quantiles without sorting or
// allocating (the per-scan budget of the whole class decision is half a millisecond).
struct HeightHistogram {
  static constexpr float kLow = -0.5f, kBin = 0.05f;
  static constexpr int kBins = 100;
  std::array<int, kBins> counts{};
  int total = 0;
  void Add(float height) {
    // Clamped before the conversion, which truncates: the same as floor for what is left.
    const float b = std::clamp((height - kLow) * (1 / kBin), 0.0f, kBins - 0.5f);
    ++counts[static_cast<int>(b)];
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

// What the lidar saw of one cluster, in two passes: extremes (lowest point, brightest return,
// lower-body extent) over every point, since a sample would miss them, and sums over evenly
// strided points (moments, height histogram, bands), which a sample estimates well. Positions are
// relative to the box centre (x, y) and heights above the local ground (z): small floats.
struct PointSums {
  // Over every point.
  double lowest = std::numeric_limits<double>::infinity();
  double reflect_max = 0;
  // Lower body (0.3-1 m up): extent along and across the box.
  float min_along = kFloatInf, max_along = -kFloatInf, min_across = kFloatInf,
        max_across = -kFloatInf;
  // Over the sample.
  HeightHistogram heights;
  double n = 0;
  double sx = 0, sy = 0, sz = 0;                                // sums of x, y, z
  double sxx = 0, sxy = 0, sxz = 0, syy = 0, syz = 0, szz = 0;  // and of their products
  double reflect_sum = 0, reflect_sq = 0;
  std::array<int, 4> bands{};  // 0.5 m height bands from the ground up
  // Above 1 m: count and sums of x, y and x^2 + y^2 (the spread of a tree crown or a head).
  int upper = 0;
  double upper_x = 0, upper_y = 0, upper_sq = 0;
  int near_edge = 0;  // within 0.15 m of the box outline
};

// Where a cluster's points lie in its box's frame: along and across the box, height above ground.
struct BoxFrame {
  float c = 1, s = 0, cx = 0, cy = 0, ground = 0;
  explicit BoxFrame(const ClusterView& cluster)
      : c(static_cast<float>(std::cos(cluster.tight_box.yaw))),
        s(static_cast<float>(std::sin(cluster.tight_box.yaw))),
        cx(static_cast<float>(cluster.tight_box.center.x())),
        cy(static_cast<float>(cluster.tight_box.center.y())),
        ground(static_cast<float>(cluster.ground_z)) {}
};

void AddExtremes(const ClusterView& cluster, const BoxFrame& frame, PointSums* out) {
  const std::vector<Eigen::Vector3f>& points = *cluster.points;
  const std::vector<float>& reflectance = *cluster.reflectance;
  float lowest = kFloatInf, reflect_max = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const float above = points[i].z() - frame.ground;
    lowest = std::min(lowest, above);
    reflect_max = std::max(reflect_max, reflectance[i]);
    if (above < 0.3f || above > 1.0f) continue;
    const float x = points[i].x() - frame.cx, y = points[i].y() - frame.cy;
    const float along = frame.c * x + frame.s * y, across = -frame.s * x + frame.c * y;
    out->min_along = std::min(out->min_along, along);
    out->max_along = std::max(out->max_along, along);
    out->min_across = std::min(out->min_across, across);
    out->max_across = std::max(out->max_across, across);
  }
  out->lowest = lowest, out->reflect_max = reflect_max;
}

PointSums SumPoints(const ClusterView& cluster, std::size_t stride) {
  const std::vector<Eigen::Vector3f>& points = *cluster.points;
  const std::vector<float>& reflectance = *cluster.reflectance;
  const BoxFrame frame(cluster);
  const auto half_length = static_cast<float>(cluster.tight_box.length / 2);
  const auto half_width = static_cast<float>(cluster.tight_box.width / 2);
  PointSums out;
  AddExtremes(cluster, frame, &out);
  for (std::size_t i = 0; i < points.size(); i += stride) {
    const float x = points[i].x() - frame.cx, y = points[i].y() - frame.cy;
    const float above = points[i].z() - frame.ground;
    out.n += 1;
    out.heights.Add(above);
    out.sx += x, out.sy += y, out.sz += above;
    out.sxx += double(x) * x, out.sxy += double(x) * y, out.sxz += double(x) * above;
    out.syy += double(y) * y, out.syz += double(y) * above, out.szz += double(above) * above;
    if (above >= 0 && above < 2) ++out.bands[static_cast<int>(above * 2)];
    const double r = reflectance[i];
    out.reflect_sum += r, out.reflect_sq += r * r;
    if (above > 1.0f) {
      ++out.upper;
      out.upper_x += x, out.upper_y += y, out.upper_sq += double(x) * x + double(y) * y;
    }
    // Surfaces (a car's sides, a wall) lie on the box outline; foliage and people fill it.
    const float along = frame.c * x + frame.s * y, across = -frame.s * x + frame.c * y;
    out.near_edge += std::min(half_length - std::abs(along), half_width - std::abs(across)) < 0.15f;
  }
  return out;
}

// Mean and covariance of the strided points (relative to the box centre and ground).
struct PointMoments {
  Eigen::Vector3d mean;
  Eigen::Matrix3d covariance;
};

PointMoments MomentsOf(const PointSums& sums) {
  const double n = sums.n;
  PointMoments moments;
  moments.mean = Eigen::Vector3d(sums.sx, sums.sy, sums.sz) / n;
  Eigen::Matrix3d covariance;
  covariance << sums.sxx, sums.sxy, sums.sxz, sums.sxy, sums.syy, sums.syz, sums.sxz, sums.syz,
      sums.szz;
  moments.covariance = covariance / n - moments.mean * moments.mean.transpose();
  return moments;
}

// Eigenvalues l1 >= l2 >= l3 of the covariance: poles are linear, walls and car sides planar,
// bushes scattered (Demantke et al. 2011); a wall's normal is horizontal, a roof's vertical.
struct EigenShape {
  double linearity = 0, planarity = 0, scattering = 0;
  double normal_z = 0;  // |z| of the smallest eigenvalue's eigenvector
};

EigenShape EigenShapeOf(const Eigen::Matrix3d& covariance) {
  // The closed-form 3x3 solver: an iterative one costs a microsecond a cluster.
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eigen;
  eigen.computeDirect(covariance);
  const Eigen::Vector3d l = eigen.eigenvalues().cwiseMax(0.0);  // ascending
  const double l1 = std::max(l[2], 1e-9);
  return {(l[2] - l[1]) / l1, (l[1] - l[0]) / l1, l[0] / l1, std::abs(eigen.eigenvectors()(2, 0))};
}

}  // namespace

ClusterFeatures ComputeClusterFeatures(const ClusterView& cluster) {
  const sensors::Box3D& box = cluster.tight_box;
  const std::size_t num_points = cluster.points->size();
  ClusterFeatures out;
  auto& f = out.values;

  // Range and density: a surface at range r receives about 1/r^2 of the points it would get at
  // 1 m, so n * r^2 tells a solid body from a sparse one whatever its distance.
  const double range = (box.center.head<2>() - cluster.sensor_xy).norm();
  f[0] = static_cast<float>(range);
  f[1] = static_cast<float>(std::log(double(num_points)));
  f[2] = static_cast<float>(std::log1p(double(num_points) * range * range / 100));

  // Extent of the tight box.
  const double length = std::max(box.length, 0.05), width = std::max(box.width, 0.05);
  f[3] = static_cast<float>(box.length);
  f[4] = static_cast<float>(box.width);
  f[5] = static_cast<float>(box.height);
  f[11] = static_cast<float>(length * width);
  f[12] = static_cast<float>(width / length);
  f[13] = static_cast<float>(box.height / length);

  // The shape statistics come from at most kMaxShapePoints evenly strided points: a car close by
  // has thousands, and its quantiles and moments are the same from a hundred of them.
  const std::size_t stride = (num_points + kMaxShapePoints - 1) / kMaxShapePoints;
  const PointSums sums = SumPoints(cluster, stride);
  const double n = sums.n;
  const PointMoments moments = MomentsOf(sums);
  const Eigen::Vector3d& mean = moments.mean;
  const Eigen::Matrix3d& covariance = moments.covariance;

  // Height profile above the local ground, spread, reflectance.
  f[6] = static_cast<float>(sums.lowest);
  f[7] = sums.heights.Quantile(0.25);
  f[8] = sums.heights.Quantile(0.5);
  f[9] = sums.heights.Quantile(0.75);
  f[10] = static_cast<float>(std::sqrt(std::max(0.0, covariance(2, 2))));
  const double reflect_mean = sums.reflect_sum / n;
  f[14] = static_cast<float>(reflect_mean);
  f[15] = static_cast<float>(
      std::sqrt(std::max(0.0, sums.reflect_sq / n - reflect_mean * reflect_mean)));
  f[16] = static_cast<float>(sums.reflect_max);

  // Linear, planar or scattered, and which way the surface faces.
  const EigenShape shape = EigenShapeOf(covariance);
  f[17] = static_cast<float>(shape.linearity);
  f[18] = static_cast<float>(shape.planarity);
  f[19] = static_cast<float>(shape.scattering);
  f[20] = static_cast<float>(shape.normal_z);

  // Lower body: the span of the points between knee and waist height along and across the box;
  // a vehicle's body fills its footprint down low, a tree crown or a hedge top only up high.
  f[21] = sums.max_along < sums.min_along
              ? 0.0f
              : static_cast<float>(std::max((sums.max_along - sums.min_along) / length,
                                            (sums.max_across - sums.min_across) / width));
  for (int b = 0; b < 4; ++b) f[22 + b] = static_cast<float>(sums.bands[b] / n);
  // Mean squared horizontal distance of the upper points from the cluster's mean.
  if (sums.upper > 0) {
    const double u = sums.upper;
    const double spread = sums.upper_sq / u -
                          2 * (mean.x() * sums.upper_x + mean.y() * sums.upper_y) / u +
                          mean.x() * mean.x() + mean.y() * mean.y();
    f[26] = static_cast<float>(std::sqrt(std::max(0.0, spread)));
  }
  f[27] = static_cast<float>(sums.near_edge / n);

  // The size rule's fit per group (KITTI class sizes): a prior the forest can refine.
  const SizeFit fit = SizeFitOf(box);
  f[28] = static_cast<float>(fit.vehicle);
  f[29] = static_cast<float>(fit.pedestrian);
  f[30] = static_cast<float>(fit.cyclist);
  return out;
}

}  // namespace longtail::pipeline
