// The ROS messages longtail understands, from decoded values (msg_decoder.h) into the log model.
// Field names cover both ROS generations (ROS 1 CameraInfo `K`, ROS 2 `k`; `nsec` / `nanosec`).
#pragma once

#include <Eigen/Geometry>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sensors/frame.h"
#include "sensors/ros/msg_decoder.h"

namespace longtail::sensors::ros {

// What a message type is to longtail, by its normalized name ("sensor_msgs/PointCloud2").
enum class MessageRole {
  kLidar,
  kCompressedImage,
  kRawImage,
  kCameraInfo,
  kTransforms,
  kOdometry,
  kOther
};
MessageRole RoleOf(const std::string& type_name);
const char* RoleName(MessageRole role);  // "lidar", "camera", "camera_info", "tf", "odometry"

// header.stamp (either generation's Time) as a Timestamp; nullopt when the message has none.
std::optional<Timestamp> HeaderStamp(const RosValue& message);

// A sensor_msgs/PointCloud2 as a lidar scan. Honours fields, offsets, datatypes, point_step,
// row_step, height (organised clouds) and is_bigendian; intensity is optional and may have any
// numeric type. Points with a non-finite coordinate, or exactly at the origin (how Ouster and
// others mark "no return" in organised clouds), are invalid: dropped and counted.
struct CloudConversion {
  LidarScan scan;
  std::string frame_id;
  std::uint64_t points_in_message = 0;  // width * height
  std::uint64_t invalid_points = 0;     // dropped
};
Decoded<CloudConversion> PointCloud2ToScan(const RosValue& message);

// The packed layout PointCloud2 and PCL's PCLPointCloud2 share (PCD files read into it too):
// datatypes are sensor_msgs/PointField's (INT8 = 1 … FLOAT64 = 8).
struct PackedField {
  std::string name;
  std::uint64_t offset = 0;  // bytes from the start of a point
  int datatype = 0;
};
struct PackedCloud {
  std::vector<PackedField> fields;
  std::uint64_t width = 0, height = 0;         // points per row, rows
  std::uint64_t point_step = 0, row_step = 0;  // bytes
  bool big_endian = false;
  ByteView data;
};
// The conversion behind PointCloud2ToScan (stamp and frame_id left empty).
Decoded<CloudConversion> UnpackCloud(const PackedCloud& cloud);

// geometry_msgs/TransformStamped entries of a tf2_msgs/TFMessage.
struct StampedTransform {
  std::string parent, child;
  Timestamp stamp;
  Eigen::Isometry3d parent_from_child = Eigen::Isometry3d::Identity();
};
Decoded<std::vector<StampedTransform>> TransformsOf(const RosValue& message);

// nav_msgs/Odometry: the pose of child_frame_id in header.frame_id.
Decoded<StampedTransform> OdometryPose(const RosValue& message);

// sensor_msgs/CameraInfo: size and P (3x4). The camera's frame id comes back in `frame_id`.
struct CameraInfo {
  std::string frame_id;
  int width = 0, height = 0;  // px
  Eigen::Matrix<double, 3, 4> projection = Eigen::Matrix<double, 3, 4>::Zero();
};
Decoded<CameraInfo> CameraInfoOf(const RosValue& message);

// sensor_msgs/CompressedImage (jpeg/png bytes as they are) and sensor_msgs/Image (mono8, rgb8,
// bgr8, rgba8, bgra8, mono16 encoded to PNG, since CameraImage holds encoded bytes).
Decoded<CameraImage> CompressedImageOf(const RosValue& message, const std::string& camera);
Decoded<CameraImage> RawImageOf(const RosValue& message, const std::string& camera);

}  // namespace longtail::sensors::ros
