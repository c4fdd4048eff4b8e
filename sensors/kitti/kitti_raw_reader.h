// KITTI raw drives: 2011_09_26/2011_09_26_drive_XXXX_sync/ with calibration one folder up.
#pragma once

#include "sensors/log_reader.h"

namespace longtail::sensors {

// velodyne_points/ is required; image_0{0..3}/ and oxts/ are used when present. A drive without
// oxts/ is valid: frames then carry no EgoPose. Missing, empty or truncated .bin/.png files and bad
// timestamp lines are reported to `issues` and skipped.
LogFormat KittiRawLogFormat();

}  // namespace longtail::sensors
