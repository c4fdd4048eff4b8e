// MCAP files with the ROS profiles (https://mcap.dev/spec/registry): "ros2" (CDR messages,
// ros2msg schemas) and "ros1" (ROS 1 serialization, ros1msg schemas), as LogFormats. The records
// come from the MCAP reader (indexed when the file has a summary, else one linear pass); the
// messages go through the shared ROS layer (sensors/ros).
#pragma once

#include <string>

#include "sensors/log_reader.h"
#include "sensors/ros/ros_log_reader.h"

namespace longtail::sensors {

// Registry entries "mcap-ros2" and "mcap-ros1": MCAP magic and the Header's profile.
LogFormat McapRos2LogFormat();
LogFormat McapRos1LogFormat();

// The Header's profile of an MCAP file ("" when none or not an MCAP file).
std::string McapProfile(const std::string& path);

std::unique_ptr<LogReader> OpenMcapRosLog(const std::string& path, IssueLog& issues,
                                          const ros::RosLogOptions& options = {});

}  // namespace longtail::sensors
