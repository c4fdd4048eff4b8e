#include "sensors/log_reader.h"

#include <filesystem>

#include "sensors/kitti/kitti_object_reader.h"
#include "sensors/kitti/kitti_raw_reader.h"
#include "sensors/mcap/mcap_log_reader.h"
#include "sensors/mcap/mcap_ros_log.h"
#include "sensors/pcd/pcd_folder.h"
#include "sensors/rosbag/ros1_bag.h"
#include "sensors/rosbag2/rosbag2_db3.h"

namespace longtail::sensors {

const std::vector<LogFormat>& LogFormats() {
  // Probe order: most specific first. One line per format.
  // clang-format off
  static const std::vector<LogFormat> formats = {
      KittiRawLogFormat(),
      KittiObjectLogFormat(),
      McapRos2LogFormat(),  // before "mcap": the Header's profile says ROS
      McapRos1LogFormat(),
      McapLogFormat(),
      Ros1BagLogFormat(),
      Rosbag2Db3LogFormat(),
      PcdFolderLogFormat(),
  };
  // clang-format on
  return formats;
}

std::unique_ptr<LogReader> OpenLog(const std::string& path, IssueLog& issues,
                                   const LogOpenOptions& options) {
  if (!std::filesystem::exists(path)) throw LogError(path, "no such file or directory");
  for (const LogFormat& format : LogFormats()) {
    if (!format.probe(path)) continue;
    if (format.open_with_options) return format.open_with_options(path, issues, options);
    return format.open(path, issues);
  }
  std::string known;
  for (const LogFormat& format : LogFormats()) known += (known.empty() ? "" : ", ") + format.name;
  throw LogError(path, "not a log in any known format (" + known + ")");
}

std::optional<Frame> ReadFrameAt(const std::string& path, std::int64_t index, IssueLog& issues) {
  const auto reader = OpenLog(path, issues);
  reader->Seek(index);
  while (auto frame = reader->Next()) {
    if (frame->index == index) return frame;
    if (frame->index > index) break;
  }
  return std::nullopt;
}

}  // namespace longtail::sensors
