// Small helpers the detectors share: building events and writing the numbers into reasons.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/types.h"

namespace longtail::pipeline {

// An event that spans the one frame `frame`.
Event MakeFrameEvent(const FrameResult& frame, std::string_view detector, int version,
                     std::string_view type, double severity, std::vector<int> track_ids,
                     std::string reason, std::map<std::string, double> values);

// `value` with `decimals` digits after the point, e.g. Fixed(12.345, 1) == "12.3".
std::string Fixed(double value, int decimals = 1);
// "Car #3", the way reasons name a track.
std::string Describe(const Track& track);
// The track with this id in `frame`, or nullptr.
const Track* FindTrack(const FrameResult& frame, int id);

}  // namespace longtail::pipeline
