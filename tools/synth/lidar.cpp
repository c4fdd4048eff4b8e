#include "tools/synth/lidar.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace longtail::tools::synth {
namespace {

constexpr double kPi = std::numbers::pi;
// Azimuth blocks that share one snapshot of the world: 5 deg, 1.4 ms of rotation at 10 Hz.
constexpr int kBlocks = 72;

// Diffuse reflectivity as KITTI's reflectance channel reports it, [0,1]: set so that a street
// scan's mean matches KITTI's (about 0.28, see the realism test).
float Reflectivity(Material material) {
  switch (material) {
    case Material::kRoad:
      return 0.29f;
    case Material::kLaneMark:
      return 0.9f;
    case Material::kCurb:
      return 0.4f;
    case Material::kSidewalk:
      return 0.38f;
    case Material::kBuilding:
      return 0.5f;
    case Material::kWindow:
      return 0.13f;
    case Material::kBody:
      return 0.6f;
    case Material::kGlass:
      return 0.1f;
    case Material::kTyre:
      return 0.08f;
    case Material::kClothing:
      return 0.36f;
    case Material::kSkin:
      return 0.45f;
    case Material::kDebris:
      return 0.32f;
  }
  return 0.3f;
}

// Extra chance of losing the echo: glass lets the beam through or mirrors it away; black rubber
// absorbs it.
double ExtraDropout(Material material) {
  switch (material) {
    case Material::kWindow:
      return 0.5;
    case Material::kGlass:
      return 0.4;
    case Material::kTyre:
      return 0.2;
    default:
      return 0.0;
  }
}

double AngleBetween(double a, double b) { return std::abs(sensors::WrapAngle(a - b)); }

// Whether a ray from the sensor (vehicle frame, unit direction) meets the ego car's body first.
bool HitsEgoBody(const proto::LidarOptions& options, const Eigen::Vector3d& direction) {
  if (direction.z() >= 0 || options.ego_body_front_m() <= options.ego_body_rear_m()) return false;
  // Where the ray comes down to the body's top: inside its footprint means it hits the body.
  const double t = options.ego_body_top_m() / -direction.z();
  const double x = t * direction.x(), y = t * direction.y();
  return x <= options.ego_body_front_m() && x >= options.ego_body_rear_m() &&
         std::abs(y) <= options.ego_body_half_width_m();
}

struct Column {
  double azimuth;     // rad in the vehicle frame, counter-clockwise from +x
  int ring_position;  // position in each ring's output order
};

}  // namespace

const std::vector<double>& Hdl64ElevationsDeg() {
  static const std::vector<double> elevations = [] {
    std::vector<double> e;
    for (int i = 0; i < 32; ++i) e.push_back(2.5 - i / 3.0);
    for (int i = 0; i < 32; ++i) e.push_back(-8.4 - i * 0.495);
    return e;
  }();
  return elevations;
}

