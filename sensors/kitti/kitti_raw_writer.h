// Writes frames in the KITTI raw drive layout, the inverse of the kitti-raw reader.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "sensors/frame.h"

namespace longtail::sensors {

// Writes DATE_DIR/DRIVE_NAME/{velodyne_points,image_0N,oxts}/ with data/ and timestamps.txt, and
// the calibration files into DATE_DIR. Every file is written to a temporary name and renamed into
// place; timestamps.txt files are rewritten on Finish(), so a killed writer leaves no
// timestamps.txt that lists frames that are not there. Camera images are written as their encoded
// bytes, unchanged.
class KittiRawWriter {
 public:
  KittiRawWriter(const std::filesystem::path& date_dir, const std::string& drive_name,
                 const Calibration& calibration);
  // Frames must come in time order with consecutive indices from 0.
  void Write(const Frame& frame);
  void Finish();
  const std::filesystem::path& drive_dir() const { return drive_dir_; }

 private:
  std::filesystem::path date_dir_, drive_dir_;
  Calibration calibration_;
  std::vector<Timestamp> lidar_stamps_;
  std::vector<std::vector<Timestamp>> camera_stamps_;  // per calibration camera
  std::vector<Timestamp> oxts_stamps_;
  std::optional<double> mercator_scale_;
  bool finished_ = false;
};

}  // namespace longtail::sensors
