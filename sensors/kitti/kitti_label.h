// KITTI label_2 / label_02 lines and their conversion to and from our centre-based Box3D.
#pragma once

#include <Eigen/Geometry>
#include <optional>
#include <string>
#include <string_view>

#include "sensors/box3d.h"
#include "sensors/decode_result.h"
#include "sensors/frame.h"

namespace longtail::sensors {

// One line, fields as KITTI defines them (rectified camera-0 frame: x right, y down, z forward).
struct KittiLabel {
  int frame = -1;        // tracking lines only
  int track_id = -1;     // tracking lines only; -1 for DontCare
  std::string type;      // Car Van Truck Pedestrian Person_sitting Cyclist Tram Misc DontCare
  double truncated = 0;  // 0..1
  int occluded = 0;      // 0 visible, 1 partly, 2 largely, 3 unknown
  double alpha = 0;      // observation angle, rad
  Eigen::Vector4d bbox = Eigen::Vector4d::Zero();      // left top right bottom, px
  double height = 0, width = 0, length = 0;            // m
  Eigen::Vector3d location = Eigen::Vector3d::Zero();  // bottom centre, camera frame, m
  double rotation_y = 0;                               // rad about camera y
  std::optional<double> score;                         // results files only
};

// Parses a label_2 line (15 or 16 fields) or, with `tracking`, a label_02 line (17 or 18).
// A wrong field count, a non-number or an impossible box size is kMalformed.
Decoded<KittiLabel> ParseKittiLabel(std::string_view line, bool tracking);
std::string FormatKittiLabel(const KittiLabel& label, bool tracking);

// camera_from_vehicle: vehicle frame -> rectified camera-0 frame
// (CameraModel::camera_from_vehicle). Exact up to floating point: rotation_y is about the camera's
// y axis, which the calibration may tilt a little against the vehicle's z; the yaw keeps the
// heading's ground-plane direction.
LabeledBox KittiLabelToBox(const KittiLabel& label, const Eigen::Isometry3d& camera_from_vehicle);
// The inverse, with alpha and the 2D bbox (projected corners clipped to the image) filled in from
// `camera`, and truncation estimated as the fraction of the projected box outside the image.
KittiLabel BoxToKittiLabel(const LabeledBox& box, const CameraModel& camera);

}  // namespace longtail::sensors
