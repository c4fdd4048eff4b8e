#include "pipeline/detectors/cut_in.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"

namespace longtail::pipeline {

CutInDetector::CutInDetector(const proto::DetectorsOptions& options)
    : options_(options.cut_in()),
      path_options_(options.ego_path()),
      plausibility_(options.plausibility()) {}

int CutInDetector::lookback_frames() const { return options_.lookback_frames(); }

int CutInDetector::lookahead_frames() const {
  return path_options_.use_future_poses() ? path_options_.future_frames() : 0;
}

std::vector<Event> CutInDetector::Process(const FrameWindow& window) {
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
    const double severity = 1.0 - 0.6 * (on_path.s_min - start) / (end - start);
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
