#include "pipeline/detectors/detector_support.h"

#include <algorithm>
#include <cstdio>

namespace longtail::pipeline {

Event MakeFrameEvent(const FrameResult& frame, std::string_view detector, int version,
                     std::string_view type, double severity, std::vector<int> track_ids,
                     std::string reason, std::map<std::string, double> values) {
  Event event;
  event.detector = std::string(detector);
  event.detector_version = version;
  event.type = std::string(type);
  event.severity = std::clamp(severity, 0.0, 1.0);
  event.first_frame = event.last_frame = frame.index;
  event.start = event.end = frame.stamp;
  event.track_ids = std::move(track_ids);
  event.reason = std::move(reason);
  event.values = std::move(values);
  return event;
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

std::string Describe(const Track& track) {
  return std::string(sensors::ToString(track.object_class)) + " #" + std::to_string(track.id);
}

const Track* FindTrack(const FrameResult& frame, int id) {
  const auto it = std::find_if(frame.tracks.begin(), frame.tracks.end(),
                               [id](const Track& track) { return track.id == id; });
  return it == frame.tracks.end() ? nullptr : &*it;
}

}  // namespace longtail::pipeline
