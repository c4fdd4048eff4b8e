// The standard ROS 2 interface definitions of the messages longtail decodes, for rosbag2 .db3
// files, which store only type names. Field lists as the ROS 2 interfaces declare them (comments
// and constants left out: they are not on the wire).
#include <map>

#include "sensors/ros/msg_schema.h"
#include "sensors/ros/ros_log_reader.h"

namespace longtail::sensors::ros {
namespace {

const std::map<std::string, std::string>& Definitions() {
  static const std::map<std::string, std::string> kDefinitions = {
      {"builtin_interfaces/Time", "int32 sec\nuint32 nanosec\n"},
      {"std_msgs/Header", "builtin_interfaces/Time stamp\nstring frame_id\n"},
      {"sensor_msgs/PointField", "string name\nuint32 offset\nuint8 datatype\nuint32 count\n"},
      {"sensor_msgs/PointCloud2",
       "std_msgs/Header header\nuint32 height\nuint32 width\nPointField[] fields\n"
       "bool is_bigendian\nuint32 point_step\nuint32 row_step\nuint8[] data\nbool is_dense\n"},
      {"sensor_msgs/RegionOfInterest",
       "uint32 x_offset\nuint32 y_offset\nuint32 height\nuint32 width\nbool do_rectify\n"},
      {"sensor_msgs/CameraInfo",
       "std_msgs/Header header\nuint32 height\nuint32 width\nstring distortion_model\n"
       "float64[] d\nfloat64[9] k\nfloat64[9] r\nfloat64[12] p\nuint32 binning_x\n"
       "uint32 binning_y\nRegionOfInterest roi\n"},
      {"sensor_msgs/CompressedImage", "std_msgs/Header header\nstring format\nuint8[] data\n"},
      {"sensor_msgs/Image",
       "std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\n"
       "uint8 is_bigendian\nuint32 step\nuint8[] data\n"},
      {"geometry_msgs/Vector3", "float64 x\nfloat64 y\nfloat64 z\n"},
      {"geometry_msgs/Point", "float64 x\nfloat64 y\nfloat64 z\n"},
      {"geometry_msgs/Quaternion", "float64 x\nfloat64 y\nfloat64 z\nfloat64 w\n"},
      {"geometry_msgs/Transform", "Vector3 translation\nQuaternion rotation\n"},
      {"geometry_msgs/TransformStamped",
       "std_msgs/Header header\nstring child_frame_id\nTransform transform\n"},
      {"tf2_msgs/TFMessage", "geometry_msgs/TransformStamped[] transforms\n"},
      {"geometry_msgs/Pose", "Point position\nQuaternion orientation\n"},
      {"geometry_msgs/PoseWithCovariance", "Pose pose\nfloat64[36] covariance\n"},
      {"geometry_msgs/Twist", "Vector3 linear\nVector3 angular\n"},
      {"geometry_msgs/TwistWithCovariance", "Twist twist\nfloat64[36] covariance\n"},
      {"nav_msgs/Odometry",
       "std_msgs/Header header\nstring child_frame_id\n"
       "geometry_msgs/PoseWithCovariance pose\ngeometry_msgs/TwistWithCovariance twist\n"},
  };
  return kDefinitions;
}

}  // namespace

std::string BuiltinRos2Definition(const std::string& type) {
  const auto& definitions = Definitions();
  const std::string root = NormalizeTypeName(type);
  if (!definitions.count(root)) return "";
  // The root's text, then every type it needs, in the ros2msg layout; ParseMsgSchema resolves
  // bare names against each section's package.
  std::string text = definitions.at(root);
  for (const auto& [name, fields] : definitions) {
    if (name == root) continue;
    text +=
        "================================================================================\n"
        "MSG: " +
        name + "\n" + fields;
  }
  return text;
}

}  // namespace longtail::sensors::ros
