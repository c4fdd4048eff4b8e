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

// Columns in output order (counter-clockwise from ahead), grouped into blocks by azimuth so no
// block straddles the +-pi seam where the scan starts and ends.
struct ScanColumns {
  std::vector<std::vector<Column>> blocks = std::vector<std::vector<Column>>(kBlocks);
  int count = 0;  // columns kept (inside the horizontal field of view)
};

ScanColumns ColumnsInView(int steps, double half_fov) {
  ScanColumns columns;
  for (int k = 0; k < steps; ++k) {
    const double azimuth = sensors::WrapAngle(2 * kPi * (k + 0.5) / steps);
    if (std::abs(azimuth) > half_fov + 1e-12) continue;
    const int block = std::min(kBlocks - 1, int((azimuth + kPi) / (2 * kPi) * kBlocks));
    columns.blocks[block].push_back({azimuth, columns.count++});
  }
  return columns;
}

// Each beam's direction at azimuth 0 (vehicle frame, unit length).
std::vector<Eigen::Vector3d> UnitElevations(const std::vector<double>& elevations_deg) {
  std::vector<Eigen::Vector3d> unit_elevation(elevations_deg.size());
  for (std::size_t b = 0; b < elevations_deg.size(); ++b) {
    const double e = elevations_deg[b] * kPi / 180.0;
    unit_elevation[b] = {std::cos(e), 0.0, std::sin(e)};
  }
  return unit_elevation;
}

// The solids a block can see: inside its azimuth wedge (around `block_mid`, vehicle frame) and
// within range of `origin`. Points into `solids`.
std::vector<const Solid*> VisibleSolids(const std::vector<Solid>& solids,
                                        const Eigen::Vector3d& origin, double ego_yaw,
                                        double block_mid, double max_range_m) {
  std::vector<const Solid*> visible;
  for (const Solid& solid : solids) {
    const Eigen::Vector2d offset = (solid.center - origin).head<2>();
    const double distance = offset.norm(), radius = solid.half_size.norm();
    if (distance - radius > max_range_m) continue;
    if (distance > radius) {
      const double half_width = std::asin(radius / distance);
      const double azimuth = std::atan2(offset.y(), offset.x()) - ego_yaw;
      if (AngleBetween(azimuth, block_mid) > half_width + kPi / kBlocks + 1e-3) continue;
    }
    visible.push_back(&solid);
  }
  return visible;
}

// The strongest lidar dropout fault active at `t`: the share of returns lost in its sector (rad,
// vehicle frame; the whole circle when the fault names no sector).
struct Dropout {
  double fraction = 0, sector_center = 0, sector_half = kPi + 1;
};

Dropout DropoutAt(const std::vector<FaultWindow>& faults, double t) {
  Dropout dropout;
  for (const FaultWindow& fault : faults) {
    if (fault.kind != proto::Fault::LIDAR_DROPOUT || !fault.ActiveAt(t)) continue;
    dropout.fraction = std::max(dropout.fraction, fault.settings.fraction());
    if (fault.settings.sector_deg() > 0) {
      dropout.sector_center = fault.settings.sector_center_deg() * kPi / 180.0;
      dropout.sector_half = fault.settings.sector_deg() * kPi / 360.0;
    }
  }
  return dropout;
}

// Per (beam, column): the point, or intensity < 0 for no return, and the track it hit. Blocks
// fill disjoint cells in parallel.
struct BeamGrid {
  BeamGrid(int beams, int column_count)
      : columns(column_count),
        points(std::size_t(beams) * column_count, sensors::LidarPoint{0, 0, 0, -1}),
        track_ids(std::size_t(beams) * column_count, 0) {}
  int columns;
  std::vector<sensors::LidarPoint> points;
  std::vector<int> track_ids;
};

// Casts every ray of one block's columns into the world as it is while the block is swept.
void TraceBlock(const Scene& scene, std::int64_t index, int block,
                const std::vector<Column>& columns,
                const std::vector<Eigen::Vector3d>& unit_elevation, BeamGrid* grid) {
  const proto::LidarOptions& options = scene.scenario().lidar();
  const double period = scene.frame_period_s();
  const double frame_time = double(index) * period;
  // Each block draws from its own stream, so the result does not depend on thread scheduling.
  Random random(MixSeed(scene.seed(), std::uint64_t(index) * kBlocks + block + 1));
  const double block_mid = -kPi + (block + 0.5) * 2 * kPi / kBlocks;
  // Clockwise rotation: azimuth +pi (behind) at stamp - T/2, 0 (ahead) at the stamp.
  const double t =
      options.rolling_shutter() ? frame_time - block_mid / (2 * kPi) * period : frame_time;
  const Eigen::Isometry3d world_from_vehicle = scene.WorldFromVehicle(t);
  const Eigen::Vector3d origin = world_from_vehicle.translation();
  const std::vector<Solid> solids = scene.SolidsAt(t);
  const std::vector<const Solid*> visible =
      VisibleSolids(solids, origin, scene.EgoAt(t).yaw, block_mid, options.max_range_m());
  const Dropout dropout = DropoutAt(scene.faults(), t);
  const int beams = static_cast<int>(unit_elevation.size());

  for (const Column& column : columns) {
    const double c = std::cos(column.azimuth), s = std::sin(column.azimuth);
    const bool in_fault_sector =
        AngleBetween(column.azimuth, dropout.sector_center) <= dropout.sector_half;
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
      if (in_fault_sector && u_fault < dropout.fraction) continue;
      const double range = hit->distance + noise;
      const double incidence = std::abs(hit->normal.dot(world_direction));
      const double intensity =
          Reflectivity(hit->material) * (0.35 + 0.65 * incidence) + intensity_noise;
      const std::size_t cell = std::size_t(b) * grid->columns + column.ring_position;
      grid->points[cell] = {float(range * direction.x()), float(range * direction.y()),
                            float(range * direction.z()), float(std::clamp(intensity, 0.0, 1.0))};
      grid->track_ids[cell] = hit->track_id;
    }
  }
}

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
  const std::vector<Eigen::Vector3d> unit_elevation = UnitElevations(Hdl64ElevationsDeg());
  const ScanColumns columns = ColumnsInView(std::max(1, options.azimuth_steps()),
                                            options.horizontal_fov_deg() * kPi / 360.0);
  BeamGrid grid(static_cast<int>(unit_elevation.size()), columns.count);
  tbb::parallel_for(0, kBlocks, [&](int block) {
    if (columns.blocks[block].empty()) return;
    TraceBlock(scene, index, block, columns.blocks[block], unit_elevation, &grid);
  });

  SimulatedScan result;
  result.scan.stamp = scene.FrameStamp(index);
  result.scan.points.reserve(grid.points.size());
  result.track_ids.reserve(grid.points.size());
  for (std::size_t cell = 0; cell < grid.points.size(); ++cell) {
    if (grid.points[cell].intensity < 0) continue;
    result.scan.points.push_back(grid.points[cell]);
    result.track_ids.push_back(grid.track_ids[cell]);
  }
  return result;
}

}  // namespace longtail::tools::synth
