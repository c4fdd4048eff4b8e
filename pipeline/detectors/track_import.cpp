#include "pipeline/detectors/track_import.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "pipeline/detectors/detector.h"
#include "sensors/kitti/kitti_calibration.h"
#include "sensors/kitti/oxts.h"

namespace longtail::pipeline {
namespace {

std::ifstream OpenOrThrow(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  return in;
}

// One observation of a track: where and when.
struct Observation {
  std::int64_t frame = 0;
  Eigen::Vector3d position;  // m, box centre: world frame with poses, else the vehicle frame
};

double YawOf(const Eigen::Matrix3d& rotation) { return std::atan2(rotation(1, 0), rotation(0, 0)); }

// A 3x4 row-major [R|t] (12 values) or R (9) and T (3) as an isometry.
std::optional<Eigen::Isometry3d> TransformFrom(
    const std::map<std::string, std::vector<double>>& values,
    const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    const auto it = values.find(key);
    if (it == values.end() || it->second.size() != 12) continue;
    Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
    for (int i = 0; i < 12; ++i) m(i / 4, i % 4) = it->second[i];
    return Eigen::Isometry3d(m);
  }
  const auto r = values.find("R"), t = values.find("T");
  if (r != values.end() && t != values.end() && r->second.size() == 9 && t->second.size() == 3) {
    Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
    for (int i = 0; i < 9; ++i) m(i / 3, i % 3) = r->second[i];
    for (int i = 0; i < 3; ++i) m(i, 3) = t->second[i];
    return Eigen::Isometry3d(m);
  }
  return std::nullopt;
}

}  // namespace

std::vector<sensors::KittiLabel> ReadLabel02File(const std::filesystem::path& file,
                                                 sensors::IssueLog& issues) {
  std::ifstream in = OpenOrThrow(file);
  std::vector<sensors::KittiLabel> labels;
  std::string line;
  std::uint64_t offset = 0;
  while (std::getline(in, line)) {
    const std::uint64_t line_offset = offset;
    offset += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string error;
    auto label = sensors::ParseKittiLabel(line, /*tracking=*/true, &error);
    if (!label) {
      issues.Report({file.string(), line_offset, line.size(), "label_02 line: " + error});
      continue;
    }
    labels.push_back(std::move(*label));
  }
  return labels;
}

namespace {

struct PoseLine {
  std::string file;
  std::uint64_t offset = 0;
  std::string text;
};

// One pose per line; the Mercator scale comes from the first oxts record, as in the devkit.
std::vector<std::optional<Eigen::Isometry3d>> PosesFromLines(
    const std::vector<PoseLine>& lines, const Eigen::Isometry3d& vehicle_from_imu,
    const Eigen::Isometry3d& camera_from_vehicle, sensors::IssueLog& issues) {
  std::vector<std::optional<Eigen::Isometry3d>> poses;
  std::optional<double> mercator_scale;
  const Eigen::Isometry3d imu_from_vehicle = vehicle_from_imu.inverse();
  for (const PoseLine& line : lines) {
    std::istringstream fields(line.text);
    std::vector<double> values;
    double v;
    while (fields >> v) values.push_back(v);
    const bool parsed_all = fields.eof();
    std::optional<Eigen::Isometry3d> pose;
    if (parsed_all && values.size() == 30) {
      std::string error;
      if (const auto record = sensors::ParseOxts(line.text, &error)) {
        if (!mercator_scale) mercator_scale = sensors::MercatorScale(record->lat);
        pose = sensors::WorldFromImu(*record, *mercator_scale) * imu_from_vehicle;
      } else {
        issues.Report({line.file, line.offset, line.text.size(), "oxts line: " + error});
      }
    } else if (parsed_all && values.size() == 12) {
      Eigen::Matrix4d world_from_camera = Eigen::Matrix4d::Identity();
      for (int i = 0; i < 12; ++i) world_from_camera(i / 4, i % 4) = values[i];
      pose = Eigen::Isometry3d(world_from_camera) * camera_from_vehicle;
    } else {
      issues.Report({line.file, line.offset, line.text.size(),
                     "pose line: expected 30 (oxts) or 12 (3x4 matrix) numbers, got " +
                         std::to_string(values.size()) + (parsed_all ? "" : " and text")});
    }
    poses.push_back(pose);
  }
  return poses;
}

std::vector<PoseLine> ReadLines(const std::filesystem::path& file) {
  std::ifstream in = OpenOrThrow(file);
  std::vector<PoseLine> lines;
  std::string text;
  std::uint64_t offset = 0;
  while (std::getline(in, text)) {
    lines.push_back({file.string(), offset, text});
    offset += text.size() + 1;
  }
  return lines;
}

}  // namespace

