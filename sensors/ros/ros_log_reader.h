// One LogReader for every ROS container (MCAP ros1/ros2 profiles, ROS 1 bags, rosbag2 .db3): the
// container lists its connections and streams its messages; this turns them into Frames.
//   lidar   the one sensor_msgs/PointCloud2 topic (or RosLogOptions::lidar_topic)
//   cameras every CompressedImage/Image topic with a CameraInfo beside it (or camera_topics)
//   mounting /tf_static (and the first /tf) resolved through the tree: vehicle_from_lidar and
//           camera_from_vehicle, the vehicle frame being base_link (or the lidar's own frame)
//   ego     /tf map|odom|world -> vehicle frame, else nav_msgs/Odometry
// What is missing is noted in LogInfo and the run degrades (lidar only, no ego pose).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sensors/log_reader.h"
#include "sensors/ros/msg_decoder.h"

namespace longtail::sensors::ros {

struct RosConnection {
  std::string topic;
  std::string type;  // as the container spells it: "sensor_msgs/msg/PointCloud2" or ROS 1's
  Encoding encoding = Encoding::kCdr;
  std::string definition;  // the .msg text with dependencies; "" when the container has none
};

struct RosMessage {
  std::size_t connection = 0;  // index into RosLogContents::connections
  std::int64_t log_time_ns = 0;
  std::vector<std::uint8_t> data;
  std::uint64_t offset = 0;  // where the message (or its chunk) is in the file, for reports
};

class RosMessageSource {
 public:
  virtual ~RosMessageSource() = default;
  // The next message in (roughly) log_time order; nullopt at the end. Damage is reported by the
  // source to the IssueLog it was made with.
  virtual std::optional<RosMessage> Next() = 0;
};

// What a container knows after its cheap first look.
struct RosLogContents {
  LogInfo info;  // path, format, log_id and the container's own notes
  std::vector<RosConnection> connections;
  std::vector<std::vector<std::int64_t>> log_times;  // per connection, ns (for counts and rates)
  // Messages of the given connections (empty = all); callable more than once. A source may
  // return others too: the reader filters. Damage goes to `issues` (a repeat pass that must not
  // report twice passes a log it drops; a container whose first look already reported may
  // ignore it).
  std::function<std::unique_ptr<RosMessageSource>(const std::set<std::size_t>& connections,
                                                  IssueLog& issues)>
      open_messages;
};

struct RosLogOptions {
  std::string lidar_topic;                 // "" = the only PointCloud2 topic
  std::vector<std::string> camera_topics;  // empty = image topics with a CameraInfo
  double max_camera_skew_ms = 50.0;        // largest |image - lidar| stamp paired into a frame
};

// Builds the reader; reads the static transforms and camera infos once to fill in the LogInfo.
// The command line's choices (LogOpenOptions) as RosLogOptions.
RosLogOptions RosOptionsFrom(const LogOpenOptions& options);

std::unique_ptr<LogReader> MakeRosLogReader(RosLogContents contents, IssueLog& issues,
                                            const RosLogOptions& options = {});

// The standard definitions (ROS 2 dialect) of the message types longtail decodes, for
// containers that store no schema (rosbag2 .db3); "" for any other type.
std::string BuiltinRos2Definition(const std::string& type);

}  // namespace longtail::sensors::ros
