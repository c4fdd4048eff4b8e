// The ground truth the synthesiser writes next to every log it makes: every actor's box per frame
// and the events a correct system must flag. `longtail eval` reads it back to score a run.
//
// File: `ground_truth.json` inside a KITTI raw drive folder, or `NAME.ground_truth.json` beside
// `NAME.mcap` (GroundTruthPathForLog). Layout (version 1), every length in m, angle in rad, time in
// ns since the Unix epoch, boxes centre-based in the vehicle frame of that frame (ISO 8855, x
// forward, y left, z up; KITTI logs: the Velodyne frame):
//   {"format": "longtail-ground-truth", "version": 1, "scenario": "...", "seed": 7,
//    "hard_negative": false,
//    "frames": [{"index": 0, "stamp_ns": 1317042000000000000,
//                "actors": [{"track_id": 1, "class": "Car", "center": [x, y, z],
//                            "length": l, "width": w, "height": h, "yaw": yaw,
//                            "lidar_points": 412}]}],
//    "events": [{"type": "hard_brake", "first_frame": 3, "last_frame": 9, "start_ns": ...,
//                "end_ns": ..., "track_ids": [1], "description": "..."}]}
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sensors/box3d.h"
#include "sensors/frame.h"
#include "sensors/time.h"

namespace longtail::tools::synth {

struct GroundTruthFrame {
  std::int64_t index = 0;    // 0-based frame number in the log (the lidar scan's number)
  sensors::Timestamp stamp;  // the lidar scan's nominal time
  // Vehicle frame at `stamp`; track ids stable over frames. The synthesiser leaves out actors
  // more than 100 m from the ego (beyond every sensor).
  std::vector<sensors::LabeledBox> actors;
  // Per actor (same order): synthetic lidar returns on it in this scan, so an evaluation can leave
  // out actors no sensor could have seen. Empty when unknown.
  std::vector<int> lidar_points;
};

// An event a correct system must flag.
struct ExpectedEvent {
  std::string type;  // e.g. "object_in_corridor", "hard_brake", "cut_in", "lidar_dropout"
  std::int64_t first_frame = 0, last_frame = 0;  // inclusive frame indices
  sensors::Timestamp start, end;                 // the same window in time
  std::vector<int> track_ids;                    // the actors involved; empty for sensor faults
  std::string description;                       // for a person
};

struct GroundTruth {
  std::string scenario;        // the scenario's name
  std::uint64_t seed = 0;      // the --seed the log was drawn with
  bool hard_negative = false;  // true when nothing in the log should be flagged
  std::vector<GroundTruthFrame> frames;
  std::vector<ExpectedEvent> events;
};

std::string ToJson(const GroundTruth& truth);
// Throws std::runtime_error saying what is wrong (not JSON, wrong format or version, a missing or
// mistyped field with its JSON path).
GroundTruth ParseGroundTruth(std::string_view json);

// Write-then-rename; throws std::runtime_error naming the path on failure.
void WriteGroundTruth(const GroundTruth& truth, const std::filesystem::path& file);
// Throws std::runtime_error naming the path when it cannot be read or parsed.
GroundTruth ReadGroundTruth(const std::filesystem::path& file);

// Where the ground truth of a log lives: LOG_DIR/ground_truth.json for a directory (a KITTI raw
// drive), LOG.ground_truth.json with the extension replaced for a file (NAME.mcap).
std::filesystem::path GroundTruthPathForLog(const std::filesystem::path& log);

// The same boxes as KITTI tracking label_02 lines ("frame track_id type ..."), in `camera`'s
// rectified frame, one line per actor per frame, frames in order. Actors wholly behind the camera
// are left out (KITTI labels only what the camera could see).
std::string ToKittiTrackingLabels(const GroundTruth& truth, const sensors::CameraModel& camera);

}  // namespace longtail::tools::synth
