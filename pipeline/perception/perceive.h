// The per-scan perception path: ground removal, clustering, oriented boxes and a class guess.
#pragma once

#include <optional>
#include <vector>

#include "pipeline/perception/cluster_features.h"
#include "pipeline/proto/perception.pb.h"
#include "pipeline/types.h"
#include "sensors/frame.h"

namespace longtail::pipeline {

// Finds the objects in one lidar scan. Input points are in the lidar frame; they are moved to the
// vehicle frame with `frame.calibration->vehicle_from_lidar` (identity when there is no
// calibration) and every output box is in the vehicle frame. Pure and thread-safe: frames are
// perceived in parallel. NaN/inf points and points outside [min_range, max_range] are counted in
// `num_invalid_points` and dropped.
Perception Perceive(const sensors::Frame& frame, const proto::PerceptionOptions& options);

// The box Perceive gives a vehicle of `object_class` (car, van or truck) fitted as `tight_box` with
// the lidar at `sensor_xy` (vehicle frame): a vehicle seen end-on is turned so its hidden length
// runs away from the sensor, and a partly seen one grows to its class's typical size away from the
// sensor. Other classes keep the tight box.
sensors::Box3D SizePriorBox(const sensors::Box3D& tight_box, sensors::ObjectClass object_class,
                            const Eigen::Vector2d& sensor_xy);

// The box a label of `object_class` gets, in the convention of labelled datasets such as KITTI
// (the whole body's footprint): a vehicle's SizePriorBox, and a pedestrian grown to the class's
// typical footprint away from the lidar. Perceive keeps a pedestrian's fitted box: the detectors
// judge whether a person is on the road by the centre of what the lidar saw of them.
sensors::Box3D LabelBox(const sensors::Box3D& box, sensors::ObjectClass object_class,
                        const Eigen::Vector2d& sensor_xy);

// CPU time of the calling thread spent in each step of Perceive, ms, for benchmarks.
struct PerceptionTimes {
  double transform_ms = 0;     // validity filter and lidar -> vehicle frame
  double ground_ms = 0;        // ground segmentation
  double clustering_ms = 0;    // clustering
  double boxes_ms = 0;         // box fitting, class decision, size priors, low obstacles
  double classes_ms = 0;       // of boxes_ms: cluster features and the class model
  double registration_ms = 0;  // downsampled cloud for ego motion
};
struct TimedPerception {
  Perception perception;
  PerceptionTimes times;
};
// Perceive, timing each step (same result as Perceive).
TimedPerception PerceiveWithTimes(const sensors::Frame& frame,
                                  const proto::PerceptionOptions& options);

// What the class model saw of each object, for training it (`longtail train-classifier`).
struct ObjectEvidence {
  ClusterFeatures features;
  sensors::Box3D tight_box;  // the L-shape box before class size priors, vehicle frame
};
struct PerceptionWithEvidence {
  Perception perception;
  std::vector<std::optional<ObjectEvidence>> evidence;  // one per object; none for low obstacles
};
// Perceive, keeping each object's features (same objects as Perceive).
PerceptionWithEvidence PerceiveWithEvidence(const sensors::Frame& frame,
                                            const proto::PerceptionOptions& options);

}  // namespace longtail::pipeline
