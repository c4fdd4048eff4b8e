// The simulated camera: a rectified pinhole camera (KITTI's image_02 by default) rendering a Scene.
#pragma once

#include <cstdint>
#include <vector>

#include "sensors/frame.h"
#include "tools/synth/scene.h"

namespace longtail::tools::synth {

// KITTI's 2011_09_26 calibration (calib_cam_to_cam.txt P_rect_02 and R_rect_00,
// calib_velo_to_cam.txt R and T) for one camera, image_02, with the given image size: the camera
// every synthetic log carries unless a scenario says otherwise. Vehicle frame = Velodyne frame.
sensors::Calibration KittiDefaultCalibration(int width, int height);

struct RenderedImage {
  sensors::CameraImage image;  // encoded as the scenario's camera.format asks
  // Per pixel, row-major: the actor seen there (its track id), 0 for the ground, scenery and sky.
  // Filled only when asked for (tests).
  std::vector<int> track_ids;
};

// Renders what `camera` sees at `scene` time `t` (s since the log's start): sky, road with lane
// marks, curbs, sidewalks, facades with windows, and the actors, Lambert-shaded under the
// scenario's sun, with the exposure and blur faults active at `t`. The image is stamped `stamp`.
// Deterministic; safe to call from several threads.
RenderedImage RenderCamera(const Scene& scene, const sensors::CameraModel& camera, double t,
                           sensors::Timestamp stamp, bool with_track_ids);

}  // namespace longtail::tools::synth
