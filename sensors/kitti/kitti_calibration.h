// KITTI calibration files: raw drives (calib_*_to_*.txt one level above the drive) and the object
// and tracking benchmarks (one file per frame or sequence).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sensors/frame.h"

namespace longtail::sensors {

// "key: v v v" per line, split at the first colon only (calib_time holds colons). Keys written
// without a colon ("R_rect v v v", the tracking devkit's spelling) are accepted too. Lines whose
// values are not all numbers (calib_time) are kept out of the map. Throws LogError naming the file
// and line for a number that does not parse.
std::map<std::string, std::vector<double>> ParseKittiCalibrationFile(
    const std::filesystem::path& file);

// Default nominal image size of KITTI's rectified colour cameras, px.
inline constexpr int kKittiImageWidth = 1242;
inline constexpr int kKittiImageHeight = 375;

// The calibration of a raw drive's date folder: vehicle frame = Velodyne frame, one CameraModel per
// camera (image_00 .. image_03) whose rectified projection is P_rect_0i and whose
// camera_from_vehicle is R_rect_00 * [R|T]_velo_to_cam. Throws LogError when a file or key is
// missing or malformed.
Calibration ReadKittiRawCalibration(const std::filesystem::path& date_dir);

// Object/tracking benchmark calibration (P2, R0_rect or R_rect, Tr_velo_to_cam or Tr_velo_cam):
// one camera, "image_2", with the nominal image size unless told otherwise.
Calibration ReadKittiBenchmarkCalibration(const std::filesystem::path& file,
                                          int width = kKittiImageWidth,
                                          int height = kKittiImageHeight);

// Writes the three raw-drive calibration files into `date_dir` (write-then-rename). Inverse of
// ReadKittiRawCalibration for calibrations whose cameras share the image_00 rectification.
void WriteKittiRawCalibration(const Calibration& calibration,
                              const std::filesystem::path& date_dir);

}  // namespace longtail::sensors