std::vector<std::optional<Eigen::Isometry3d>> ReadPosesFile(
    const std::filesystem::path& file, const Eigen::Isometry3d& vehicle_from_imu,
    const Eigen::Isometry3d& camera_from_vehicle, sensors::IssueLog& issues) {
  return PosesFromLines(ReadLines(file), vehicle_from_imu, camera_from_vehicle, issues);
}

TrackListInput LoadTrackList(const std::filesystem::path& tracks,
                             const std::filesystem::path& calibration,
                             const std::filesystem::path& poses, double frame_rate_hz,
                             sensors::IssueLog& issues) {
  namespace fs = std::filesystem;
  TrackListInput input;
  input.frame_rate_hz = frame_rate_hz;
  // Every KITTI camera model shares the rectified camera-0 frame as camera_from_vehicle.
  const bool raw = fs::is_directory(calibration);
  const sensors::Calibration cameras = raw ? sensors::ReadKittiRawCalibration(calibration)
                                           : sensors::ReadKittiBenchmarkCalibration(calibration);
  if (cameras.cameras.empty()) throw std::runtime_error(calibration.string() + ": no camera");
  input.camera_from_vehicle = cameras.cameras.front().camera_from_vehicle;
  input.labels = ReadLabel02File(tracks, issues);
  if (poses.empty()) return input;

  // lidar_from_imu: the tracking devkit's Tr_imu_to_velo / Tr_imu_velo, or a raw date folder's
  // calib_imu_to_velo.txt; identity when absent (it only shifts oxts poses by the lever arm).
  const fs::path imu_file = raw ? calibration / "calib_imu_to_velo.txt" : calibration;
  std::optional<Eigen::Isometry3d> lidar_from_imu;
  if (fs::exists(imu_file)) {
    lidar_from_imu = TransformFrom(sensors::ParseKittiCalibrationFile(imu_file),
                                   {"Tr_imu_to_velo", "Tr_imu_velo"});
  }
  const Eigen::Isometry3d vehicle_from_imu =
      cameras.vehicle_from_lidar * lidar_from_imu.value_or(Eigen::Isometry3d::Identity());
  if (!fs::is_directory(poses)) {
    input.poses = ReadPosesFile(poses, vehicle_from_imu, input.camera_from_vehicle, issues);
    return input;
  }
  // An oxts/data folder: one record per frame, in file-name order.
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(poses)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<PoseLine> lines;
  for (const fs::path& file : files) {
    std::vector<PoseLine> one = ReadLines(file);
    lines.push_back(one.empty() ? PoseLine{file.string(), 0, ""} : one.front());
  }
  input.poses = PosesFromLines(lines, vehicle_from_imu, input.camera_from_vehicle, issues);
  return input;
}

proto::DetectorsOptions ForTrackLists(proto::DetectorsOptions options) {
  if (options.enabled().empty()) {
    for (const std::string& name : DetectorNames()) {
      if (name != "lidar_health" && name != "camera_health" && name != "sudden_appearance") {
        options.add_enabled(name);
      }
    }
  }
  if (!options.sudden_appearance().has_min_points()) {
    options.mutable_sudden_appearance()->set_min_points(0);
  }
  return options;
}

OfflineDetection DetectOffline(const std::vector<FrameResult>& frames,
                               const proto::RunOptions& options) {
  OfflineDetection result;
  auto detectors = CreateDetectors(options.detectors());
  WindowBuilder builder(options.runner());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    std::vector<Event> fired;
    for (auto& detector : detectors) {
      for (Event& event : detector->Process({frames, i})) fired.push_back(std::move(event));
    }
    for (auto& window : builder.Add(fired, frames[i].stamp))
      result.windows.push_back(std::move(window));
    result.events.insert(result.events.end(), fired.begin(), fired.end());
  }
  for (auto& window : builder.Flush()) result.windows.push_back(std::move(window));
  return result;
}

