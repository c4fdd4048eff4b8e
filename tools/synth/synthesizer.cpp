#include "tools/synth/synthesizer.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pipeline/text_proto.h"
#include "sensors/atomic_file.h"
#include "sensors/kitti/kitti_raw_writer.h"
#include "sensors/mcap/foxglove_log.h"
#include "tools/synth/camera.h"
#include "tools/synth/lidar.h"

namespace longtail::tools::synth {
namespace {

namespace fs = std::filesystem;

// Frames whose stamps fall in [start, end] s; at least the frame nearest `start`.
std::pair<std::int64_t, std::int64_t> FramesIn(const Scene& scene, double start, double end) {
  const double period = scene.frame_period_s();
  const std::int64_t last_frame = scene.frame_count() - 1;
  std::int64_t first =
      std::clamp<std::int64_t>(std::llround(std::ceil(start / period - 1e-9)), 0, last_frame);
  std::int64_t last =
      std::clamp<std::int64_t>(std::llround(std::floor(end / period + 1e-9)), 0, last_frame);
  if (last < first) last = first;
  return {first, last};
}

std::string KittiDate(sensors::Timestamp stamp) {
  const std::string text = sensors::FormatKittiTimestamp(stamp);  // "2026-01-01 00:00:00.000000000"
  std::string date = text.substr(0, 10);
  for (char& c : date) {
    if (c == '-') c = '_';
  }
  return date;
}

}  // namespace

proto::Scenario ReadScenario(const fs::path& file) {
  proto::Scenario scenario;
  try {
    pipeline::LoadTextProto(file, scenario);
  } catch (const pipeline::TextProtoError& e) {
    throw std::invalid_argument(e.what());
  }
  if (!scenario.has_name()) scenario.set_name(file.stem().string());
  return scenario;
}

Synthesizer::Synthesizer(const proto::Scenario& scenario, std::uint64_t seed)
    : scene_(scenario, seed) {
  const proto::CameraOptions& camera = scenario.camera();
  if (camera.width() <= 0 || camera.height() <= 0) {
    throw std::invalid_argument("camera width and height must be positive");
  }
  if (camera.format() != "png" && camera.format() != "jpeg") {
    throw std::invalid_argument("camera.format must be png or jpeg, not " + camera.format());
  }
  auto calibration = std::make_shared<sensors::Calibration>(
      KittiDefaultCalibration(camera.width(), camera.height()));
  calibration->lidar_height_m = scenario.lidar().mounting_height_m();
  calibration_ = std::move(calibration);
  TruthWithoutFrames();  // throws now for an event anchored to an unknown actor
}

SyntheticFrame Synthesizer::Synthesize(std::int64_t index, bool with_pixel_track_ids) const {
  const double t = double(index) * scene_.frame_period_s();
  SyntheticFrame result;
  sensors::Frame& frame = result.frame;
  frame.index = index;
  frame.calibration = calibration_;
  SimulatedScan scan = SimulateLidarScan(scene_, index);
  frame.lidar = std::move(scan.scan);
  result.point_track_ids = std::move(scan.track_ids);

  // A frozen camera keeps delivering the last image it took before the freeze, with new stamps.
  double render_time = t;
  for (const FaultWindow& fault : scene_.faults()) {
    if (fault.kind != proto::Fault::CAMERA_FREEZE || !fault.ActiveAt(t)) continue;
    const double frozen_index =
        std::max(0.0, std::ceil(fault.start_s / scene_.frame_period_s()) - 1);
    render_time = std::min(render_time, frozen_index * scene_.frame_period_s());
  }
  const sensors::Timestamp stamp = frame.lidar.stamp;
  RenderedImage image = RenderCamera(scene_, calibration_->cameras.front(), render_time, stamp,
                                     with_pixel_track_ids && render_time == t);
  frame.cameras.push_back({std::move(image.image), sensors::Duration(0)});
  result.pixel_track_ids = std::move(image.track_ids);

  const PlanarPose ego = scene_.EgoAt(t);
  sensors::EgoPose pose;
  pose.stamp = stamp;
  pose.world_from_vehicle = scene_.WorldFromVehicle(t);
  pose.velocity = Eigen::Vector3d(ego.speed, 0, 0);
  frame.ego = pose;

  // Ground truth at the stamp, in the vehicle frame of the stamp.
  const Eigen::Isometry3d vehicle_from_world = pose.world_from_vehicle.inverse();
  result.truth.index = index;
  result.truth.stamp = stamp;
  for (const ActorSpec& actor : scene_.actors()) {
    const sensors::Box3D world_box = scene_.ActorBoxAt(actor, t);
    const Eigen::Vector3d center = vehicle_from_world * world_box.center;
    if (center.head<2>().norm() > 100.0) continue;  // beyond any sensor: not labelled
    sensors::LabeledBox box;
    box.box = world_box;
    box.box.center = center;
    box.box.yaw = sensors::WrapAngle(world_box.yaw - ego.yaw);
    box.object_class = actor.object_class;
    box.track_id = actor.track_id;
    result.truth.actors.push_back(box);
    int points = 0;
    for (const int id : result.point_track_ids) points += id == actor.track_id;
    result.truth.lidar_points.push_back(points);
  }
  return result;
}

GroundTruth Synthesizer::TruthWithoutFrames() const {
  const proto::Scenario& scenario = scene_.scenario();
  GroundTruth truth;
  truth.scenario = scenario.name();
  truth.seed = scene_.seed();
  truth.hard_negative = scenario.hard_negative();
  const double duration = double(scene_.frame_count()) * scene_.frame_period_s();
  const auto add = [&](const std::string& type, double start, double end, std::vector<int> ids,
                       const std::string& description) {
    ExpectedEvent event;
    event.type = type;
    std::tie(event.first_frame, event.last_frame) = FramesIn(scene_, start, end);
    event.start = scene_.FrameStamp(event.first_frame);
    event.end = scene_.FrameStamp(event.last_frame);
    event.track_ids = std::move(ids);
    event.description = description;
    truth.events.push_back(std::move(event));
  };
  for (const proto::ExpectedEvent& spec : scenario.events()) {
    double anchor = 0;
    if (spec.has_anchor_actor_id()) {
      bool found = false;
      for (const ActorSpec& actor : scene_.actors()) {
        if (actor.track_id != spec.anchor_actor_id()) continue;
        found = true;
        // An anchor whose behaviour never fired leaves the event at the end of the log.
        anchor = actor.first_behaviour_s.value_or(duration);
      }
      if (!found) {
        throw std::invalid_argument("event '" + spec.type() + "' is anchored to unknown actor " +
                                    std::to_string(spec.anchor_actor_id()));
      }
    }
    const double end = spec.end_s() > 0 ? anchor + spec.end_s() : duration;
    add(spec.type(), anchor + spec.start_s(), end,
        std::vector<int>(spec.actor_ids().begin(), spec.actor_ids().end()), spec.description());
  }
  for (const FaultWindow& fault : scene_.faults()) {
    if (fault.settings.event_type().empty()) continue;
    add(fault.settings.event_type(), fault.start_s, std::min(fault.end_s, duration), {},
        proto::Fault::Kind_Name(fault.kind));
  }
  for (const ManoeuvreWindow& manoeuvre : scene_.flagged_manoeuvres()) {
    add(manoeuvre.event_type, manoeuvre.start_s, std::min(manoeuvre.end_s, duration), {},
        "an ego manoeuvre");
  }
  return truth;
}

fs::path WriteSyntheticLog(const Synthesizer& synthesizer, const LogOutput& output) {
  if (output.format != "kitti" && output.format != "mcap") {
    throw std::invalid_argument("unknown format '" + output.format + "' (kitti or mcap)");
  }
  const Scene& scene = synthesizer.scene();
  const std::string date = KittiDate(scene.FrameStamp(0));
  const std::string drive_name = date + "_drive_" + output.drive;
  const sensors::CameraModel& camera = synthesizer.calibration()->cameras.front();
  GroundTruth truth = synthesizer.TruthWithoutFrames();

  fs::path log;
  if (output.format == "kitti") {
    sensors::KittiRawWriter writer(output.directory / date, drive_name + "_sync",
                                   *synthesizer.calibration());
    for (std::int64_t i = 0; i < synthesizer.frame_count(); ++i) {
      SyntheticFrame frame = synthesizer.Synthesize(i);
      writer.Write(frame.frame);
      truth.frames.push_back(std::move(frame.truth));
    }
    writer.Finish();
    log = writer.drive_dir();
    sensors::WriteFileAtomically(log / "label_02.txt", ToKittiTrackingLabels(truth, camera));
  } else {
    fs::create_directories(output.directory);
    log = output.directory / (drive_name + ".mcap");
    sensors::mcap::FoxgloveLogWriter writer(log);
    for (std::int64_t i = 0; i < synthesizer.frame_count(); ++i) {
      SyntheticFrame frame = synthesizer.Synthesize(i);
      writer.Write(frame.frame);
      truth.frames.push_back(std::move(frame.truth));
    }
    writer.Close();
    sensors::WriteFileAtomically(output.directory / (drive_name + ".label_02.txt"),
                                 ToKittiTrackingLabels(truth, camera));
  }
  WriteGroundTruth(truth, GroundTruthPathForLog(log));
  return log;
}

}  // namespace longtail::tools::synth
