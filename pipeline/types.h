// What perception, tracking and the detectors produce. Plain data; frames of reference in every
// name.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sensors/box3d.h"
#include "sensors/time.h"

namespace longtail::pipeline {

using sensors::Box3D;
using sensors::Duration;
using sensors::ObjectClass;
using sensors::Timestamp;

// One object found in one scan.
struct DetectedObject {
  Box3D box;  // vehicle frame
  ObjectClass object_class = ObjectClass::kUnknown;
  double class_confidence = 0;  // [0,1]: calibrated probability that it is of object_class
  // The most likely class when the model is not sure enough to report it (object_class is then
  // kUnknown and class_confidence this class's probability); kUnknown otherwise. Scorers rank
  // these too, as a detection benchmark ranks every candidate.
  ObjectClass unsure_class = ObjectClass::kUnknown;
  int num_points = 0;   // lidar points in the cluster
  double ground_z = 0;  // m, vehicle frame: local ground height under the object
};

struct Perception {
  std::vector<DetectedObject> objects;
  std::int64_t num_points = 0;          // valid points in the scan
  std::int64_t num_ground_points = 0;   // of those, classified as ground
  std::int64_t num_invalid_points = 0;  // NaN/inf or out of range, dropped
  // Voxel-downsampled non-ground points, m, vehicle frame: what lidar ego-motion estimation
  // registers.
  std::vector<Eigen::Vector3f> registration_points;
};

// An object followed over time.
struct Track {
  int id = 0;
  ObjectClass object_class = ObjectClass::kUnknown;
  // [0,1]: decayed mean of its detections' probability of object_class, or of unsure_class.
  double class_confidence = 0;
  // As a detection's: when object_class is kUnknown, the known class its detections gave the most
  // probability (as reported or unsure classes); kUnknown otherwise.
  ObjectClass unsure_class = ObjectClass::kUnknown;
  Box3D box;  // vehicle frame, at this frame's time
  Eigen::Vector2d velocity_world =
      Eigen::Vector2d::Zero();  // m/s in the world frame (ego motion removed)
  Eigen::Vector2d velocity_vehicle = Eigen::Vector2d::Zero();  // m/s over ground, in vehicle axes
  int age = 0;                                                 // frames since birth
  int hits = 0;                                                // frames in which it was observed
  int num_points = 0;  // lidar points at this frame (0 when coasting)
};

// The ego's motion at one frame, measured (oxts, poses) or estimated from the lidar.
struct EgoMotion {
  bool known = false;
  bool estimated = false;  // from the lidar rather than a pose source
  Eigen::Matrix4d world_from_vehicle = Eigen::Matrix4d::Identity();
  double speed = 0;         // m/s, forward
  double acceleration = 0;  // m/s^2, forward
  double yaw_rate = 0;      // rad/s
};

// Pixel statistics of one camera image, for the camera-fault detectors
// (pipeline/detectors/image_stats.h computes them from the encoded image).
struct ImageStats {
  bool valid = false;                // false when the image could not be decoded
  double mean_brightness = 0;        // mean grey level, [0,255]
  double overexposed_fraction = 0;   // of pixels at grey >= 250, [0,1]
  double underexposed_fraction = 0;  // of pixels at grey <= 5, [0,1]
  double sharpness = 0;              // variance of the grey image's Laplacian, grey levels^2
  std::uint64_t hash = 0;  // of every grey pixel: equal on consecutive frames = a frozen image
};

// Everything the pipeline knows about one frame after tracking.
struct FrameResult {
  std::int64_t index = 0;
  Timestamp stamp;
  Perception perception;
  std::vector<Track> tracks;
  EgoMotion ego;
  std::vector<Duration> camera_skews;    // one per camera in the frame
  std::vector<ImageStats> camera_stats;  // one per camera, as camera_skews; empty when not computed
};

// A rare event as an episode: one per detector, type and actors for each continuous span of the
// condition. A detector fires one-frame events; the window builder joins a condition's consecutive
// firings into one episode and keeps the numbers of its peak (the most severe frame).
struct Event {
  std::string detector;      // registry name, e.g. "ego_corridor"
  int detector_version = 1;  // bumped when the detector's logic changes
  std::string type;          // e.g. "object_in_corridor"
  // [0,1] at the peak, comparable across detectors: from time gaps, the deceleration the ego would
  // need and clearance against speed (pipeline/detectors/severity.h); claim order follows it.
  double severity = 0;
  std::int64_t first_frame = 0, last_frame = 0;  // inclusive
  std::int64_t peak_frame = 0;                   // the frame of the highest severity
  Timestamp start, end, peak;
  std::vector<int> track_ids;
  std::string reason;  // at the peak, for a person: "car #3 in the ego corridor 12.4 m ahead ..."
  std::map<std::string, double> values;  // the numbers at the peak, by name with unit suffix
};

}  // namespace longtail::pipeline
