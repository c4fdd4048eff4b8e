// libFuzzer target: one oxts record file of a valid KITTI raw drive (ParseOxts and the pose
// interpolation behind it).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sensors/kitti/oxts.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  if (auto record = sensors::ParseOxts(std::string(reinterpret_cast<const char*>(data), size))) {
    sensors::FormatOxts(*record);  // whatever parses must also format
  }
  const auto& drive = fuzz::TinyDrive();
  const fuzz::ReplacedFile record(drive.drive_dir / "oxts/data/0000000001.txt", data, size);
  fuzz::ReadWholeLog(drive.drive_dir.string());
  return 0;
}
