#include "tools/synth/camera.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "sensors/image.h"

namespace longtail::tools::synth {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kFarPlane = 1000.0;  // m: rays meeting nothing closer see the sky

// Pixel rectangle a solid can cover: empty when it lies wholly behind the camera, the whole image
// when it reaches from behind to in front (its projection is unbounded).
struct PixelRect {
  int left, top, right, bottom;  // inclusive
};

PixelRect ProjectedRect(const Solid& solid, const Eigen::Matrix<double, 3, 4>& image_from_world,
                        int width, int height) {
  double left = INFINITY, top = INFINITY, right = -INFINITY, bottom = -INFINITY;
  int behind = 0;
  const double c = std::cos(solid.yaw), s = std::sin(solid.yaw);
  for (int corner = 0; corner < 8; ++corner) {
    const double lx = (corner & 1 ? 1 : -1) * solid.half_size.x();
    const double ly = (corner & 2 ? 1 : -1) * solid.half_size.y();
    const double lz = (corner & 4 ? 1 : -1) * solid.half_size.z();
    const Eigen::Vector4d world(solid.center.x() + c * lx - s * ly,
                                solid.center.y() + s * lx + c * ly, solid.center.z() + lz, 1.0);
    const Eigen::Vector3d pixel = image_from_world * world;
    if (pixel.z() <= 0.05) {
      ++behind;
      continue;
    }
    left = std::min(left, pixel.x() / pixel.z());
    right = std::max(right, pixel.x() / pixel.z());
    top = std::min(top, pixel.y() / pixel.z());
    bottom = std::max(bottom, pixel.y() / pixel.z());
  }
  if (behind == 8) return {0, 0, -1, -1};
  if (behind > 0) return {0, 0, width - 1, height - 1};
  return {int(std::floor(left)) - 1, int(std::floor(top)) - 1, int(std::ceil(right)) + 1,
          int(std::ceil(bottom)) + 1};
}

Eigen::Vector3f Sky(const Eigen::Vector3d& direction) {
  const float up = float(std::clamp(direction.z(), 0.0, 1.0));
  const Eigen::Vector3f horizon(0.78f, 0.82f, 0.86f), zenith(0.30f, 0.45f, 0.78f);
  return horizon + (zenith - horizon) * std::sqrt(up);
}

// sRGB-like transfer (a 1/2.2 gamma) through a table: std::pow per channel per pixel is slow.
std::uint8_t ToByte(float linear) {
  constexpr int kSteps = 4096;
  static const std::vector<std::uint8_t> table = [] {
    std::vector<std::uint8_t> t(kSteps + 1);
    for (int i = 0; i <= kSteps; ++i) {
      t[i] =
          static_cast<std::uint8_t>(std::lround(std::pow(double(i) / kSteps, 1.0 / 2.2) * 255.0));
    }
    return t;
  }();
  return table[std::lround(std::clamp(linear, 0.0f, 1.0f) * kSteps)];
}

}  // namespace

sensors::Calibration KittiDefaultCalibration(int width, int height) {
  // The numbers of ../shared/data/kitti-raw/2011_09_26/calib_*.txt: calibration constants.
  Eigen::Matrix3d r_velo_to_cam;
  r_velo_to_cam << 7.533745e-03, -9.999714e-01, -6.166020e-04, 1.480249e-02, 7.280733e-04,
      -9.998902e-01, 9.998621e-01, 7.523790e-03, 1.480755e-02;
  const Eigen::Vector3d t_velo_to_cam(-4.069766e-03, -7.631618e-02, -2.717806e-01);
  Eigen::Matrix3d r_rect_00;
  r_rect_00 << 9.999239e-01, 9.837760e-03, -7.445048e-03, -9.869795e-03, 9.999421e-01,
      -4.278459e-03, 7.402527e-03, 4.351614e-03, 9.999631e-01;
  Eigen::Matrix<double, 3, 4> p_rect_02;
  p_rect_02 << 7.215377e+02, 0.000000e+00, 6.095593e+02, 4.485728e+01, 0.000000e+00, 7.215377e+02,
      1.728540e+02, 2.163791e-01, 0.000000e+00, 0.000000e+00, 1.000000e+00, 2.745884e-03;
  Eigen::Isometry3d cam0_from_velo = Eigen::Isometry3d::Identity();
  cam0_from_velo.linear() = r_velo_to_cam;
  cam0_from_velo.translation() = t_velo_to_cam;
  Eigen::Isometry3d rect_from_cam0 = Eigen::Isometry3d::Identity();
  rect_from_cam0.linear() = r_rect_00;

  sensors::CameraModel camera;
  camera.name = "image_02";
  camera.width = width;
  camera.height = height;
  // A smaller image than KITTI's keeps the field of view: scale the intrinsics.
  const double sx = width / 1242.0, sy = height / 375.0;
  camera.projection = p_rect_02;
  camera.projection.row(0) *= sx;
  camera.projection.row(1) *= sy;
  camera.camera_from_vehicle = rect_from_cam0 * cam0_from_velo;
  sensors::Calibration calibration;
  calibration.cameras.push_back(camera);
  calibration.lidar_height_m = 1.73;
  return calibration;
}

