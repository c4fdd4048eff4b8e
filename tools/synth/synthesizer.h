// `longtail synth`: a scenario and a seed in, a drive log with its ground truth out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sensors/frame.h"
#include "tools/synth/ground_truth.h"
#include "tools/synth/scenario.pb.h"
#include "tools/synth/scene.h"

namespace longtail::tools::synth {

// Reads a scenario in protobuf text format. Throws std::invalid_argument naming the file and line
// of a syntax error or unknown field.
proto::Scenario ReadScenario(const std::filesystem::path& file);

struct SyntheticFrame {
  sensors::Frame frame;              // lidar scan, image_02, ego pose, calibration
  GroundTruthFrame truth;            // every actor's box at the scan's stamp, vehicle frame
  std::vector<int> point_track_ids;  // per lidar point: the actor it hit, 0 for scenery
  std::vector<int> pixel_track_ids;  // per image_02 pixel (row-major) when asked for, else empty
};

class Synthesizer {
 public:
  // Throws std::invalid_argument for a scenario that cannot be built (see Scene).
  Synthesizer(const proto::Scenario& scenario, std::uint64_t seed);

  const Scene& scene() const { return scene_; }
  std::int64_t frame_count() const { return scene_.frame_count(); }
  std::shared_ptr<const sensors::Calibration> calibration() const { return calibration_; }
  // Pure: frames may be made in any order and in parallel; the same index gives the same bytes.
  SyntheticFrame Synthesize(std::int64_t index, bool with_pixel_track_ids = false) const;
  // The scenario's name, seed and expected events; frames are appended by the caller.
  GroundTruth TruthWithoutFrames() const;

 private:
  Scene scene_;
  std::shared_ptr<const sensors::Calibration> calibration_;
};

struct LogOutput {
  std::filesystem::path directory;  // -o: where the KITTI date folder or the MCAP file goes
  std::string format = "kitti";     // "kitti" (raw drive layout) or "mcap" (Foxglove schemas)
  std::string drive = "0001";       // drive number: DATE_drive_NNNN_sync/ or DATE_drive_NNNN.mcap
};

// Synthesises every frame and writes the log through the sensors writers (KittiRawWriter,
// FoxgloveLogWriter), then the ground truth (GroundTruthPathForLog) and the same boxes as KITTI
// tracking labels for image_02 (label_02.txt in the drive folder, or DATE_drive_NNNN.label_02.txt
// beside the MCAP file). Returns the log's path (the drive folder or the .mcap file). Throws
// std::invalid_argument for an unknown format, std::runtime_error on I/O failure.
std::filesystem::path WriteSyntheticLog(const Synthesizer& synthesizer, const LogOutput& output);

}  // namespace longtail::tools::synth
