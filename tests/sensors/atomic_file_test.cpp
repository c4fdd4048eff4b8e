// Write-then-rename: the file holds the whole new content or the old one, and failures name the
// path and leave no temporary file behind.
#include "sensors/atomic_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(AtomicFile, ReplacesTheWholeFileAndLeavesNoTemporary) {
  const fs::path dir = testing::ScratchDir();
  const fs::path file = dir / "out.txt";
  WriteFileAtomically(file, std::string(100000, 'a'));
  WriteFileAtomically(file, "short");
  EXPECT_EQ(ReadText(file), "short");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, WritesBinaryBytesUnchanged) {
  const fs::path file = testing::ScratchDir() / "bytes.bin";
  const std::byte bytes[] = {std::byte{0}, std::byte{0xff}, std::byte{'\n'}, std::byte{0}};
  WriteFileAtomically(file, bytes);
  EXPECT_EQ(ReadText(file), std::string("\0\xff\n\0", 4));
}

TEST(AtomicFile, AMissingFolderIsAnErrorNamingThePath) {
  const fs::path file = testing::ScratchDir() / "no-such-folder" / "out.txt";
  try {
    WriteFileAtomically(file, "x");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ": cannot create temporary file"),
              std::string::npos)
        << e.what();
  }
}

TEST(AtomicFile, AFailedRenameKeepsTheTargetAndRemovesTheTemporary) {
  const fs::path dir = testing::ScratchDir();
  const fs::path target = dir / "target";
  fs::create_directories(target / "inside");  // a non-empty folder cannot be renamed over
  EXPECT_THROW(WriteFileAtomically(target, "x"), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(target / "inside"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace longtail::sensors
