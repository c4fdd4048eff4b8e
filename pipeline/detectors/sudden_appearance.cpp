#include "pipeline/detectors/sudden_appearance.h"

#include <algorithm>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {

SuddenAppearanceDetector::SuddenAppearanceDetector(const proto::DetectorsOptions& options)
    : options_(options.sudden_appearance()), body_(options.ego_body()) {}

std::vector<Event> SuddenAppearanceDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const sensors::Box3D ego_box = EgoFootprint(body_);
  const double max_distance = options_.max_distance_m();
  for (const Track& track : frame.tracks) {
    // Every id is remembered, also those born during the warm-up or far away: only a track's
    // first frame can be a sudden appearance.
    if (!seen_track_ids_.insert(track.id).second) continue;
    const bool unknown = track.object_class == sensors::ObjectClass::kUnknown ||
                         track.object_class == sensors::ObjectClass::kMisc;
    if ((unknown && !options_.include_unknown()) || frame.index < options_.warmup_frames() ||
        track.box.height < options_.min_height_m() || track.num_points < options_.min_points() ||
        std::max(track.box.length, track.box.width) > options_.max_length_m()) {
      continue;
    }
    // A tracker that loses a track and starts it again under a new id is no appearance, nor is a
    // cluster that takes the place of one that just vanished (scenery split or merged anew).
    if (window.current > 0) {
      const auto& previous = window.frames[window.current - 1].tracks;
      const bool id_switch = std::any_of(previous.begin(), previous.end(), [&](const Track& other) {
        if (other.id == track.id) return false;
        const Track* other_now = FindTrack(frame, other.id);
        const bool vanished = other_now == nullptr || other_now->num_points == 0;
        return (other.box.center.head<2>() - track.box.center.head<2>()).norm() <=
                   options_.id_switch_distance_m() ||
               (vanished && FootprintDistance(other.box, track.box) <= options_.replaced_gap_m());
      });
      if (id_switch) continue;
    }
    const double distance = FootprintDistance(ego_box, track.box);
    if (distance > max_distance) continue;
    // Scenery moves not: the newborn must live on and move (the log's end cuts the look short).
    const std::size_t later =
        std::min(window.current + std::size_t(options_.confirm_frames()), window.frames.size() - 1);
    const Track* future = FindTrack(window.frames[later], track.id);
    if (future == nullptr || future->velocity_world.norm() < options_.min_speed_mps()) continue;
    const double speed = future->velocity_world.norm();
    // How soon it would reach the ego at the speed it closes in: a truck that appears beside the
    // ego and drives on alongside closes in at nothing, a child that appears ahead of a moving
    // ego at the ego's speed.
    const Eigen::Vector2d toward_ego = -track.box.center.head<2>().normalized();
    const double closing =
        std::max(0.0, (future->velocity_vehicle - EgoVelocity(frame.ego)).dot(toward_ego));
    const double severity =
        closing > 0 ? SeverityFromTimeGap(distance / closing,
                                          sensors::IsVulnerableRoadUser(track.object_class))
                    : 0.0;
    std::string reason = Describe(track) + " appeared " + Fixed(distance) +
                         " m from the ego (first seen at frame " + std::to_string(frame.index) +
                         ", " + std::to_string(track.num_points) + " lidar points), moving at " +
                         Fixed(speed) + " m/s";
    events.push_back(MakeFrameEvent(frame, kName, version(), "sudden_appearance", severity,
                                    {track.id}, std::move(reason),
                                    {{"distance_m", distance},
                                     {"num_points", static_cast<double>(track.num_points)},
                                     {"speed_mps", speed},
                                     {"closing_speed_mps", closing}}));
  }
  return events;
}

}  // namespace longtail::pipeline
