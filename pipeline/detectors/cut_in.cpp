#include "pipeline/detectors/cut_in.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"
#include "pipeline/detectors/hindsight.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {

CutInDetector::CutInDetector(const proto::DetectorsOptions& options)
    : options_(options.cut_in()),
      path_options_(options.ego_path()),
      body_(options.ego_body()),
      plausibility_(options.plausibility()) {}

int CutInDetector::lookback_frames() const { return options_.lookback_frames(); }

int CutInDetector::lookahead_frames() const {
  return path_options_.use_future_poses() ? path_options_.future_frames() : 0;
}

std::vector<Event> CutInDetector::Process(const FrameWindow& window) {
  return HasHindsight(window) ? Confirmed(window) : Observed(window);
}

// With hindsight: a vehicle beside the ego lane now, moving the ego's way, whose centre actually
// moved into the lane within the horizon, close ahead. The episode starts while it is still
// beside the lane: a reviewer sees the move, not only its end.
std::vector<Event> CutInDetector::Confirmed(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const double half_lane = options_.lane_width_m() / 2;
  const double start = options_.start_m(), end = options_.max_gap_m();
  if (frame.tracks.empty() || end <= start) return events;
  const EgoPath path = PredictEgoPath(window, end, path_options_);
  for (const Track& track : frame.tracks) {
    if (!sensors::IsVehicle(track.object_class) || track.hits < options_.min_hits() ||
        !HasPlausibleMotion(track, plausibility_)) {
      continue;
    }
    const PathPoint now_at = ToPathCoordinates(path, track.box.center.head<2>());
    const Eigen::Vector2d velocity = ToPathVelocity(now_at, track.velocity_vehicle);
    // Beside the lane, ahead, going the ego's way (not oncoming, not crossing).
    if (std::abs(now_at.d) <= half_lane || now_at.s < start ||
        velocity.x() <= std::abs(velocity.y())) {
      continue;
    }
    // Where its centre first came into the lane, and how far in it got, within the horizon.
    std::optional<FootprintOnPath> entry;  // on the judged frame's path
    double entry_time = 0, entry_gap = 0, deepest = std::abs(now_at.d);
    // Sideways toward the ego's line in the judged frame's own axes: when the ego changes into
    // the lane of a car that keeps it, the path comes to the car, the car does not move.
    double toward_line = 0;
    for (std::size_t i = window.current + 1; i < window.frames.size(); ++i) {
      const double t = SecondsAfterNow(window, i);
      if (t > kHorizonS) break;
      const auto box = BoxInNowFrame(window, i, track.id);
      if (!box) continue;
      const double d = ToPathCoordinates(path, box->center.head<2>()).d;
      if ((d > 0) != (now_at.d > 0) && std::abs(d) > half_lane) break;  // across, not into it
      deepest = std::min(deepest, std::abs(d));
      // Close ahead of the ego as it was then (its rear within max_gap of the ego's origin).
      const Track* then = FindTrack(window.frames[i], track.id);
      const double gap_then = then->box.center.x() - then->box.length / 2;
      const FootprintOnPath on_path = ProjectFootprint(path, *box, -1e9, 1e9);
      if (!entry && gap_then >= start && gap_then <= end &&
          std::abs(on_path.center_d) <= half_lane) {
        entry = on_path;
        entry_time = t;
        entry_gap = gap_then;
        toward_line = (now_at.d > 0 ? -1.0 : 1.0) * (box->center.y() - track.box.center.y());
      }
    }
    const double shift = std::abs(now_at.d) - deepest;
    if (!entry || shift < options_.min_lateral_shift_m() ||
        toward_line < options_.min_lateral_shift_m() / 2 ||
        shift / kHorizonS > options_.max_lateral_speed_mps()) {
      continue;
    }
    // The time gap the ego had to it once it was in: when the ego's front got to where the
    // vehicle's rear entered.
    const auto arrival = EgoArrival(window, path, entry->s_min, body_.front_m());
    if (!arrival) continue;
    const double time_gap = std::abs(*arrival - entry_time);
    const double severity = SeverityFromTimeGap(time_gap, false);
    std::string reason = Describe(track) + " " + Fixed(std::abs(now_at.d)) + " m " +
                         (now_at.d > 0 ? "left" : "right") + " of the ego lane's centre " +
                         Fixed(now_at.s) + " m ahead cut into it " + Fixed(entry_time) +
                         " s later, " + Fixed(entry_gap) + " m ahead (moved " + Fixed(shift) +
                         " m toward the path); the ego got there " + Fixed(time_gap) +
                         " s after it";
    events.push_back(MakeFrameEvent(frame, kName, version(), "cut_in", severity, {track.id},
                                    std::move(reason),
                                    {{"distance_m", entry_gap},
                                     {"lateral_shift_m", shift},
                                     {"time_to_entry_s", entry_time},
                                     {"time_gap_s", time_gap}}));
  }
  return events;
}

