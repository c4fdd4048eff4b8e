// sensors::DataIssue as JSON, the one form every command prints a skipped input or a problem in:
//   {"file", "offset" (bytes), "bytes" (dropped, 0 when unknown), "reason"}
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "sensors/issues.h"

namespace longtail::sensors {

void to_json(nlohmann::json& j, const DataIssue& issue);
// Throws nlohmann::json::exception when "file" or "reason" is missing; offset and bytes default
// to 0.
void from_json(const nlohmann::json& j, DataIssue& issue);

}  // namespace longtail::sensors
