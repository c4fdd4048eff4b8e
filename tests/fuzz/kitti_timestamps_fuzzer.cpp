// libFuzzer target: a timestamps.txt of a valid KITTI raw drive. The first byte picks which one
// (lidar, camera or oxts), the rest is the file.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  if (size == 0) return 0;
  static const char* const kStreams[] = {"velodyne_points", "image_02", "oxts"};
  const auto& drive = fuzz::TinyDrive();
  const fuzz::ReplacedFile stamps(drive.drive_dir / kStreams[data[0] % 3] / "timestamps.txt",
                                  data + 1, size - 1);
  fuzz::ReadWholeLog(drive.drive_dir.string());
  return 0;
}
