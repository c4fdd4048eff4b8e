#include "pipeline/detectors/debris.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {
namespace {

// Ground height under `box` from the perception's object nearest to it (within 1 m), if any.
std::optional<double> GroundUnder(const Perception& perception, const sensors::Box3D& box) {
  std::optional<double> ground;
  double best = 1.0;
  for (const DetectedObject& object : perception.objects) {
    const double distance = (object.box.center.head<2>() - box.center.head<2>()).norm();
    if (distance <= best) {
      best = distance;
      ground = object.ground_z;
    }
  }
  return ground;
}

}  // namespace

DebrisDetector::DebrisDetector(const proto::DetectorsOptions& options)
    : options_(options.debris()), path_options_(options.ego_path()), body_(options.ego_body()) {}

int DebrisDetector::lookahead_frames() const {
  return path_options_.use_future_poses() ? path_options_.future_frames() : 0;
}

std::vector<Event> DebrisDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const double start = options_.start_m(), end = options_.length_m();
  std::optional<EgoPath> path;
  for (const Track& track : frame.tracks) {
    const sensors::Box3D& box = track.box;
    const bool unknown_class = track.object_class == sensors::ObjectClass::kUnknown ||
                               track.object_class == sensors::ObjectClass::kMisc;
    if (!unknown_class || track.hits < options_.min_hits() ||
        box.height < options_.min_height_m() || box.height > options_.max_height_m() ||
        std::max(box.length, box.width) > options_.max_footprint_m() ||
        std::min(box.length, box.width) < options_.min_width_m() ||
        track.velocity_world.norm() > options_.max_speed_mps()) {
      continue;
    }
    const bool beside_taller =
        std::any_of(frame.tracks.begin(), frame.tracks.end(), [&](const Track& other) {
          return other.id != track.id && other.box.height > options_.max_height_m() &&
                 FootprintDistance(other.box, box) < options_.min_clearance_m();
        });
    if (beside_taller) continue;
    if (!path) path = PredictEgoPath(window, end, path_options_);
    const FootprintOnPath on_path = ProjectFootprint(*path, box, start, end);
    if (!on_path.in_range || on_path.lateral_gap > options_.corridor_width_m() / 2) continue;
    std::map<std::string, double> values = {{"distance_m", on_path.s_min},
                                            {"center_offset_m", on_path.center_d},
                                            {"height_m", box.height},
                                            {"footprint_m", std::max(box.length, box.width)},
                                            {"speed_mps", track.velocity_world.norm()}};
    const std::optional<double> ground = GroundUnder(frame.perception, box);
    if (ground) {
      // A box floating above the road (an overhanging branch, a sign) is not on the surface.
      const double above = box.center.z() - box.height / 2 - *ground;
      if (above > options_.max_bottom_above_ground_m()) continue;
      values["bottom_above_ground_m"] = above;
    }
    std::string reason = Describe(track) + " (" + Fixed(box.length) + " x " + Fixed(box.width) +
                         " x " + Fixed(box.height) + " m, " + Fixed(track.velocity_world.norm()) +
                         " m/s) on the road in the ego lane " + Fixed(on_path.s_min) + " m ahead" +
                         (ground ? "" : " (ground height unknown)");
    // Debris in the lane is rare whatever the speed (0.5); more when stopping short of it takes
    // more than hard braking.
    const double severity =
        std::max(0.5, SeverityFromDeceleration(StopShortDeceleration(
                          std::max(0.0, frame.ego.speed), on_path.s_min, body_.front_m())));
    events.push_back(MakeFrameEvent(frame, kName, version(), "debris_in_lane", severity, {track.id},
                                    std::move(reason), std::move(values)));
  }
  return events;
}

}  // namespace longtail::pipeline
