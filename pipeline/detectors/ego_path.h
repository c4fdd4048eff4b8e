// The ego's path ahead and path coordinates (s along the path, d to its left): the geometry every
// "in the ego's way" detector shares.
#pragma once

#include <Eigen/Core>
#include <string_view>
#include <vector>

#include "pipeline/detectors/detector.h"
#include "pipeline/proto/detectors.pb.h"
#include "pipeline/types.h"

namespace longtail::pipeline {

enum class PathSource {
  kStraight,     // no ego motion, or too slow to tell a curvature
  kYawRate,      // constant-curvature arc from speed and yaw rate
  kFuturePoses,  // the ego's actual future positions (offline mining)
};
std::string_view ToString(PathSource source);  // "straight", "yaw rate", "future poses"

// A polyline from the vehicle origin along where the ego goes.
struct EgoPath {
  std::vector<Eigen::Vector2d> points;  // m, vehicle frame of the judged frame; points[0] = origin
  std::vector<double> arc_length;       // m along the path to each point; arc_length[0] = 0
  PathSource source = PathSource::kStraight;
  double curvature = 0;  // 1/m, left positive; of the arc (kYawRate) or 0
};

// A straight path or a constant-curvature arc (left positive, 1/m) of `length_m`, sampled every
// `spacing_m`.
EgoPath ArcPath(double curvature, double length_m, double spacing_m);

// The path at window.now(), at least `length_m` long: the future poses of the look-ahead frames
// when known and enabled (extended straight past the last one), else the arc of the current
// speed and yaw rate, else straight ahead.
EgoPath PredictEgoPath(const FrameWindow& window, double length_m,
                       const proto::EgoPathOptions& options);

// A point in path coordinates. Points beyond either end are placed on the end segments' extensions.
struct PathPoint {
  double s = 0;  // m along the path from the vehicle origin (negative behind it)
  double d = 0;  // m to the left of the path's centreline (negative to the right)
  Eigen::Vector2d tangent =
      Eigen::Vector2d::UnitX();  // unit direction of the path there, vehicle frame
};
PathPoint ToPathCoordinates(const EgoPath& path, const Eigen::Vector2d& point);

// The part of a box's footprint that lies between s_begin and s_end along the path.
struct FootprintOnPath {
  bool in_range = false;        // some of the footprint lies in [s_begin, s_end]
  double s_min = 0, s_max = 0;  // m along the path, of that part
  double d_min = 0, d_max = 0;  // m left of the centreline, of that part
  // m from the centreline to the nearest point of that part; 0 when it straddles the centreline.
  double lateral_gap = 0;
  double center_d = 0;  // m, the box centre's offset left of the centreline
};
FootprintOnPath ProjectFootprint(const EgoPath& path, const sensors::Box3D& box, double s_begin,
                                 double s_end);

// Velocity (m/s, vehicle axes) split along the path's tangent at `at` and across it (left
// positive).
Eigen::Vector2d ToPathVelocity(const PathPoint& at, const Eigen::Vector2d& velocity_vehicle);

}  // namespace longtail::pipeline