std::vector<FrameResult> FrameResultsFromLabels(const TrackListInput& input) {
  std::int64_t frame_count = static_cast<std::int64_t>(input.poses.size());
  for (const auto& label : input.labels)
    frame_count = std::max<std::int64_t>(frame_count, label.frame + 1);
  const auto pose_at = [&](std::int64_t f) -> const std::optional<Eigen::Isometry3d>& {
    static const std::optional<Eigen::Isometry3d> unknown;
    return f >= 0 && f < static_cast<std::int64_t>(input.poses.size()) ? input.poses[f] : unknown;
  };
  const double period = 1.0 / input.frame_rate_hz;

  std::vector<FrameResult> frames(static_cast<std::size_t>(std::max<std::int64_t>(frame_count, 0)));
  for (std::size_t f = 0; f < frames.size(); ++f) {
    frames[f].index = static_cast<std::int64_t>(f);
    frames[f].stamp = input.start + sensors::FromSeconds(static_cast<double>(f) * period);
  }

  // Tracks: boxes per frame, then every track's history for velocities, age and hits. Velocities
  // are in the world when both ends of the difference have poses, else relative to the ego.
  std::map<int, std::vector<Observation>> histories;
  std::map<std::pair<std::int64_t, int>, std::size_t> track_slot;  // (frame, id) -> index in tracks
  for (const auto& label : input.labels) {
    if (label.track_id < 0 || label.frame < 0) continue;
    const sensors::LabeledBox labeled = sensors::KittiLabelToBox(label, input.camera_from_vehicle);
    FrameResult& frame = frames[label.frame];
    Track track;
    track.id = label.track_id;
    track.object_class = labeled.object_class;
    track.class_confidence = labeled.score;
    track.box = labeled.box;
    track_slot[{label.frame, label.track_id}] = frame.tracks.size();
    frame.tracks.push_back(track);
    const auto& pose = pose_at(label.frame);
    histories[label.track_id].push_back(
        {label.frame, pose ? Eigen::Vector3d(*pose * labeled.box.center) : labeled.box.center});
  }
  const bool world_positions = !input.poses.empty();
  for (auto& [id, history] : histories) {
    std::sort(history.begin(), history.end(),
              [](const Observation& a, const Observation& b) { return a.frame < b.frame; });
    for (std::size_t k = 0; k < history.size(); ++k) {
      Track& track = frames[history[k].frame].tracks[track_slot[{history[k].frame, id}]];
      track.age = static_cast<int>(history[k].frame - history.front().frame);
      track.hits = static_cast<int>(k + 1);
      if (history.size() < 2) continue;
      const Observation& a = history[k == 0 ? 0 : k - 1];
      const Observation& b = history[k + 1 < history.size() ? k + 1 : k];
      const bool both_posed = pose_at(a.frame) && pose_at(b.frame);
      if (world_positions && !both_posed) continue;
      const Eigen::Vector3d velocity =
          (b.position - a.position) / (static_cast<double>(b.frame - a.frame) * period);
      const auto& pose = pose_at(history[k].frame);
      if (world_positions && pose) {
        const Eigen::Vector3d in_vehicle = pose->linear().transpose() * velocity;
        track.velocity_vehicle = in_vehicle.head<2>();
        track.velocity_world = velocity.head<2>();
      } else {
        track.velocity_vehicle = velocity.head<2>();
        track.velocity_world = velocity.head<2>();
      }
    }
  }

  // Ego motion from the poses by central differences: forward speed in the judged frame's axes,
  // its change, and the change of heading about the vehicle's z.
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const auto& pose = pose_at(static_cast<std::int64_t>(f));
    if (!pose) continue;
    EgoMotion& ego = frames[f].ego;
    ego.known = true;
    ego.world_from_vehicle = pose->matrix();
    const std::int64_t i = static_cast<std::int64_t>(f);
    const std::int64_t before = pose_at(i - 1) ? i - 1 : i, after = pose_at(i + 1) ? i + 1 : i;
    if (after == before) continue;
    const double seconds = static_cast<double>(after - before) * period;
    const Eigen::Vector3d moved = pose_at(after)->translation() - pose_at(before)->translation();
    ego.speed = (pose->linear().transpose() * moved).x() / seconds;
    const Eigen::Matrix3d turn = pose_at(before)->linear().transpose() * pose_at(after)->linear();
    ego.yaw_rate = YawOf(turn) / seconds;
  }
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const std::size_t before = f > 0 && frames[f - 1].ego.known ? f - 1 : f;
    const std::size_t after = f + 1 < frames.size() && frames[f + 1].ego.known ? f + 1 : f;
    if (!frames[f].ego.known || after == before) continue;
    frames[f].ego.acceleration = (frames[after].ego.speed - frames[before].ego.speed) /
                                 (static_cast<double>(after - before) * period);
  }
  return frames;
}

}  // namespace longtail::pipeline
