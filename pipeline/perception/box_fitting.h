// Oriented boxes for clusters: a search over headings that maximises the L-shape closeness
// criterion (Zhang et al., "Efficient L-Shape Fitting for Vehicle Detection Using Laser Scanners",
// IV 2017), then vehicles seen from one side are extended to a plausible size away from the sensor.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "pipeline/proto/perception.pb.h"
#include "sensors/box3d.h"

namespace longtail::pipeline {

// The tight box around `points` (vehicle frame, m) with the heading of best closeness; its bottom
// is at `ground_z` (m) and its top at the highest point. length >= width; yaw in (-pi/2, pi/2].
// Allocation-free. `points` must not be empty.
sensors::Box3D FitBox(const std::vector<Eigen::Vector3f>& points, double ground_z,
                      const proto::BoxOptions& options);

// Grows a box whose length or width is below the given size to that size, keeping the sides that
// face the sensor at `sensor_xy` (the sides the lidar saw) in place, so the box grows away from the
// sensor. Sizes already at least as large are kept.
sensors::Box3D ExtendAwayFromSensor(const sensors::Box3D& box, double min_length, double min_width,
                                    const Eigen::Vector2d& sensor_xy);

}  // namespace longtail::pipeline
