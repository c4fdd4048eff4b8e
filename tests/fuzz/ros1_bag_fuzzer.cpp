// libFuzzer target: a whole ROS 1 bag (v2.0; uncompressed, bz2 and lz4 chunks) file, opened through
// the format registry and read to the end as `mine` reads it.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  const auto file = fuzz::ScratchRoot() / "test.bag";
  fuzz::WriteBytes(file, data, size);
  fuzz::ReadWholeLog(file.string());
  return 0;
}
