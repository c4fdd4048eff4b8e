// --lidar-topic / --camera-topic: the choices a ROS log may need (several point cloud or image
// topics), shared by the commands that open logs.
#pragma once

#include <CLI/CLI.hpp>

#include "sensors/log_reader.h"

namespace longtail::tools {

inline void AddTopicOptions(CLI::App* command, sensors::LogOpenOptions* open) {
  command->add_option("--lidar-topic", open->lidar_topic,
                      "ROS logs: the sensor_msgs/PointCloud2 topic to use (needed when there are "
                      "several)");
  command->add_option("--camera-topic", open->camera_topics,
                      "ROS logs: an image topic to use as a camera (repeatable; default: image "
                      "topics with a CameraInfo)");
}

}  // namespace longtail::tools
