#include "sensors/kitti/kitti_raw_reader.h"

#include <algorithm>
#include <fstream>

#include "sensors/image.h"
#include "sensors/kitti/kitti_calibration.h"
#include "sensors/kitti/kitti_files.h"
#include "sensors/kitti/oxts.h"
#include "sensors/sync.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;

// Lidar and camera clocks in KITTI differ by a few ms; beyond half a frame an image belongs to
// another scan.
constexpr Duration kMaxCameraSkew = std::chrono::milliseconds(50);
constexpr Duration kMaxPoseSkew = std::chrono::milliseconds(60);

struct StampedFile {
  std::int64_t number;
  fs::path path;
  Timestamp stamp;
};

// The numbered files of `stream_dir`/data paired with the lines of `stream_dir`/timestamps.txt.
// Files without a valid stamp are reported and left out.
std::vector<StampedFile> StampedFiles(const fs::path& stream_dir, const std::string& ext,
                                      IssueLog& issues) {
  const auto stamps = kitti::ReadTimestamps(stream_dir / "timestamps.txt", issues);
  std::vector<StampedFile> files;
  std::vector<bool> has_file(stamps.size(), false);
  for (auto& [number, path] : kitti::NumberedFiles(stream_dir / "data", ext)) {
    if (number < 0 || number >= static_cast<std::int64_t>(stamps.size())) {
      issues.Report({path.string(), 0, 0, "no line for this file in timestamps.txt"});
      continue;
    }
    if (!stamps[number]) continue;  // its bad stamp line was reported: one skip, one report
    has_file[number] = true;
    files.push_back({number, path, *stamps[number]});
  }
  // A stamped frame without its file is a skipped frame, counted like an unreadable one.
  for (std::size_t number = 0; number < stamps.size(); ++number) {
    if (stamps[number] && !has_file[number]) {
      issues.Report({(stream_dir / "data").string(), 0, 0,
                     "frame " + std::to_string(number) + " is in timestamps.txt but has no " + ext +
                         " file"});
    }
  }
  return files;
}

std::vector<Timestamp> StampsOf(const std::vector<StampedFile>& files) {
  std::vector<Timestamp> stamps;
  for (const auto& f : files) stamps.push_back(f.stamp);
  return stamps;
}

StreamInfo Stream(const std::string& name, const std::string& kind,
                  const std::vector<StampedFile>& files) {
  StreamInfo info{name, kind, static_cast<std::int64_t>(files.size()), {}, {}, Duration{0}};
  if (!files.empty()) {
    info.first = files.front().stamp;
    info.last = files.back().stamp;
    info.largest_gap = LargestGap(StampsOf(files));
  }
  return info;
}

class KittiRawReader : public LogReader {
 public:
  KittiRawReader(const fs::path& drive_dir, IssueLog& issues) : issues_(&issues) {
    const fs::path drive = fs::weakly_canonical(drive_dir);
    info_.path = drive_dir.string();
    info_.format = "kitti-raw";
    info_.log_id = drive.filename().string();

    lidar_ = StampedFiles(drive / "velodyne_points", ".bin", issues);
    info_.streams.push_back(Stream("velodyne_points", "lidar", lidar_));

    auto calibration = std::make_shared<Calibration>();
    const fs::path date_dir = drive.parent_path();
    if (fs::exists(date_dir / "calib_cam_to_cam.txt") &&
        fs::exists(date_dir / "calib_velo_to_cam.txt")) {
      *calibration = ReadKittiRawCalibration(date_dir);  // malformed calibration stops the log
      info_.has_calibration = true;
    } else {
      info_.notes.push_back("calibration files absent from " + date_dir.string() +
                            ": camera images are not used");
    }
    for (const CameraModel& camera : calibration->cameras) {
      if (!fs::is_directory(drive / camera.name)) continue;
      auto files = StampedFiles(drive / camera.name, ".png", issues);
      info_.streams.push_back(Stream(camera.name, "camera", files));
      cameras_.push_back(
          {camera.name, camera.width, camera.height, StampsOf(files), std::move(files)});
    }
    // Cameras without calibration are listed but cannot be projected into.
    for (int i = 0; i < 4 && !info_.has_calibration; ++i) {
      const std::string name = "image_0" + std::to_string(i);
      if (fs::is_directory(drive / name)) {
        info_.streams.push_back(Stream(name, "camera", StampedFiles(drive / name, ".png", issues)));
      }
    }

    if (fs::is_directory(drive / "oxts")) {
      ReadPoses(drive / "oxts", date_dir / "calib_imu_to_velo.txt",
                calibration->vehicle_from_lidar);
    } else {
      info_.notes.push_back("oxts/ absent: no ego pose, ego motion unknown");
    }
    info_.has_ego_pose = !poses_.empty();
    calibration_ = std::move(calibration);
  }

  const LogInfo& info() const override { return info_; }