namespace {

// Where the camera's pixels look from and along, in the world at one time.
struct CameraRays {
  Eigen::Vector3d origin;                        // the optical centre, world frame
  Eigen::Matrix3d world_rays;                    // pixel (u, v, 1) -> ray direction, world frame
  Eigen::Matrix<double, 3, 4> image_from_world;  // projection of world points
};

CameraRays RaysOf(const sensors::CameraModel& camera, const Eigen::Isometry3d& world_from_vehicle) {
  const Eigen::Isometry3d world_from_camera =
      world_from_vehicle * camera.camera_from_vehicle.inverse();
  // P = [M | p]: the centre is -M^-1 p in the rectified frame; pixel (u, v) looks along M^-1 (u, v,
  // 1).
  const Eigen::Matrix3d m = camera.projection.leftCols<3>();
  const Eigen::Matrix3d m_inverse = m.inverse();
  return {world_from_camera * (-m_inverse * camera.projection.col(3)),
          world_from_camera.linear() * m_inverse,
          camera.projection * (world_from_camera.inverse()).matrix()};
}

// The solids whose projection meets the image, each with the pixel rectangle it can cover.
struct OnScreen {
  std::vector<PixelRect> rects;
  std::vector<const Solid*> solids;  // point into the solids given
};

OnScreen OnScreenSolids(const std::vector<Solid>& solids,
                        const Eigen::Matrix<double, 3, 4>& image_from_world, int width,
                        int height) {
  OnScreen on_screen;
  for (const Solid& solid : solids) {
    const PixelRect rect = ProjectedRect(solid, image_from_world, width, height);
    if (rect.right < rect.left || rect.right < 0 || rect.bottom < 0 || rect.left >= width ||
        rect.top >= height) {
      continue;
    }
    on_screen.rects.push_back(rect);
    on_screen.solids.push_back(&solid);
  }
  return on_screen;
}

// Unit vector towards the sun, world frame.
Eigen::Vector3d SunDirection(const proto::CameraOptions& options) {
  const double sun_elevation = options.sun_elevation_deg() * kDegToRad;
  const double sun_azimuth = options.sun_azimuth_deg() * kDegToRad;
  return {std::cos(sun_elevation) * std::cos(sun_azimuth),
          std::cos(sun_elevation) * std::sin(sun_azimuth), std::sin(sun_elevation)};
}

// Exposure gain and blur (px, 0 for none) at `t`, with the camera faults active then.
struct Exposure {
  double gain = 1, blur = 0;
};

Exposure ExposureAt(const proto::CameraOptions& options, const std::vector<FaultWindow>& faults,
                    double t) {
  Exposure exposure{options.exposure(), 0.0};
  for (const FaultWindow& fault : faults) {
    if (!fault.ActiveAt(t)) continue;
    if (fault.kind == proto::Fault::CAMERA_EXPOSURE) exposure.gain *= fault.settings.gain();
    if (fault.kind == proto::Fault::CAMERA_BLUR) {
      exposure.blur = std::max(exposure.blur, fault.settings.blur_px());
    }
  }
  return exposure;
}

// Colour seen along `direction` (before exposure): the sky, or the surface hit lit by the sun and
// faded with distance.
Eigen::Vector3f Shade(const std::optional<Hit>& hit, const Eigen::Vector3d& direction,
                      const Eigen::Vector3d& sun) {
  if (!hit) return Sky(direction);
  const Eigen::Vector3d normal = hit->normal;
  const float lambert = float(std::max(0.0, normal.dot(sun)));
  Eigen::Vector3f colour = hit->colour * (0.38f + 0.62f * lambert);
  // Aerial perspective: far things fade towards the horizon's colour.
  const float haze = float(1.0 - std::exp(-hit->distance / 450.0));
  colour = colour * (1 - haze) + Sky(Eigen::Vector3d(direction.x(), direction.y(), 0)) * haze;
  return colour;
}

sensors::CameraImage Encode(const cv::Mat& bgr, const proto::CameraOptions& options) {
  sensors::DecodedImage decoded;
  decoded.width = bgr.cols;
  decoded.height = bgr.rows;
  decoded.channels = 3;
  decoded.pixels.assign(bgr.data, bgr.data + std::size_t(bgr.cols) * bgr.rows * 3);
  return sensors::EncodeImage(decoded, options.format(), options.jpeg_quality());
}

}  // namespace

