// KITTI benchmark layouts: the 3D object benchmark (training/{velodyne,image_2,calib,label_2}) and
// the tracking benchmark (training/{velodyne/NNNN,image_02/NNNN,calib/NNNN.txt,label_02/NNNN.txt}).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sensors/kitti/kitti_label.h"
#include "sensors/log_reader.h"

namespace longtail::sensors {

// A frame of a benchmark with its ground truth (raw lines: DontCare regions are kept for
// evaluation).
struct LabeledFrame {
  std::string sequence;  // "" for the object benchmark, "0000" for tracking
  std::string id;        // "000001"
  Frame frame;
  std::vector<KittiLabel> labels;
};

// A KITTI object or tracking `training/` folder (or its parent). Frames are read lazily.
class KittiBenchmark {
 public:
  // Throws LogError when `path` is neither layout.
  static KittiBenchmark Open(const std::filesystem::path& path, IssueLog& issues);
  bool is_tracking() const { return tracking_; }
  std::size_t size() const { return entries_.size(); }
  // Reads frame i; a missing or corrupt file is reported and leaves that part empty.
  LabeledFrame Load(std::size_t i) const;

 private:
  struct Entry {
    std::string sequence, id;
    std::int64_t index;  // frame number within the sequence
  };
  bool tracking_ = false;
  std::filesystem::path root_;  // the training/ folder
  std::vector<Entry> entries_;
  // Labels by sequence ("" for the object benchmark, keyed by id there), parsed once at Open so
  // that Load is const and may run concurrently.
  std::map<std::string, std::vector<KittiLabel>> labels_;
  IssueLog* issues_ = nullptr;  // the log given to Open; never null after it
};

// The object/tracking benchmark as a log (one "drive" per sequence; the object benchmark's frames
// are unrelated scenes, presented in id order).
LogFormat KittiObjectLogFormat();

}  // namespace longtail::sensors