std::vector<Event> CutInDetector::Observed(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const double half_lane = options_.lane_width_m() / 2;
  const double start = options_.start_m(), end = options_.max_gap_m();
  if (frame.tracks.empty() || window.current == 0 || end <= start) return events;
  // Each look-back frame is judged against the ego's path at that frame: being in the ego lane is
  // relative to where the ego was going then. Paths are built once per frame, on demand.
  std::map<std::size_t, EgoPath> paths;
  const auto path_at = [&](std::size_t i) -> const EgoPath& {
    auto it = paths.find(i);
    if (it == paths.end()) {
      it = paths.emplace(i, PredictEgoPath({window.frames, i}, end, path_options_)).first;
    }
    return it->second;
  };
  const std::size_t first =
      window.current -
      std::min<std::size_t>(window.current, std::max(0, options_.lookback_frames()));
  for (const Track& track : frame.tracks) {
    if (!sensors::IsVehicle(track.object_class) || track.hits < options_.min_hits() ||
        !HasPlausibleMotion(track, plausibility_)) {
      continue;
    }
    const FootprintOnPath on_path =
        ProjectFootprint(path_at(window.current), track.box, start, end);
    if (!on_path.in_range || std::abs(on_path.center_d) > half_lane) continue;
    // The earliest and the latest earlier observation of this track in the look-back.
    std::optional<std::size_t> earliest, latest;
    for (std::size_t i = first; i < window.current; ++i) {
      if (FindTrack(window.frames[i], track.id) == nullptr) continue;
      if (!earliest) earliest = i;
      latest = i;
    }
    if (!latest) continue;
    const double latest_d =
        ToPathCoordinates(path_at(*latest),
                          FindTrack(window.frames[*latest], track.id)->box.center.head<2>())
            .d;
    if (std::abs(latest_d) <= half_lane) continue;  // it was in the lane already
    const double earliest_d =
        ToPathCoordinates(path_at(*earliest),
                          FindTrack(window.frames[*earliest], track.id)->box.center.head<2>())
            .d;
    if ((earliest_d > 0) != (latest_d > 0))
      continue;  // it crossed the path: not a cut-in from a side
    const double shift = std::abs(earliest_d) - std::abs(on_path.center_d);
    if (shift < options_.min_lateral_shift_m()) continue;
    const double seconds = sensors::ToSeconds(frame.stamp - window.frames[*earliest].stamp);
    const double lateral_speed = seconds > 0 ? shift / seconds : 0.0;
    if (lateral_speed > options_.max_lateral_speed_mps()) continue;
    const double ego_speed = std::max(0.0, frame.ego.speed);
    const double headway = ego_speed > 0.5 ? (on_path.s_min - body_.front_m()) / ego_speed : 1e9;
    const double severity = SeverityFromTimeGap(headway, false);
    std::string reason = Describe(track) + " cut into the ego lane " + Fixed(on_path.s_min) +
                         " m ahead from the " + (latest_d > 0 ? "left" : "right") + ": moved " +
                         Fixed(shift) + " m toward the path in " + Fixed(seconds) + " s (" +
                         Fixed(lateral_speed) + " m/s), now " + Fixed(std::abs(on_path.center_d)) +
                         " m from its centre";
    events.push_back(MakeFrameEvent(frame, kName, version(), "cut_in", severity, {track.id},
                                    std::move(reason),
                                    {{"distance_m", on_path.s_min},
                                     {"lateral_shift_m", shift},
                                     {"lateral_speed_mps", lateral_speed},
                                     {"center_offset_m", on_path.center_d}}));
  }
  return events;
}

}  // namespace longtail::pipeline
