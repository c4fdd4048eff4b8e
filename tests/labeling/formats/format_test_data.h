// Shared literal inputs of the format tests: a KITTI camera and boxes that stress the conventions.
#pragma once

#include <Eigen/Geometry>
#include <numbers>
#include <vector>

#include "labeling/formats/label_set.h"
#include "sensors/frame.h"

namespace longtail::labeling::testdata {

// KITTI 2011_09_26's image_02 (calib_0001.txt): P2, and R0_rect * Tr_velo_to_cam as
// camera_from_vehicle (the Velodyne frame is KITTI's vehicle frame).
inline sensors::CameraModel KittiCamera() {
  sensors::CameraModel camera;
  camera.name = "image_2";
  camera.width = 1242;
  camera.height = 375;
  camera.projection << 721.5377, 0, 609.5593, 44.85728, 0, 721.5377, 172.854, 0.2163791, 0, 0, 1,
      0.002745884;
  Eigen::Matrix3d r0_rect;
  r0_rect << 0.9999239, 0.00983776, -0.007445048, -0.009869795, 0.9999421, -0.004278459,
      0.007402527, 0.004351614, 0.9999631;
  Eigen::Matrix4d velo_to_cam = Eigen::Matrix4d::Identity();
  velo_to_cam.topRows<3>() << 0.007533745, -0.9999714, -0.000616602, -0.004069766, 0.01480249,
      0.0007280733, -0.9998902, -0.07631618, 0.9998621, 0.00752379, 0.01480755, -0.2717806;
  Eigen::Matrix4d rect = Eigen::Matrix4d::Identity();
  rect.topLeftCorner<3, 3>() = r0_rect;
  camera.camera_from_vehicle.matrix() = rect * velo_to_cam;
  return camera;
}

inline sensors::Calibration KittiCalibration() {
  sensors::Calibration calibration;
  calibration.cameras.push_back(KittiCamera());
  return calibration;
}

inline ObjectLabel Object(Eigen::Vector3d center, double yaw, sensors::ObjectClass c, int track,
                          double score = 1.0) {
  ObjectLabel object;
  object.labeled.box.center = center;
  object.labeled.box.length = 4.2;
  object.labeled.box.width = 1.8;
  object.labeled.box.height = 1.5;
  object.labeled.box.yaw = yaw;
  object.labeled.object_class = c;
  object.labeled.track_id = track;
  object.labeled.score = score;
  return object;
}

// Boxes every conversion must survive: yaw just inside +pi and -pi, a box behind the camera, one
// partly outside the image (close, to the left), an ordinary one ahead.
inline std::vector<ObjectLabel> HardObjects() {
  constexpr double pi = std::numbers::pi;
  return {Object({15.3, -2.1, -0.9}, pi - 1e-3, sensors::ObjectClass::kCar, 0),
          Object({22.0, 3.4, -0.8}, -pi + 1e-3, sensors::ObjectClass::kVan, 1, 0.75),
          Object({-12.5, 1.0, -0.9}, 0.4, sensors::ObjectClass::kCar, 2),
          Object({6.0, 5.0, -0.7}, 1.2, sensors::ObjectClass::kCyclist, 3, 0.5),
          Object({30.25, 0.5, -0.85}, 0.0, sensors::ObjectClass::kPedestrian, 4)};
}

}  // namespace longtail::labeling::testdata
