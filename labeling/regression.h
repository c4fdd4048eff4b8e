// The regression gate: what mining a log produced (events and pre-labels), saved as a golden file,
// and the differences between a new run and its golden, within tolerances.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "pipeline/types.h"
#include "sensors/box3d.h"

namespace longtail::labeling {

// What one log produced: deterministic, so equal runs give byte-identical golden files.
struct RunRecord {
  std::string log_id;
  std::string options_hash;
  std::int64_t frames = 0;
  std::vector<pipeline::Event> events;  // merged events of every review window, in time order
  struct FrameBoxes {
    std::int64_t frame = 0;
    std::vector<sensors::LabeledBox> boxes;
  };
  std::vector<FrameBoxes> prelabels;  // every frame's confirmed tracks
};

struct Tolerances {
  double event_overlap_frames =
      1;  // a golden and a new event match if their frame ranges share this many frames
  double severity = 0.15;  // |severity change| allowed, [0,1]
  double box_iou = 0.5;    // BEV IoU for a box to match its golden
  double center_m = 0.3;   // centre displacement allowed, m
  double size_m = 0.3;     // change allowed in each of length, width, height, m
  double yaw_rad = 0.2;    // heading change allowed (mod pi), rad
};
// Reads {"severity": 0.1, ...} (absent keys keep their default). Throws std::runtime_error naming
// the file.
Tolerances LoadTolerances(const std::string& path);

struct Difference {
  std::string log_id;
  std::string kind;  // "missing_event", "new_event", "changed_event", "missing_box", "new_box",
                     // "moved_box", "frames"
  std::string what;  // for a person: the event or box and the numbers
};

std::vector<Difference> Compare(const RunRecord& golden, const RunRecord& current,
                                const Tolerances& tolerances);

nlohmann::json ToJson(const RunRecord& record);
RunRecord RunRecordFromJson(
    const nlohmann::json& json);  // throws nlohmann::json::exception on bad input
// JUnit XML: one test case per log, a failure listing its differences.
std::string JUnitXml(const std::vector<std::string>& log_ids,
                     const std::vector<Difference>& differences);

}  // namespace longtail::labeling
