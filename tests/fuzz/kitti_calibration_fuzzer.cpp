// libFuzzer target: KITTI calibration files. The first byte picks one of the raw drive's three
// files (read when the drive opens); the rest is the file, which is also read as an object or
// tracking benchmark calibration.
#include <cstddef>
#include <cstdint>

#include "sensors/kitti/kitti_calibration.h"
#include "sensors/log_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  if (size == 0) return 0;
  static const char* const kFiles[] = {"calib_cam_to_cam.txt", "calib_velo_to_cam.txt",
                                       "calib_imu_to_velo.txt"};
  const auto& drive = fuzz::TinyDrive();
  const fuzz::ReplacedFile calibration(drive.date_dir / kFiles[data[0] % 3], data + 1, size - 1);
  fuzz::ReadWholeLog(drive.drive_dir.string());
  try {
    sensors::ReadKittiBenchmarkCalibration(drive.date_dir / kFiles[data[0] % 3]);
  } catch (const sensors::LogError&) {
  }
  return 0;
}