SimulatedScan SimulateLidarScan(const Scene& scene, std::int64_t index) {
  const proto::LidarOptions& options = scene.scenario().lidar();
  const std::vector<double>& elevations = Hdl64ElevationsDeg();
  const int beams = static_cast<int>(elevations.size());
  const int steps = std::max(1, options.azimuth_steps());
  const double period = scene.frame_period_s();
  const double frame_time = double(index) * period;
  const double half_fov = options.horizontal_fov_deg() * kPi / 360.0;

  // Columns in output order (counter-clockwise from ahead), grouped into blocks by azimuth so no
  // block straddles the +-pi seam where the scan starts and ends.
  std::vector<std::vector<Column>> blocks(kBlocks);
  int kept_columns = 0;
  for (int k = 0; k < steps; ++k) {
    const double azimuth = sensors::WrapAngle(2 * kPi * (k + 0.5) / steps);
    if (std::abs(azimuth) > half_fov + 1e-12) continue;
    const int block = std::min(kBlocks - 1, int((azimuth + kPi) / (2 * kPi) * kBlocks));
    blocks[block].push_back({azimuth, kept_columns++});
  }
  std::vector<Eigen::Vector3d> unit_elevation(beams);
  for (int b = 0; b < beams; ++b) {
    const double e = elevations[b] * kPi / 180.0;
    unit_elevation[b] = {std::cos(e), 0.0, std::sin(e)};
  }

  // Per (beam, column): the point, or intensity < 0 for no return.
  const std::size_t cells = std::size_t(beams) * kept_columns;
  std::vector<sensors::LidarPoint> grid(cells, sensors::LidarPoint{0, 0, 0, -1});
  std::vector<int> grid_ids(cells, 0);

  tbb::parallel_for(0, kBlocks, [&](int block) {
    if (blocks[block].empty()) return;
    // Each block draws from its own stream, so the result does not depend on thread scheduling.
    Random random(MixSeed(scene.seed(), std::uint64_t(index) * kBlocks + block + 1));
    const double block_mid = -kPi + (block + 0.5) * 2 * kPi / kBlocks;
    // Clockwise rotation: azimuth +pi (behind) at stamp - T/2, 0 (ahead) at the stamp.
    const double t =
        options.rolling_shutter() ? frame_time - block_mid / (2 * kPi) * period : frame_time;
    const Eigen::Isometry3d world_from_vehicle = scene.WorldFromVehicle(t);
    const Eigen::Vector3d origin = world_from_vehicle.translation();
    const double ego_yaw = scene.EgoAt(t).yaw;

    // Cull the solids this block cannot see: outside its azimuth wedge or beyond the range.
    const std::vector<Solid> solids = scene.SolidsAt(t);
    std::vector<const Solid*> visible;
    for (const Solid& solid : solids) {
      const Eigen::Vector2d offset = (solid.center - origin).head<2>();
      const double distance = offset.norm(), radius = solid.half_size.norm();
      if (distance - radius > options.max_range_m()) continue;
      if (distance > radius) {
        const double half_width = std::asin(radius / distance);
        const double azimuth = std::atan2(offset.y(), offset.x()) - ego_yaw;
        if (AngleBetween(azimuth, block_mid) > half_width + kPi / kBlocks + 1e-3) continue;
      }
      visible.push_back(&solid);
    }

    double dropout_fraction = 0, sector_center = 0, sector_half = kPi + 1;
    for (const FaultWindow& fault : scene.faults()) {
      if (fault.kind != proto::Fault::LIDAR_DROPOUT || !fault.ActiveAt(t)) continue;
      dropout_fraction = std::max(dropout_fraction, fault.settings.fraction());
      if (fault.settings.sector_deg() > 0) {
        sector_center = fault.settings.sector_center_deg() * kPi / 180.0;
        sector_half = fault.settings.sector_deg() * kPi / 360.0;
      }
    }

    for (const Column& column : blocks[block]) {
      const double c = std::cos(column.azimuth), s = std::sin(column.azimuth);
      const bool in_fault_sector = AngleBetween(column.azimuth, sector_center) <= sector_half;
      for (int b = 0; b < beams; ++b) {
        const Eigen::Vector3d direction(unit_elevation[b].x() * c, unit_elevation[b].x() * s,
                                        unit_elevation[b].z());
        const Eigen::Vector3d world_direction = world_from_vehicle.linear() * direction;
        // Draw all random numbers of a ray whether it returns or not, so one ray's outcome does
        // not shift the next ray's noise.
        const double u_drop = random.Uniform(), u_fault = random.Uniform();
        const double noise = std::clamp(random.Normal(), -3.0, 3.0) * options.range_noise_m();
        const double intensity_noise = random.Normal() * 0.02;
        if (HitsEgoBody(options, direction)) continue;
        const auto hit =
            CastRay(scene.road(), visible, origin, world_direction, options.max_range_m());
        if (!hit || hit->distance < options.min_range_m()) continue;
        if (u_drop < options.dropout() + ExtraDropout(hit->material)) continue;
        if (in_fault_sector && u_fault < dropout_fraction) continue;
        const double range = hit->distance + noise;
        const double incidence = std::abs(hit->normal.dot(world_direction));
        const double intensity =
            Reflectivity(hit->material) * (0.35 + 0.65 * incidence) + intensity_noise;
        const std::size_t cell = std::size_t(b) * kept_columns + column.ring_position;
        grid[cell] = {float(range * direction.x()), float(range * direction.y()),
                      float(range * direction.z()), float(std::clamp(intensity, 0.0, 1.0))};
        grid_ids[cell] = hit->track_id;
      }
    }
  });

  SimulatedScan result;
  result.scan.stamp = scene.FrameStamp(index);
  result.scan.points.reserve(cells);
  result.track_ids.reserve(cells);
  for (std::size_t cell = 0; cell < cells; ++cell) {
    if (grid[cell].intensity < 0) continue;
    result.scan.points.push_back(grid[cell]);
    result.track_ids.push_back(grid_ids[cell]);
  }
  return result;
}

}  // namespace longtail::tools::synth
