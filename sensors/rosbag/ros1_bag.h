// ROS 1 bags, format version 2.0 (http://wiki.ros.org/Bags/Format/2.0), as a LogFormat: records
// of <header_len u32><header fields name=value><data_len u32><data>, chunks uncompressed, bz2 or
// lz4 (the LZ4 frame format roslz4 writes), with or without the index records after each chunk.
// Messages go through the shared ROS layer (sensors/ros). Damage is reported with the file offset
// and skipped: a chunk that fails to decompress is dropped whole, a cut-off file ends the log.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "sensors/log_reader.h"
#include "sensors/ros/ros_log_reader.h"

namespace longtail::sensors {

// "#ROSBAG V2.0\n"
inline constexpr char kRos1BagMagic[] = "#ROSBAG V2.0\n";

// Registry entry "ros1-bag": probes the magic line.
LogFormat Ros1BagLogFormat();
bool LooksLikeRos1Bag(const std::string& path);
std::unique_ptr<LogReader> OpenRos1BagLog(const std::string& path, IssueLog& issues,
                                          const ros::RosLogOptions& options = {});

// A record header's fields: each <len u32><name>=<value>. nullopt when a length runs past the end
// or a field has no '='.
std::optional<std::map<std::string, std::string>> ParseBagHeader(
    std::span<const std::uint8_t> bytes);

}  // namespace longtail::sensors
