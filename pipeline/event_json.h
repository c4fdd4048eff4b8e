// pipeline::Event as JSON: the one form the queue's stored rows, the review page, `detect`,
// `query`, `regress` goldens and the exports print and read.
//   {"detector", "detector_version", "type", "severity" (null when not finite), "first_frame",
//    "peak_frame", "last_frame", "start_ns", "peak_ns", "end_ns", "track_ids", "reason",
//    "values" {name: number or null}}
// Doubles keep every bit (nlohmann writes the shortest round-trip form).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "pipeline/types.h"

namespace longtail::pipeline {

void to_json(nlohmann::json& j, const Event& event);
// Throws nlohmann::json::exception when a required field is missing or mistyped. Reads what older
// versions wrote: "version" for "detector_version" (regress goldens), no peak (the first frame and
// start), no times or values (goldens: zero times, no values).
void from_json(const nlohmann::json& j, Event& event);

}  // namespace longtail::pipeline
