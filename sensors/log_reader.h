// Opening a drive log of any supported format, chosen by content through a registry.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sensors/frame.h"
#include "sensors/issues.h"

namespace longtail::sensors {

// A log that cannot be read at all (missing, unknown format, unusable calibration).
class LogError : public std::runtime_error {
 public:
  LogError(const std::string& path, const std::string& reason)
      : std::runtime_error(path + ": " + reason), path_(path) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct StreamInfo {
  std::string name;         // "velodyne_points", "image_02", "oxts", or an MCAP topic
  std::string kind;         // "lidar", "camera", "pose"
  std::int64_t count = 0;   // messages or files
  Timestamp first, last;    // stamps of the first and last message
  Duration largest_gap{0};  // the longest interval between consecutive stamps
};

struct LogInfo {
  std::string path;
  std::string format;  // registry name: "kitti-raw", "kitti-object", "mcap"
  std::string log_id;  // stable across machines: the drive's folder name or the file's name
  std::vector<StreamInfo> streams;
  bool has_calibration = false;
  bool has_ego_pose = false;
  std::vector<std::string>
      notes;  // facts a user should know, e.g. "oxts/ absent: ego motion unknown"
};

class LogReader {
 public:
  virtual ~LogReader() = default;
  virtual const LogInfo& info() const = 0;
  // The next frame in time order, or nullopt at the end. Bad records are reported to the IssueLog
  // given at open time and skipped; only a log that cannot go on at all throws LogError.
  virtual std::optional<Frame> Next() = 0;
  // Positions the reader so that Next() returns the frame whose Frame::index is `index` (or the
  // first after it). Returns false when the format cannot seek; callers then scan with Next().
  virtual bool Seek(std::int64_t /*index*/) { return false; }
};

// Choices a user can make when a log holds several candidates (ROS logs); other formats ignore it.
struct LogOpenOptions {
  std::string lidar_topic;                 // "" = the log's only point cloud topic
  std::vector<std::string> camera_topics;  // empty = image topics with camera calibration
};

struct LogFormat {
  std::string name;
  // True when `path` looks like this format (by content or layout, never by extension alone).
  std::function<bool(const std::string& path)> probe;
  std::function<std::unique_ptr<LogReader>(const std::string& path, IssueLog& issues)> open;
  // Formats that honour LogOpenOptions open through this when it is set.
  std::function<std::unique_ptr<LogReader>(const std::string& path, IssueLog& issues,
                                           const LogOpenOptions& options)>
      open_with_options = nullptr;
};

// The formats OpenLog tries, in probe order. Adding a format is one line in log_reader.cpp.
const std::vector<LogFormat>& LogFormats();
// Opens `path` with the first format whose probe accepts it; throws LogError if none does.
std::unique_ptr<LogReader> OpenLog(const std::string& path, IssueLog& issues,
                                   const LogOpenOptions& options = {});

// Random access for reviewers: the frame with Frame::index == `index`, or nullopt when the log has
// none. Seeks where the format can, else scans from the start.
std::optional<Frame> ReadFrameAt(const std::string& path, std::int64_t index, IssueLog& issues);

}  // namespace longtail::sensors
