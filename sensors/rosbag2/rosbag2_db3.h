// rosbag2 SQLite bags (the .db3 storage of ROS 2 Foxy..Humble, still written by later ones) as a
// LogFormat: a bag folder (metadata.yaml + one or more .db3 files, read in name order) or a single
// .db3 file. Tables `topics` (id, name, type, serialization_format) and `messages` (topic_id,
// timestamp ns, data CDR); the `message_definitions` table of newer bags when present, else the
// standard definitions of the types longtail decodes (sensors/ros). Messages go through the
// shared ROS layer; a row SQLite cannot read is reported with the file and row id.
#pragma once

#include <string>

#include "sensors/log_reader.h"
#include "sensors/ros/ros_log_reader.h"

namespace longtail::sensors {

// Registry entry "rosbag2-db3": SQLite files with rosbag2's topics and messages tables.
LogFormat Rosbag2Db3LogFormat();
bool LooksLikeRosbag2Db3(const std::string& path);
std::unique_ptr<LogReader> OpenRosbag2Db3(const std::string& path, IssueLog& issues,
                                          const ros::RosLogOptions& options = {});

}  // namespace longtail::sensors
