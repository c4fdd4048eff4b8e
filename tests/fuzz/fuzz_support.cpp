#include "tests/fuzz/fuzz_support.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sensors/image.h"
#include "sensors/issues.h"
#include "sensors/kitti/kitti_raw_writer.h"
#include "sensors/time.h"

namespace longtail::fuzz {
namespace fs = std::filesystem;

namespace {
struct Scratch {
  fs::path root;
  Scratch() {
    root = fs::temp_directory_path() / ("longtail-fuzz-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
};

std::string ReadAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

const fs::path& ScratchRoot() {
  static const Scratch scratch;
  return scratch.root;
}

void WriteBytes(const fs::path& file, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

void ReadWholeLog(const std::string& path,
                  const std::function<void(const sensors::Frame&)>& on_frame) {
  sensors::IssueLog issues(8);
  try {
    auto reader = sensors::OpenLog(path, issues);
    while (auto frame = reader->Next()) {
      if (on_frame) on_frame(*frame);
    }
  } catch (const sensors::LogError&) {
  }
}

const sensors::Calibration& TinyCalibration() {
  static const sensors::Calibration calibration = [] {
    sensors::Calibration result;
    sensors::CameraModel camera;
    camera.name = "image_02";
    camera.width = 8;
    camera.height = 4;
    camera.projection << 4, 0, 4, 0, 0, 4, 2, 0, 0, 0, 1, 0;
    camera.camera_from_vehicle.linear() << 0, -1, 0, 0, 0, -1, 1, 0, 0;
    result.cameras.push_back(camera);
    return result;
  }();
  return calibration;
}

const TinyKittiDrive& TinyDrive() {
  static const TinyKittiDrive drive = [] {
    const fs::path date_dir = ScratchRoot() / "2011_09_26";
    sensors::KittiRawWriter writer(date_dir, "tiny_drive_sync", TinyCalibration());
    const sensors::DecodedImage pixels{8, 4, 3, std::vector<std::uint8_t>(8 * 4 * 3, 128)};
    for (int i = 0; i < 3; ++i) {
      sensors::Frame frame;
      frame.index = i;
      frame.lidar.stamp = sensors::FromNanos(1'000'000'000LL + i * 100'000'000LL);
      // Enough points on a ground plane and one box-shaped object for perception to do real work.
      for (int x = 0; x < 20; ++x) {
        for (int y = -5; y < 5; ++y)
          frame.lidar.points.push_back({x * 1.0f, y * 1.0f, -1.7f, 0.2f});
      }
      for (int z = 0; z < 8; ++z) {
        for (int y = 0; y < 8; ++y) {
          frame.lidar.points.push_back({10.0f + i, y * 0.25f, -1.5f + z * 0.2f, 0.5f});
        }
      }
      sensors::CameraImage image = sensors::EncodeImage(pixels, "png");
      image.camera = "image_02";
      image.stamp = frame.lidar.stamp;
      frame.cameras.push_back({image, std::chrono::milliseconds(0)});
      sensors::EgoPose pose;
      pose.stamp = frame.lidar.stamp;
      pose.world_from_vehicle.translation() = Eigen::Vector3d(2.0 * i, 1.0, 0.5);
      pose.velocity = Eigen::Vector3d(20, 0, 0);
      frame.ego = pose;
      writer.Write(frame);
    }
    writer.Finish();
    return TinyKittiDrive{date_dir, writer.drive_dir()};
  }();
  return drive;
}

ReplacedFile::ReplacedFile(fs::path file, const std::uint8_t* data, std::size_t size)
    : file_(std::move(file)), original_(ReadAll(file_)) {
  WriteBytes(file_, data, size);
}

ReplacedFile::~ReplacedFile() {
  WriteBytes(file_, reinterpret_cast<const std::uint8_t*>(original_.data()), original_.size());
}

}  // namespace longtail::fuzz
