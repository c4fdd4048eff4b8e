// The simulated spinning lidar: a Velodyne HDL-64E-like sensor ray cast against a Scene.
#pragma once

#include <cstdint>
#include <vector>

#include "sensors/frame.h"
#include "tools/synth/scene.h"

namespace longtail::tools::synth {

// Elevation of each of the 64 beams, deg, top to bottom: the HDL-64E's two blocks (32 beams 1/3 deg
// apart above 32 beams about 1/2 deg apart), placed where KITTI's scans see them (+2.5 .. -23.8
// deg).
const std::vector<double>& Hdl64ElevationsDeg();

struct SimulatedScan {
  sensors::LidarScan scan;     // lidar (= vehicle) frame; ring by ring from the top, each ring
                               // counter-clockwise from straight ahead, as KITTI's .bin files are
  std::vector<int> track_ids;  // per point: the actor it hit, 0 for the ground and scenery
};

// The scan of frame `index`: stamped when the sensor faces forward; with the rolling shutter on,
// each firing sees the world and the ego at its own time (the sensor turns clockwise, from facing
// backwards half a period before the stamp). Points are not motion compensated, like KITTI raw.
// Deterministic in (scene seed, index); safe to call from several threads.
SimulatedScan SimulateLidarScan(const Scene& scene, std::int64_t index);

}  // namespace longtail::tools::synth
