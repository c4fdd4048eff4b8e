#include "pipeline/detectors/track_import.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "pipeline/detectors/detector.h"
#include "sensors/file_limits.h"
#include "sensors/kitti/kitti_calibration.h"
#include "sensors/kitti/oxts.h"
#include "sensors/log_reader.h"
#include "sensors/sync.h"

namespace longtail::pipeline {
namespace {

std::ifstream OpenOrThrow(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  return in;
}

// Derivatives are least-squares slopes over this many frames each side of the judged one: 2 for
// tracks (0.4 s at 10 Hz), 5 for the ego (1 s). Stereo-SLAM poses jitter by a few centimetres a
// frame; a difference of neighbours turns 5 cm into 0.5 m/s of speed noise and meaningless
// accelerations, a fit over 11 frames keeps it under 0.05 m/s.
constexpr std::size_t kTrackFitHalfWindow = 2;
constexpr std::size_t kEgoFitHalfWindow = 5;

// A tracking label file lists frames in order with objects in nearly every one; a jump of more
// than this many frames (5 minutes at 10 Hz) past every earlier label is a corrupt frame number.
constexpr int kMaxLabelFrameGap = 3000;

// Poses written with 6-9 digits are orthonormal to about 1e-6; SLAM output drifts no further. A
// rotation off by more scales or shears the world and invents motion.
constexpr double kPoseRotationTolerance = 1e-3;

bool IsRotation(const Eigen::Matrix3d& m) {
  return m.allFinite() &&
         (m * m.transpose() - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff() <=
             kPoseRotationTolerance &&
         m.determinant() > 0;
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

// Why a parsed label cannot be used in its frame ("" when it can; it is then remembered in `seen`).
// Frames are allocated densely, so a frame number far beyond the others would cost memory in
// proportion to the number written, not to the content.
std::string LabelFrameProblem(const sensors::KittiLabel& label, int last_frame,
                              std::set<std::pair<int, int>>& seen) {
  if (label.frame < 0 || label.frame > last_frame + kMaxLabelFrameGap) {
    return "frame " + std::to_string(label.frame) + " is more than " +
           std::to_string(kMaxLabelFrameGap) + " frames after the previous label's " +
           std::to_string(last_frame);
  }
  if (label.track_id >= 0 && !seen.insert({label.frame, label.track_id}).second) {
    return "track " + std::to_string(label.track_id) + " appears twice in frame " +
           std::to_string(label.frame);
  }
  return "";
}

}  // namespace

std::vector<sensors::KittiLabel> ReadLabel02File(const std::filesystem::path& file,
                                                 sensors::IssueLog& issues) {
  if (const auto problem =
          sensors::FileSizeProblem(file, sensors::kMaxListTextBytes, "a label file")) {
    throw sensors::LogError(file.string(), *problem);
  }
  std::ifstream in = OpenOrThrow(file);
  std::vector<sensors::KittiLabel> labels;
  std::set<std::pair<int, int>> seen;  // (frame, track id)
  int last_frame = 0;
  std::string line;
  std::uint64_t offset = 0;
  while (std::getline(in, line)) {
    const std::uint64_t line_offset = offset;
    offset += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto label = sensors::ParseKittiLabel(line, /*tracking=*/true);
    const std::string error =
        label ? LabelFrameProblem(*label, last_frame, seen) : label.error().message;
    if (!label || !error.empty()) {
      issues.Report({file.string(), line_offset, line.size(), "label_02 line: " + error});
      continue;
    }
    last_frame = std::max(last_frame, label->frame);
    labels.push_back(std::move(*label));
  }
  return labels;
}

namespace {

struct TextLine {
  std::string file;
  std::uint64_t offset = 0;
  std::string text;
};

// One pose per line; the Mercator scale comes from the first oxts record, as in the devkit.
std::vector<std::optional<Eigen::Isometry3d>> PosesFromLines(
    const std::vector<TextLine>& lines, const Eigen::Isometry3d& vehicle_from_imu,
    const Eigen::Isometry3d& camera_from_vehicle, sensors::IssueLog& issues) {
  std::vector<std::optional<Eigen::Isometry3d>> poses;
  std::optional<double> mercator_scale;
  const Eigen::Isometry3d imu_from_vehicle = vehicle_from_imu.inverse();
  for (const TextLine& line : lines) {
    std::istringstream fields(line.text);
    std::vector<double> values;
    double v;
    while (fields >> v) values.push_back(v);
    const bool parsed_all = fields.eof();
    std::optional<Eigen::Isometry3d> pose;
    if (parsed_all && values.size() == 30) {
      if (const auto record = sensors::ParseOxts(line.text)) {
        if (!mercator_scale) mercator_scale = sensors::MercatorScale(record->lat);
        pose = sensors::WorldFromImu(*record, *mercator_scale) * imu_from_vehicle;
      } else {
        issues.Report(
            {line.file, line.offset, line.text.size(), "oxts line: " + record.error().message});
      }
    } else if (parsed_all && values.size() == 12) {
      Eigen::Matrix4d world_from_camera = Eigen::Matrix4d::Identity();
      for (int i = 0; i < 12; ++i) world_from_camera(i / 4, i % 4) = values[i];
      if (IsRotation(world_from_camera.topLeftCorner<3, 3>()) && world_from_camera.allFinite()) {
        // A camera pose's world is a camera frame (z forward, y down): expressed in the vehicle
        // axes of that frame instead, the ground plane is x-y like every other world here.
        pose = camera_from_vehicle.inverse() * Eigen::Isometry3d(world_from_camera) *
               camera_from_vehicle;
      } else {
        issues.Report({line.file, line.offset, line.text.size(),
                       "pose line: the 3x3 part is not a rotation or a number is not finite"});
      }
    } else {
      issues.Report({line.file, line.offset, line.text.size(),
                     "pose line: expected 30 (oxts) or 12 (3x4 matrix) numbers, got " +
                         std::to_string(values.size()) + (parsed_all ? "" : " and text")});
    }
    poses.push_back(pose);
  }
  return poses;
}

std::vector<TextLine> ReadLines(const std::filesystem::path& file) {
  if (const auto problem =
          sensors::FileSizeProblem(file, sensors::kMaxListTextBytes, "a pose or timestamp file")) {
    throw sensors::LogError(file.string(), *problem);
  }
  std::ifstream in = OpenOrThrow(file);
  std::vector<TextLine> lines;
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

namespace {

std::vector<std::optional<Eigen::Isometry3d>> ReadPoses(const std::filesystem::path& poses,
                                                        const std::filesystem::path& calibration,
                                                        const sensors::Calibration& cameras,
                                                        sensors::IssueLog& issues);

// When poses or timestamps say how many frames the log has, a label in a later frame belongs to no
// frame of it: reported, and left out.
void DropLabelsAfterTheLog(TrackListInput& input, const std::filesystem::path& tracks,
                           sensors::IssueLog& issues) {
  const std::size_t frames = std::max(input.poses.size(), input.stamps.size());
  if (frames == 0) return;
  std::erase_if(input.labels, [&](const sensors::KittiLabel& label) {
    if (static_cast<std::size_t>(label.frame) < frames) return false;
    issues.Report({tracks.string(), 0, 0,
                   "label in frame " + std::to_string(label.frame) + " (track " +
                       std::to_string(label.track_id) + ") is after the log's last frame " +
                       std::to_string(frames - 1)});
    return true;
  });
}

}  // namespace

TrackListInput LoadTrackList(const std::filesystem::path& tracks,
                             const std::filesystem::path& calibration,
                             const std::filesystem::path& poses, double frame_rate_hz,
                             sensors::IssueLog& issues) {
  return LoadTrackList(tracks, calibration, poses, {}, frame_rate_hz, issues);
}

TrackListInput LoadTrackList(const std::filesystem::path& tracks,
                             const std::filesystem::path& calibration,
                             const std::filesystem::path& poses,
                             const std::filesystem::path& timestamps, double frame_rate_hz,
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
  if (!poses.empty()) input.poses = ReadPoses(poses, calibration, cameras, issues);
  if (!timestamps.empty()) {
    input.stamps = ReadFrameStamps(timestamps, issues);
    if (!input.stamps.empty() && input.stamps.front()) input.start = *input.stamps.front();
  }
  DropLabelsAfterTheLog(input, tracks, issues);
  return input;
}

namespace {

std::vector<std::optional<Eigen::Isometry3d>> ReadPoses(const std::filesystem::path& poses,
                                                        const std::filesystem::path& calibration,
                                                        const sensors::Calibration& cameras,
                                                        sensors::IssueLog& issues) {
  namespace fs = std::filesystem;
  const bool raw = fs::is_directory(calibration);
  const Eigen::Isometry3d& camera_from_vehicle = cameras.cameras.front().camera_from_vehicle;
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
    return ReadPosesFile(poses, vehicle_from_imu, camera_from_vehicle, issues);
  }
  // An oxts/data folder: one record per frame, in file-name order.
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(poses)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<TextLine> lines;
  for (const fs::path& file : files) {
    std::vector<TextLine> one = ReadLines(file);
    lines.push_back(one.empty() ? TextLine{file.string(), 0, ""} : one.front());
  }
  return PosesFromLines(lines, vehicle_from_imu, camera_from_vehicle, issues);
}

}  // namespace

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
  }
  for (auto& window : builder.Flush()) result.windows.push_back(std::move(window));
  for (const ReviewWindow& window : result.windows) {
    result.episodes.insert(result.episodes.end(), window.events.begin(), window.events.end());
  }
  std::stable_sort(result.episodes.begin(), result.episodes.end(),
                   [](const Event& a, const Event& b) { return a.start < b.start; });
  result.dropped_episodes = builder.dropped_episodes();
  return result;
}

std::vector<std::optional<Timestamp>> ReadFrameStamps(const std::filesystem::path& file,
                                                      sensors::IssueLog& issues) {
  std::vector<std::optional<Timestamp>> stamps;
  for (const TextLine& line : ReadLines(file)) {
    std::string text = line.text;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    std::int64_t nanos = 0;
    const char* end = text.data() + text.size();
    const auto [rest, error] = std::from_chars(text.data(), end, nanos);
    if (error == std::errc() && rest == end) {
      stamps.push_back(sensors::FromNanos(nanos));
    } else if (auto stamp = sensors::ParseKittiTimestamp(text)) {
      stamps.push_back(stamp);
    } else {
      issues.Report({line.file, line.offset, line.text.size(),
                     "timestamp line: expected integer nanoseconds or a KITTI "
                     "'YYYY-MM-DD hh:mm:ss.fffffffff' stamp"});
      stamps.push_back(std::nullopt);
    }
  }
  const std::vector<std::size_t> bad = sensors::OutOfOrderStamps(stamps);
  for (std::size_t i : bad) {
    issues.Report({file.string(), 0, 0,
                   "timestamp of frame " + std::to_string(i) +
                       " is out of order with its neighbours: left out"});
    stamps[i].reset();
  }
  return stamps;
}

namespace {

// Least-squares slope of values over times (s) for the samples whose index lies within `half` of
// `i`: a derivative that averages out the noise of estimated poses instead of amplifying it as a
// difference of neighbours does. nullopt with fewer than two samples or no spread in time.
template <typename Value>
std::optional<Value> FittedSlope(const std::vector<double>& times, const std::vector<Value>& values,
                                 std::size_t i, std::size_t half) {
  const std::size_t first = i >= half ? i - half : 0, last = std::min(times.size() - 1, i + half);
  if (last <= first) return std::nullopt;
  double mean_t = 0;
  for (std::size_t k = first; k <= last; ++k) mean_t += times[k];
  mean_t /= static_cast<double>(last - first + 1);
  double spread = 0;
  Value weighted = values[i] * 0.0;
  for (std::size_t k = first; k <= last; ++k) {
    spread += (times[k] - mean_t) * (times[k] - mean_t);
    weighted += (times[k] - mean_t) * values[k];
  }
  if (spread <= 0) return std::nullopt;
  return Value(weighted / spread);
}

using PoseList = std::vector<std::optional<Eigen::Isometry3d>>;

// The pose of frame `f`; unknown outside the list as well as where the list has none.
const std::optional<Eigen::Isometry3d>& PoseAt(const PoseList& poses, std::int64_t f) {
  static const std::optional<Eigen::Isometry3d> unknown;
  return f >= 0 && f < static_cast<std::int64_t>(poses.size()) ? poses[f] : unknown;
}

// Seconds from the first frame to frame `f`: the time axis of the fitted slopes.
double SecondsFromFirst(const std::vector<FrameResult>& frames, std::int64_t f) {
  return sensors::ToSeconds(frames[f].stamp - frames.front().stamp);
}

// One empty frame per index up to the last labelled or posed frame, at its stamp from the
// timestamps file where it has one, else 1 / frame rate apart from the start.
std::vector<FrameResult> StampedFrames(const TrackListInput& input) {
  std::int64_t frame_count = static_cast<std::int64_t>(input.poses.size());
  for (const auto& label : input.labels)
    frame_count = std::max<std::int64_t>(frame_count, label.frame + 1);
  const double period = 1.0 / input.frame_rate_hz;
  std::vector<FrameResult> frames(static_cast<std::size_t>(std::max<std::int64_t>(frame_count, 0)));
  for (std::size_t f = 0; f < frames.size(); ++f) {
    frames[f].index = static_cast<std::int64_t>(f);
    const bool stamped = f < input.stamps.size() && input.stamps[f];
    frames[f].stamp = stamped ? *input.stamps[f]
                              : input.start + sensors::FromSeconds(static_cast<double>(f) * period);
  }
  return frames;
}

// Where every track was seen, and where its Track sits in each frame's list.
struct TrackHistories {
  std::map<int, std::vector<Observation>> observations;            // by track id, label order
  std::map<std::pair<std::int64_t, int>, std::size_t> track_slot;  // (frame, id) -> index
};

// Adds one Track per label (box in the vehicle frame, class, score) to its frame. Positions are
// in the world when the frame's pose is known, else in the vehicle frame.
TrackHistories AddLabelledBoxes(const TrackListInput& input, std::vector<FrameResult>* frames) {
  TrackHistories histories;
  for (const auto& label : input.labels) {
    if (label.track_id < 0 || label.frame < 0) continue;
    const sensors::LabeledBox labeled = sensors::KittiLabelToBox(label, input.camera_from_vehicle);
    FrameResult& frame = (*frames)[label.frame];
    Track track;
    track.id = label.track_id;
    track.object_class = labeled.object_class;
    track.class_confidence = labeled.score;
    track.box = labeled.box;
    histories.track_slot[{label.frame, label.track_id}] = frame.tracks.size();
    frame.tracks.push_back(track);
    const auto& pose = PoseAt(input.poses, label.frame);
    histories.observations[label.track_id].push_back(
        {label.frame, pose ? Eigen::Vector3d(*pose * labeled.box.center) : labeled.box.center});
  }
  return histories;
}

// Sets age, hits and velocity of every Track of one track id from its `history`, sorted by frame.
// Velocities are slopes of the positions: in the world when the poses are known, else relative
// to the ego.
void AddTrackMotion(const TrackListInput& input, int id, const std::vector<Observation>& history,
                    std::map<std::pair<std::int64_t, int>, std::size_t>& track_slot,
                    std::vector<FrameResult>* frames) {
  const bool world_positions = !input.poses.empty();
  // Observations without a pose (when there are poses) cannot be placed in the world.
  std::vector<double> times;
  std::vector<Eigen::Vector3d> positions;
  std::vector<std::size_t> placed;  // index in history of each fitted sample
  for (std::size_t k = 0; k < history.size(); ++k) {
    if (world_positions && !PoseAt(input.poses, history[k].frame)) continue;
    times.push_back(SecondsFromFirst(*frames, history[k].frame));
    positions.push_back(history[k].position);
    placed.push_back(k);
  }
  for (std::size_t k = 0; k < history.size(); ++k) {
    Track& track = (*frames)[history[k].frame].tracks[track_slot[{history[k].frame, id}]];
    track.age = static_cast<int>(history[k].frame - history.front().frame);
    track.hits = static_cast<int>(k + 1);
  }
  for (std::size_t n = 0; n < placed.size(); ++n) {
    const Observation& at = history[placed[n]];
    Track& track = (*frames)[at.frame].tracks[track_slot[{at.frame, id}]];
    const auto velocity = FittedSlope(times, positions, n, kTrackFitHalfWindow);
    if (!velocity) continue;
    const auto& pose = PoseAt(input.poses, at.frame);
    if (world_positions && pose) {
      track.velocity_vehicle = (pose->linear().transpose() * *velocity).head<2>();
      track.velocity_world = velocity->head<2>();
    } else {
      track.velocity_vehicle = velocity->head<2>();
      track.velocity_world = velocity->head<2>();
    }
  }
}

// The posed frames as samples for the ego's fitted slopes.
struct PoseSamples {
  std::vector<double> times;               // s from the first frame
  std::vector<double> headings;            // rad, accumulated from the first posed frame
  std::vector<Eigen::Vector3d> positions;  // m, world frame
  std::vector<std::size_t> frames;         // frame index of each sample
};

PoseSamples SamplePoses(const PoseList& poses, const std::vector<FrameResult>& frames) {
  PoseSamples samples;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const auto& pose = PoseAt(poses, static_cast<std::int64_t>(f));
    if (!pose) continue;
    // Heading accumulated from the turn about the vehicle's own z between posed frames: continuous
    // for the fit, and independent of how the world's axes are laid.
    samples.headings.push_back(
        samples.headings.empty()
            ? 0.0
            : samples.headings.back() +
                  YawOf(PoseAt(poses, static_cast<std::int64_t>(samples.frames.back()))
                            ->linear()
                            .transpose() *
                        pose->linear()));
    samples.times.push_back(SecondsFromFirst(frames, static_cast<std::int64_t>(f)));
    samples.positions.push_back(pose->translation());
    samples.frames.push_back(f);
  }
  return samples;
}

// Ego motion from the poses: velocity, heading rate and acceleration as fitted slopes over a
// short span (kEgoFitHalfWindow frames each side), so that pose noise is averaged out.
void AddEgoMotion(const PoseList& poses, std::vector<FrameResult>* frames) {
  const PoseSamples samples = SamplePoses(poses, *frames);
  const std::vector<std::size_t>& posed = samples.frames;
  std::vector<double> speeds(posed.size(), 0.0);
  for (std::size_t n = 0; n < posed.size(); ++n) {
    EgoMotion& ego = (*frames)[posed[n]].ego;
    const auto& pose = *PoseAt(poses, static_cast<std::int64_t>(posed[n]));
    ego.known = true;
    ego.world_from_vehicle = pose.matrix();
    const auto velocity = FittedSlope(samples.times, samples.positions, n, kEgoFitHalfWindow);
    const auto heading_rate = FittedSlope(samples.times, samples.headings, n, kEgoFitHalfWindow);
    if (velocity) ego.speed = speeds[n] = (pose.linear().transpose() * *velocity).x();
    if (heading_rate) ego.yaw_rate = *heading_rate;
  }
  for (std::size_t n = 0; n < posed.size(); ++n) {
    if (const auto acceleration = FittedSlope(samples.times, speeds, n, kEgoFitHalfWindow)) {
      (*frames)[posed[n]].ego.acceleration = *acceleration;
    }
  }
}

}  // namespace

std::vector<FrameResult> FrameResultsFromLabels(const TrackListInput& input) {
  std::vector<FrameResult> frames = StampedFrames(input);
  // Tracks: boxes per frame, then every track's history for velocities, age and hits.
  TrackHistories histories = AddLabelledBoxes(input, &frames);
  for (auto& [id, history] : histories.observations) {
    std::sort(history.begin(), history.end(),
              [](const Observation& a, const Observation& b) { return a.frame < b.frame; });
    AddTrackMotion(input, id, history, histories.track_slot, &frames);
  }
  AddEgoMotion(input.poses, &frames);
  return frames;
}

}  // namespace longtail::pipeline
