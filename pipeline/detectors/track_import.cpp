#include "pipeline/detectors/track_import.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

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

std::vector<std::optional<Eigen::Isometry3d>> ReadPosesFile(
    const std::filesystem::path& file, const Eigen::Isometry3d& vehicle_from_imu,
    const Eigen::Isometry3d& camera_from_vehicle, sensors::IssueLog& issues) {
  std::ifstream in = OpenOrThrow(file);
  std::vector<std::optional<Eigen::Isometry3d>> poses;
  std::optional<double> mercator_scale;  // from the first oxts record, as the devkit does
  const Eigen::Isometry3d imu_from_vehicle = vehicle_from_imu.inverse();
  std::string line;
  std::uint64_t offset = 0;
  while (std::getline(in, line)) {
    const std::uint64_t line_offset = offset;
    offset += line.size() + 1;
    std::istringstream fields(line);
    std::vector<double> values;
    double v;
    while (fields >> v) values.push_back(v);
    const bool parsed_all = fields.eof();
    std::optional<Eigen::Isometry3d> pose;
    if (parsed_all && values.size() == 30) {
      std::string error;
      if (const auto record = sensors::ParseOxts(line, &error)) {
        if (!mercator_scale) mercator_scale = sensors::MercatorScale(record->lat);
        pose = sensors::WorldFromImu(*record, *mercator_scale) * imu_from_vehicle;
      } else {
        issues.Report({file.string(), line_offset, line.size(), "oxts line: " + error});
      }
    } else if (parsed_all && values.size() == 12) {
      Eigen::Matrix4d world_from_camera = Eigen::Matrix4d::Identity();
      for (int i = 0; i < 12; ++i) world_from_camera(i / 4, i % 4) = values[i];
      pose = Eigen::Isometry3d(world_from_camera) * camera_from_vehicle;
    } else {
      issues.Report({file.string(), line_offset, line.size(),
                     "pose line: expected 30 (oxts) or 12 (3x4 matrix) numbers, got " +
                         std::to_string(values.size()) + (parsed_all ? "" : " and text")});
    }
    poses.push_back(pose);
  }
  return poses;
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