  bool Seek(std::int64_t index) override {
    next_ = std::lower_bound(lidar_.begin(), lidar_.end(), index,
                             [](const StampedFile& f, std::int64_t i) { return f.number < i; }) -
            lidar_.begin();
    return true;
  }

  std::optional<Frame> Next() override {
    while (next_ < lidar_.size()) {
      const StampedFile& scan_file = lidar_[next_++];
      auto points = kitti::ReadVelodyneBin(scan_file.path, *issues_);
      if (!points) continue;
      Frame frame;
      frame.index = scan_file.number;
      frame.lidar = {scan_file.stamp, std::move(*points)};
      frame.calibration = calibration_;
      for (const CameraStream& camera : cameras_) {
        const auto nearest = NearestStamp(camera.stamps, scan_file.stamp, kMaxCameraSkew);
        if (!nearest) continue;
        const fs::path& file = camera.files[*nearest].path;
        auto image = kitti::ReadEncodedImage(file, *issues_);
        if (!image) continue;
        // An image of another size than its calibration would put every projected box elsewhere.
        const auto size = PngSize(*image);
        if (size && (size->first != camera.width || size->second != camera.height)) {
          issues_->Report({file.string(), 16, 8,
                           "image is " + std::to_string(size->first) + "x" +
                               std::to_string(size->second) + " px, its calibration says " +
                               std::to_string(camera.width) + "x" + std::to_string(camera.height)});
          continue;
        }
        image->camera = camera.name;
        image->stamp = camera.stamps[*nearest];
        frame.cameras.push_back({*image, image->stamp - scan_file.stamp});
      }
      if (const auto pose = NearestStamp(pose_stamps_, scan_file.stamp, kMaxPoseSkew)) {
        frame.ego = poses_[*pose];
      }
      return frame;
    }
    return std::nullopt;
  }

 private:
  struct CameraStream {
    std::string name;
    int width = 0, height = 0;  // px, from the calibration
    std::vector<Timestamp> stamps;
    std::vector<StampedFile> files;
  };

  void ReadPoses(const fs::path& oxts_dir, const fs::path& imu_calib_file,
                 const Eigen::Isometry3d& vehicle_from_lidar) {
    Eigen::Isometry3d lidar_from_imu = Eigen::Isometry3d::Identity();
    if (fs::exists(imu_calib_file)) {
      const auto values = ParseKittiCalibrationFile(imu_calib_file);
      const auto r = values.find("R"), t = values.find("T");
      if (r == values.end() || t == values.end() || r->second.size() != 9 ||
          t->second.size() != 3) {
        throw LogError(imu_calib_file.string(), "needs R (9 values) and T (3 values)");
      }
      lidar_from_imu.linear() =
          Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>>(r->second.data());
      const Eigen::Matrix3d& rotation = lidar_from_imu.linear();
      if ((rotation * rotation.transpose() - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff() >
              1e-3 ||
          rotation.determinant() <= 0) {
        throw LogError(imu_calib_file.string(), "key R is not a rotation");
      }
      lidar_from_imu.translation() = Eigen::Vector3d(t->second.data());
    } else {
      info_.notes.push_back("calib_imu_to_velo.txt absent: IMU assumed at the lidar");
    }
    const Eigen::Isometry3d imu_from_vehicle = (vehicle_from_lidar * lidar_from_imu).inverse();
    const auto files = StampedFiles(oxts_dir, ".txt", *issues_);
    std::optional<double> scale;
    for (const StampedFile& file : files) {
      std::ifstream in(file.path);
      std::string line;
      std::getline(in, line);
      const auto record = ParseOxts(line);
      if (!record) {
        issues_->Report(
            {file.path.string(), 0, line.size(), "bad oxts record: " + record.error().message});
        continue;
      }
      if (!scale) scale = MercatorScale(record->lat);
      EgoPose pose;
      pose.stamp = file.stamp;
      pose.world_from_vehicle = WorldFromImu(*record, *scale) * imu_from_vehicle;
      pose.velocity = Eigen::Vector3d(record->vf, record->vl, record->vu);
      poses_.push_back(pose);
      pose_stamps_.push_back(file.stamp);
    }
    StreamInfo stream = Stream("oxts", "pose", files);
    stream.count = static_cast<std::int64_t>(poses_.size());
    info_.streams.push_back(stream);
  }

  IssueLog* issues_;
  LogInfo info_;
  std::shared_ptr<const Calibration> calibration_;
  std::vector<StampedFile> lidar_;
  std::vector<CameraStream> cameras_;
  std::vector<EgoPose> poses_;
  std::vector<Timestamp> pose_stamps_;
  std::size_t next_ = 0;
};

}  // namespace

LogFormat KittiRawLogFormat() {
  return {"kitti-raw",
          [](const std::string& path) {
            return fs::is_directory(fs::path(path) / "velodyne_points" / "data");
          },
          [](const std::string& path, IssueLog& issues) -> std::unique_ptr<LogReader> {
            return std::make_unique<KittiRawReader>(path, issues);
          }};
}

}  // namespace longtail::sensors
