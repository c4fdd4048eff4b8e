#include "sensors/kitti/kitti_label.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace longtail::sensors {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) fields.push_back(line.substr(i, j - i));
    i = j;
  }
  return fields;
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && std::isfinite(double(out));
}

// The heading's direction in the camera frame for rotation_y (rotation about camera +y of the +x
// axis).
Eigen::Vector3d HeadingInCamera(double rotation_y) {
  return {std::cos(rotation_y), 0.0, -std::sin(rotation_y)};
}

}  // namespace

Decoded<KittiLabel> ParseKittiLabel(std::string_view line, bool tracking) {
  const std::vector<std::string_view> fields = SplitFields(line);
  const std::size_t offset = tracking ? 2 : 0;
  if (fields.size() != offset + 15 && fields.size() != offset + 16) {
    return DecodeError{DecodeErrorKind::kMalformed, "expected " + std::to_string(offset + 15) +
                                                        " or " + std::to_string(offset + 16) +
                                                        " fields, found " +
                                                        std::to_string(fields.size())};
  }
  KittiLabel label;
  if (tracking &&
      (!ParseNumber(fields[0], label.frame) || !ParseNumber(fields[1], label.track_id))) {
    return DecodeError{DecodeErrorKind::kMalformed, "frame and track id must be integers"};
  }
  label.type = std::string(fields[offset]);
  double numbers[15] = {};
  for (std::size_t k = 1; k < fields.size() - offset; ++k) {
    if (!ParseNumber(fields[offset + k], numbers[k - 1])) {
      return DecodeError{DecodeErrorKind::kMalformed, "field " + std::to_string(offset + k + 1) +
                                                          " is not a number: '" +
                                                          std::string(fields[offset + k]) + "'"};
    }
  }
  label.truncated = numbers[0];
  label.occluded = static_cast<int>(numbers[1]);
  label.alpha = numbers[2];
  label.bbox = {numbers[3], numbers[4], numbers[5], numbers[6]};
  label.height = numbers[7];
  label.width = numbers[8];
  label.length = numbers[9];
  label.location = {numbers[10], numbers[11], numbers[12]};
  label.rotation_y = numbers[13];
  if (fields.size() == offset + 16) label.score = numbers[14];
  // DontCare regions carry -1 sizes by convention; any other box needs a real, bounded size.
  constexpr double kMaxSideM = 50;
  const bool sized = label.height > 0 && label.width > 0 && label.length > 0 &&
                     std::max({label.height, label.width, label.length}) <= kMaxSideM;
  if (label.type != "DontCare" && !sized) {
    return DecodeError{DecodeErrorKind::kMalformed,
                       "box size h w l = " + std::to_string(label.height) + " " +
                           std::to_string(label.width) + " " + std::to_string(label.length) +
                           " m is not within (0, 50] m"};
  }
  return label;
}

std::string FormatKittiLabel(const KittiLabel& label, bool tracking) {
  char buffer[512];
  int n = 0;
  if (tracking) n = std::snprintf(buffer, sizeof(buffer), "%d %d ", label.frame, label.track_id);
  n += std::snprintf(buffer + n, sizeof(buffer) - n,
                     "%s %.2f %d %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f",
                     label.type.c_str(), label.truncated, label.occluded, label.alpha,
                     label.bbox[0], label.bbox[1], label.bbox[2], label.bbox[3], label.height,
                     label.width, label.length, label.location.x(), label.location.y(),
                     label.location.z(), label.rotation_y);
  if (label.score) std::snprintf(buffer + n, sizeof(buffer) - n, " %.4f", *label.score);
  return buffer;
}

LabeledBox KittiLabelToBox(const KittiLabel& label, const Eigen::Isometry3d& camera_from_vehicle) {
  // A general inverse: calibrations are printed with 7 digits and are not exactly orthonormal.
  const Eigen::Isometry3d vehicle_from_camera(camera_from_vehicle.matrix().inverse());
  // KITTI's location is the bottom centre and camera y points down: the centre is h/2 "up" (-y).
  const Eigen::Vector3d center_camera = label.location - Eigen::Vector3d(0, label.height / 2, 0);
  const Eigen::Vector3d heading = vehicle_from_camera.linear() * HeadingInCamera(label.rotation_y);
  LabeledBox box;
  box.box.center = vehicle_from_camera * center_camera;
  box.box.length = label.length;
  box.box.width = label.width;
  box.box.height = label.height;
  box.box.yaw = WrapAngle(std::atan2(heading.y(), heading.x()));
  box.object_class = ParseObjectClass(label.type).value_or(ObjectClass::kUnknown);
  box.track_id = label.track_id;
  box.score = label.score.value_or(1.0);
  return box;
}

KittiLabel BoxToKittiLabel(const LabeledBox& box, const CameraModel& camera) {
  const Eigen::Isometry3d& camera_from_vehicle = camera.camera_from_vehicle;
  const Eigen::Vector3d heading_vehicle(std::cos(box.box.yaw), std::sin(box.box.yaw), 0);
  const Eigen::Vector3d heading = camera_from_vehicle.linear() * heading_vehicle;
  const Eigen::Vector3d center_camera = camera_from_vehicle * box.box.center;

  KittiLabel label;
  label.type =
      box.object_class == ObjectClass::kUnknown ? "Misc" : std::string(ToString(box.object_class));
  label.track_id = box.track_id;
  label.height = box.box.height;
  label.width = box.box.width;
  label.length = box.box.length;
  label.location = center_camera + Eigen::Vector3d(0, box.box.height / 2, 0);
  label.rotation_y = WrapAngle(std::atan2(-heading.z(), heading.x()));
  label.alpha = WrapAngle(label.rotation_y - std::atan2(label.location.x(), label.location.z()));
  if (box.score < 1.0) label.score = box.score;

  // 2D box: the projected corners that lie in front of the camera, clipped to the image. The share
  // of the unclipped projection that falls outside the image estimates truncation.
  double left = INFINITY, top = INFINITY, right = -INFINITY, bottom = -INFINITY;
  int in_front = 0;
  for (const Eigen::Vector3d& corner : Corners(box.box)) {
    const Eigen::Vector3d pixel = camera.projection * (camera_from_vehicle * corner).homogeneous();
    if (pixel.z() <= 0.1) continue;
    ++in_front;
    left = std::min(left, pixel.x() / pixel.z());
    right = std::max(right, pixel.x() / pixel.z());
    top = std::min(top, pixel.y() / pixel.z());
    bottom = std::max(bottom, pixel.y() / pixel.z());
  }
  if (in_front == 0 || camera.width <= 0 || camera.height <= 0) {
    label.truncated = 1.0;
    return label;
  }
  const double full_area = std::max(right - left, 0.0) * std::max(bottom - top, 0.0);
  left = std::clamp(left, 0.0, camera.width - 1.0);
  right = std::clamp(right, 0.0, camera.width - 1.0);
  top = std::clamp(top, 0.0, camera.height - 1.0);
  bottom = std::clamp(bottom, 0.0, camera.height - 1.0);
  const double visible_area = (right - left) * (bottom - top);
  label.bbox = {left, top, right, bottom};
  const double outside_image = full_area > 0 ? 1.0 - visible_area / full_area : 0.0;
  const double behind_camera = (8 - in_front) / 8.0;
  label.truncated = std::clamp(std::max(outside_image, behind_camera), 0.0, 1.0);
  return label;
}

}  // namespace longtail::sensors
