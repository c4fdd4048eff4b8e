// The log model: what every reader produces and every later stage consumes.
#pragma once

#include <Eigen/Geometry>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sensors/time.h"

namespace longtail::sensors {

// One lidar return, in the lidar's own frame (x forward, y left, z up). 16 bytes: the KITTI .bin
// and Foxglove PointCloud layout, so scans are read and written without conversion.
struct LidarPoint {
  float x = 0, y = 0, z = 0;  // m
  float intensity = 0;        // reflectance in [0,1] (KITTI) or the sensor's raw scale
};
static_assert(sizeof(LidarPoint) == 16);

struct LidarScan {
  Timestamp stamp;  // when the scan was taken (KITTI: the scan's nominal time)
  std::vector<LidarPoint> points;
};

// A camera image as its encoded bytes (PNG/JPEG); decoded only by the stages that need pixels.
struct CameraImage {
  std::string camera;  // the CameraModel::name it was taken with, e.g. "image_02"
  Timestamp stamp;
  std::string format;  // "png" or "jpeg"
  std::shared_ptr<const std::vector<std::uint8_t>>
      data;  // shared: frames are copied through stages
};

// A rectified pinhole camera. A vehicle-frame point X projects to pixel
// [u v 1]^T ~ projection * camera_from_vehicle * [X 1]^T.
struct CameraModel {
  std::string name;           // e.g. "image_02"
  int width = 0, height = 0;  // px, of the rectified image
  Eigen::Matrix<double, 3, 4> projection = Eigen::Matrix<double, 3, 4>::Zero();  // px, KITTI P_rect
  // Vehicle frame -> the rectified camera frame `projection` expects (x right, y down, z forward).
  Eigen::Isometry3d camera_from_vehicle = Eigen::Isometry3d::Identity();
};

// The pixel a vehicle-frame point projects to, or nullopt when it is less than 0.5 m in front of
// the camera (behind it, or too close to project sensibly). The pixel may lie outside the image.
inline std::optional<Eigen::Vector2d> ProjectToPixel(const CameraModel& camera,
                                                     const Eigen::Vector3d& point) {
  const Eigen::Vector3d in_camera = camera.camera_from_vehicle * point;
  if (in_camera.z() < 0.5) return std::nullopt;
  const Eigen::Vector3d pixel = camera.projection * in_camera.homogeneous();
  return Eigen::Vector2d(pixel.head<2>() / pixel.z());
}

inline bool InImage(const CameraModel& camera, const Eigen::Vector2d& pixel) {
  return pixel.x() >= 0 && pixel.y() >= 0 && pixel.x() < camera.width && pixel.y() < camera.height;
}

struct Calibration {
  // Lidar frame -> vehicle frame. KITTI logs use the Velodyne frame as the vehicle frame: identity.
  Eigen::Isometry3d vehicle_from_lidar = Eigen::Isometry3d::Identity();
  std::vector<CameraModel> cameras;
  // Height of the lidar above the road, m (KITTI HDL-64E: 1.73). Used as a prior by ground
  // segmentation.
  double lidar_height_m = 1.73;
};

// Where the vehicle is in a fixed world frame (x east, y north, z up for oxts; any fixed frame
// otherwise).
struct EgoPose {
  Timestamp stamp;
  Eigen::Isometry3d world_from_vehicle = Eigen::Isometry3d::Identity();
  std::optional<Eigen::Vector3d> velocity;  // m/s in the vehicle frame, when the log measures it
};

struct CameraFrame {
  CameraImage image;
  Duration skew{0};  // image.stamp - lidar.stamp
};

// One lidar scan with the nearest image of each camera and the ego pose at the scan's time.
struct Frame {
  std::int64_t index = 0;  // 0-based position in the log
  LidarScan lidar;
  std::vector<CameraFrame> cameras;
  std::optional<EgoPose> ego;  // absent when the log has no pose source (e.g. KITTI without oxts)
  std::shared_ptr<const Calibration> calibration;
};

}  // namespace longtail::sensors
