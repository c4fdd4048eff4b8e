// MCAP drive logs as a longtail LogFormat: any MCAP whose topics use the Foxglove protobuf schemas
// (from longtail or any other writer) becomes a stream of Frames: each lidar scan with the nearest
// image of each camera and the nearest ego pose. Topics with other schemas are listed in the
// LogInfo notes as unsupported and skipped.
#pragma once

#include <string>

#include "sensors/log_reader.h"
#include "sensors/mcap/mcap_options.pb.h"

namespace longtail::sensors {

// Registry entry "mcap": probes the magic bytes, not the extension.
LogFormat McapLogFormat();

// Opens with explicit options (topic and frame names, pairing tolerance).
std::unique_ptr<LogReader> OpenMcapLog(const std::string& path, IssueLog& issues,
                                       const proto::FoxgloveLogOptions& options = {});

// True when `path` is a regular file starting with the MCAP magic bytes.
bool LooksLikeMcap(const std::string& path);

}  // namespace longtail::sensors
