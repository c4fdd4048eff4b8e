// libFuzzer target: a whole MCAP log (Foxglove and ROS 1/ROS 2 profiles) file, opened through the
// format registry and read to the end as `mine` reads it.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  const auto file = fuzz::ScratchRoot() / "log.mcap";
  fuzz::WriteBytes(file, data, size);
  fuzz::ReadWholeLog(file.string());
  return 0;
}