RenderedImage RenderCamera(const Scene& scene, const sensors::CameraModel& camera, double t,
                           sensors::Timestamp stamp, bool with_track_ids) {
  const proto::CameraOptions& options = scene.scenario().camera();
  const int width = camera.width, height = camera.height;
  const CameraRays rays = RaysOf(camera, scene.WorldFromVehicle(t));
  const std::vector<Solid> solids = scene.SolidsAt(t);
  const OnScreen on_screen = OnScreenSolids(solids, rays.image_from_world, width, height);
  const Eigen::Vector3d sun = SunDirection(options);
  const Exposure exposure = ExposureAt(options, scene.faults(), t);

  cv::Mat bgr(height, width, CV_8UC3);
  RenderedImage result;
  if (with_track_ids) result.track_ids.assign(std::size_t(width) * height, 0);
  tbb::parallel_for(0, height, [&](int v) {
    std::vector<std::size_t> row;  // candidates whose rectangle covers this row
    for (std::size_t i = 0; i < on_screen.solids.size(); ++i) {
      if (on_screen.rects[i].top <= v && on_screen.rects[i].bottom >= v) row.push_back(i);
    }
    std::vector<const Solid*> here;
    // Per-row noise stream keyed by the scene time: the same image whatever the thread schedule,
    // and a frozen camera repeats its noise too.
    Random random(MixSeed(scene.seed(), 0x5EED0000ULL + std::uint64_t(v) * 7919 +
                                            std::uint64_t(std::llround(t * 1e6))));
    for (int u = 0; u < width; ++u) {
      here.clear();
      for (const std::size_t i : row) {
        if (on_screen.rects[i].left <= u && on_screen.rects[i].right >= u) {
          here.push_back(on_screen.solids[i]);
        }
      }
      const Eigen::Vector3d direction = (rays.world_rays * Eigen::Vector3d(u, v, 1)).normalized();
      const auto hit = CastRay(scene.road(), here, rays.origin, direction, kFarPlane);
      if (hit && with_track_ids) result.track_ids[std::size_t(v) * width + u] = hit->track_id;
      const Eigen::Vector3f colour = Shade(hit, direction, sun) * float(exposure.gain);
      std::uint8_t* pixel = bgr.ptr<std::uint8_t>(v) + 3 * u;
      const double noise = options.noise();
      for (int channel = 0; channel < 3; ++channel) {
        double value = ToByte(colour[2 - channel]);
        if (noise > 0) value += noise * random.Normal();
        pixel[channel] = static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
      }
    }
  });
  if (exposure.blur > 0) cv::GaussianBlur(bgr, bgr, cv::Size(0, 0), exposure.blur);

  result.image = Encode(bgr, options);
  result.image.camera = camera.name;
  result.image.stamp = stamp;
  return result;
}

}  // namespace longtail::tools::synth
