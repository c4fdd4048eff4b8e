// libFuzzer target: a Velodyne .bin scan in a valid KITTI raw drive, read as `mine` reads it and
// then perceived (NaN, infinite and far-out points must not reach an integer conversion).
#include <cstddef>
#include <cstdint>

#include "pipeline/options.h"
#include "pipeline/perception/perceive.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  static const pipeline::proto::PerceptionOptions options =
      pipeline::EffectiveOptions(pipeline::proto::RunOptions()).perception();
  const auto& drive = fuzz::TinyDrive();
  const fuzz::ReplacedFile scan(drive.drive_dir / "velodyne_points/data/0000000001.bin", data,
                                size);
  fuzz::ReadWholeLog(drive.drive_dir.string(),
                     [](const sensors::Frame& frame) { pipeline::Perceive(frame, options); });
  return 0;
}
