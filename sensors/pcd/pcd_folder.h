// A folder of .pcd point clouds (ascii, binary or binary_compressed, read with PCL's PCDReader) as
// a LogFormat: one frame per file in name order. Stamps come from the file names (Unix seconds,
// milli-, micro- or nanoseconds, or "YYYY-MM-DD-HH-MM-SS-mmm" in UTC); names without a time give
// 10 Hz from 0. An optional pose file gives the ego pose: "<folder>/poses.txt" or a sibling
// "<folder>-pose.txt" / "<folder>_poses.txt", one line per frame of a 3x4 row-major
// world_from_lidar, optionally led by the file's stem. The lidar frame is the vehicle frame.
#pragma once

#include <optional>
#include <string>

#include "sensors/log_reader.h"

namespace longtail::sensors {

// Registry entry "pcd-folder": a directory holding files that start with a PCD header.
LogFormat PcdFolderLogFormat();
bool LooksLikePcdFolder(const std::string& path);
std::unique_ptr<LogReader> OpenPcdFolder(const std::string& path, IssueLog& issues);

// The stamp a cloud's file name encodes ("1673400472138016708", "2021-10-26-16-21-29-468"),
// or nullopt.
std::optional<Timestamp> StampFromFileName(const std::string& stem);

}  // namespace longtail::sensors
