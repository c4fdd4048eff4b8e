#include "pipeline/detectors/lidar_health.h"

#include <algorithm>
#include <cmath>

#include "pipeline/detectors/detector_support.h"

namespace longtail::pipeline {

LidarHealthDetector::LidarHealthDetector(const proto::DetectorsOptions& options)
    : options_(options.lidar_health()) {}

int LidarHealthDetector::lookback_frames() const { return options_.lookback_frames(); }

std::vector<Event> LidarHealthDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const std::int64_t points = frame.perception.num_points;
  if (points == 0) {
    events.push_back(MakeFrameEvent(
        frame, kName, version(), "lidar_empty", 1.0, {},
        "Lidar scan of frame " + std::to_string(frame.index) + " has no valid points (" +
            std::to_string(frame.perception.num_invalid_points) + " invalid)",
        {{"num_points", 0.0}}));
  }
  const std::size_t first =
      window.current -
      std::min<std::size_t>(window.current, std::max(0, options_.lookback_frames()));
  const std::size_t history = window.current - first;
  if (history < static_cast<std::size_t>(std::max(1, options_.min_history_frames()))) return events;

  std::vector<double> counts, periods;
  for (std::size_t i = first; i < window.current; ++i) {
    counts.push_back(static_cast<double>(window.frames[i].perception.num_points));
    if (i > first)
      periods.push_back(sensors::ToSeconds(window.frames[i].stamp - window.frames[i - 1].stamp));
  }
  const double typical_points = Median(counts);
  if (points > 0 && typical_points > 0) {
    const double ratio = static_cast<double>(points) / typical_points;
    if (ratio < options_.min_point_ratio()) {
      events.push_back(MakeFrameEvent(frame, kName, version(), "lidar_point_drop",
                                      0.5 + 0.5 * (1.0 - ratio / options_.min_point_ratio()), {},
                                      "Lidar scan has " + std::to_string(points) + " points, " +
                                          Fixed(100 * ratio, 0) + "% of the median " +
                                          Fixed(typical_points, 0) + " over the previous " +
                                          std::to_string(history) + " frames",
                                      {{"num_points", static_cast<double>(points)},
                                       {"median_points", typical_points},
                                       {"point_ratio", ratio}}));
    }
  }
  const FrameResult& previous = window.frames[window.current - 1];
  const double period = Median(periods);
  const double gap = sensors::ToSeconds(frame.stamp - previous.stamp);
  // Missing frames show as a gap in time, or as a jump in the index when a reader dropped scans.
  const std::int64_t by_index = frame.index - previous.index - 1;
  const std::int64_t by_time =
      period > 0 && gap > options_.max_gap_periods() * period ? std::llround(gap / period) - 1 : 0;
  const std::int64_t missing = std::max(by_index, by_time);
  if (missing > 0) {
    events.push_back(MakeFrameEvent(
        frame, kName, version(), "missing_frames",
        std::min(1.0, 0.5 + 0.1 * static_cast<double>(missing)), {},
        "About " + std::to_string(missing) + " lidar frame(s) missing before frame " +
            std::to_string(frame.index) + ": " + Fixed(gap * 1000, 0) +
            " ms since the previous one (median period " + Fixed(period * 1000, 0) +
            " ms, index step " + std::to_string(frame.index - previous.index) + ")",
        {{"missing_frames", static_cast<double>(missing)},
         {"gap_s", gap},
         {"median_period_s", period}}));
  }
  return events;
}

}  // namespace longtail::pipeline
