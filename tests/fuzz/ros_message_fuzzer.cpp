// libFuzzer target: ROS message definitions, the CDR and ROS 1 decoders, and the conversions of
// decoded messages into scans, images, calibration and poses.
// Input: one byte choosing the root type and wire encoding, then a .msg text up to a NUL byte
// (empty = the built-in ROS 2 definition of the root type), then the message bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sensors/ros/msg_decoder.h"
#include "sensors/ros/msg_schema.h"
#include "sensors/ros/ros_log_reader.h"
#include "sensors/ros/ros_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ros = longtail::sensors::ros;
  if (size == 0) return 0;
  static const char* const kRoots[] = {"sensor_msgs/PointCloud2", "sensor_msgs/CompressedImage",
                                       "sensor_msgs/Image",       "sensor_msgs/CameraInfo",
                                       "tf2_msgs/TFMessage",      "nav_msgs/Odometry"};
  const std::string root = kRoots[(data[0] >> 1) % 6];
  const ros::Encoding encoding = (data[0] & 1) ? ros::Encoding::kRos1 : ros::Encoding::kCdr;
  const std::uint8_t* end = data + size;
  const std::uint8_t* nul = std::find(data + 1, end, std::uint8_t{0});
  std::string definition(reinterpret_cast<const char*>(data + 1), nul - (data + 1));
  const ros::Dialect dialect =
      encoding == ros::Encoding::kRos1 ? ros::Dialect::kRos1 : ros::Dialect::kRos2;
  if (definition.empty()) definition = ros::BuiltinRos2Definition(root);
  const auto parsed = ros::ParseMsgSchema(root, definition, dialect);
  if (!parsed) return 0;
  const std::uint8_t* body = nul == end ? end : nul + 1;
  const ros::ByteView message(body, static_cast<std::size_t>(end - body));
  const auto decoded = ros::DecodeMessage(*parsed, message, encoding);
  if (!decoded) return 0;
  // Every conversion must cope with any decoded value, whatever its fields.
  ros::HeaderStamp(*decoded);
  static_cast<void>(ros::PointCloud2ToScan(*decoded));
  static_cast<void>(ros::TransformsOf(*decoded));
  static_cast<void>(ros::OdometryPose(*decoded));
  static_cast<void>(ros::CameraInfoOf(*decoded));
  static_cast<void>(ros::CompressedImageOf(*decoded, "camera"));
  static_cast<void>(ros::RawImageOf(*decoded, "camera"));
  return 0;
}
