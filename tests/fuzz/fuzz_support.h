// Shared by the fuzz targets: the readers under test read files, so each input becomes a file (or
// one file of an otherwise valid KITTI drive) in a scratch folder of this process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "sensors/frame.h"
#include "sensors/log_reader.h"

namespace longtail::fuzz {

// A folder of this process under TMPDIR, created on first use and removed at exit.
const std::filesystem::path& ScratchRoot();

void WriteBytes(const std::filesystem::path& file, const std::uint8_t* data, std::size_t size);

// Reads every frame of the log at `path` through the format registry, as `mine` does, handing each
// to `on_frame` (may be empty). A LogError (the log cannot be read at all) is a valid outcome;
// anything else escapes and fails the run.
void ReadWholeLog(const std::string& path,
                  const std::function<void(const sensors::Frame&)>& on_frame = {});

// The calibration of the tiny drive (one 8x4 px camera), for parsers that need a camera.
const sensors::Calibration& TinyCalibration();

// A valid three-frame KITTI raw drive (lidar, one camera, oxts), written once per process.
struct TinyKittiDrive {
  std::filesystem::path date_dir;   // holds calib_*.txt
  std::filesystem::path drive_dir;  // .../tiny_drive_sync
};
const TinyKittiDrive& TinyDrive();

// Puts `bytes` in place of the drive file `file` for the lifetime of this object, then restores the
// original, so every input starts from the same valid drive.
class ReplacedFile {
 public:
  ReplacedFile(std::filesystem::path file, const std::uint8_t* data, std::size_t size);
  ~ReplacedFile();
  ReplacedFile(const ReplacedFile&) = delete;
  ReplacedFile& operator=(const ReplacedFile&) = delete;

 private:
  std::filesystem::path file_;
  std::string original_;
};

}  // namespace longtail::fuzz
