#include "sensors/kitti/kitti_raw_writer.h"

#include <cstdio>
#include <stdexcept>

#include "sensors/atomic_file.h"
#include "sensors/kitti/kitti_calibration.h"
#include "sensors/kitti/oxts.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;

std::string DataName(std::int64_t index, const char* ext) {
  char name[32];
  std::snprintf(name, sizeof(name), "%010lld.%s", static_cast<long long>(index), ext);
  return name;
}

void WriteTimestamps(const fs::path& stream_dir, const std::vector<Timestamp>& stamps) {
  std::string text;
  for (Timestamp t : stamps) text += FormatKittiTimestamp(t) + "\n";
  WriteFileAtomically(stream_dir / "timestamps.txt", text);
}

}  // namespace

KittiRawWriter::KittiRawWriter(const fs::path& date_dir, const std::string& drive_name,
                               const Calibration& calibration)
    : date_dir_(date_dir), drive_dir_(date_dir / drive_name), calibration_(calibration) {
  camera_stamps_.resize(calibration_.cameras.size());
  fs::create_directories(drive_dir_ / "velodyne_points" / "data");
  // A lidar-only log has no camera calibration to write; the reader then reports it absent.
  if (!calibration_.cameras.empty()) WriteKittiRawCalibration(calibration_, date_dir_);
  // The IMU sits at the lidar in logs we write: an identity calib_imu_to_velo.
  WriteFileAtomically(date_dir_ / "calib_imu_to_velo.txt",
                      "calib_time: synthesised\nR: 1 0 0 0 1 0 0 0 1\nT: 0 0 0\n");
}

void KittiRawWriter::Write(const Frame& frame) {
  if (finished_) throw std::logic_error("KittiRawWriter::Write after Finish");
  if (frame.index != static_cast<std::int64_t>(lidar_stamps_.size())) {
    throw std::invalid_argument("KITTI raw frames must be numbered 0, 1, 2 ... in order; got " +
                                std::to_string(frame.index));
  }
  const auto& points = frame.lidar.points;
  WriteFileAtomically(drive_dir_ / "velodyne_points" / "data" / DataName(frame.index, "bin"),
                      std::as_bytes(std::span(points.data(), points.size())));
  lidar_stamps_.push_back(frame.lidar.stamp);

  for (const CameraFrame& camera : frame.cameras) {
    std::size_t slot = 0;
    while (slot < calibration_.cameras.size() &&
           calibration_.cameras[slot].name != camera.image.camera) {
      ++slot;
    }
    if (slot == calibration_.cameras.size()) {
      throw std::invalid_argument("image from camera '" + camera.image.camera +
                                  "' not in the calibration");
    }
    if (camera.image.format != "png") {
      throw std::invalid_argument("the KITTI raw layout stores PNG images; got " +
                                  camera.image.format);
    }
    // One image per frame and camera, numbered like the scan, as in KITTI's synced drives.
    const fs::path dir = drive_dir_ / camera.image.camera / "data";
    fs::create_directories(dir);
    const auto& bytes = *camera.image.data;
    WriteFileAtomically(dir / DataName(frame.index, "png"),
                        std::as_bytes(std::span(bytes.data(), bytes.size())));
    camera_stamps_[slot].push_back(camera.image.stamp);
  }

  if (frame.ego) {
    if (oxts_stamps_.size() != lidar_stamps_.size() - 1) {
      throw std::invalid_argument("ego pose must be given for every frame or none");
    }
    if (!mercator_scale_) mercator_scale_ = 1.0;  // synthetic worlds sit at the equator
    OxtsRecord record = OxtsFromWorldFromImu(frame.ego->world_from_vehicle, *mercator_scale_);
    if (frame.ego->velocity) {
      record.vf = frame.ego->velocity->x();
      record.vl = frame.ego->velocity->y();
      record.vu = frame.ego->velocity->z();
    }
    fs::create_directories(drive_dir_ / "oxts" / "data");
    WriteFileAtomically(drive_dir_ / "oxts" / "data" / DataName(frame.index, "txt"),
                        FormatOxts(record) + "\n");
    oxts_stamps_.push_back(frame.ego->stamp);
  }
}

void KittiRawWriter::Finish() {
  if (finished_) return;
  WriteTimestamps(drive_dir_ / "velodyne_points", lidar_stamps_);
  for (std::size_t i = 0; i < calibration_.cameras.size(); ++i) {
    if (!camera_stamps_[i].empty())
      WriteTimestamps(drive_dir_ / calibration_.cameras[i].name, camera_stamps_[i]);
  }
  if (!oxts_stamps_.empty()) WriteTimestamps(drive_dir_ / "oxts", oxts_stamps_);
  finished_ = true;
}

}  // namespace longtail::sensors
