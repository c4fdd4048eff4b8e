// libFuzzer target: a .pcd file (ascii, binary or binary_compressed) in a PCD folder, opened
// through the format registry and read as `mine` reads it; and its first bytes as a file name.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "sensors/pcd/pcd_folder.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  static const std::filesystem::path folder = [] {
    const auto path = fuzz::ScratchRoot() / "pcd";
    std::filesystem::create_directories(path);
    return path;
  }();
  // The stamp a file name encodes: the first bytes as a name.
  sensors::StampFromFileName(
      std::string(reinterpret_cast<const char*>(data), std::min<std::size_t>(size, 32)));
  fuzz::WriteBytes(folder / "1673400472138016708.pcd", data, size);
  fuzz::ReadWholeLog(folder.string());
  return 0;
}
