// Foxglove's CubePrimitive geometry (foxglove.SceneUpdate -> SceneEntity.cubes): pose at the cube's
// centre with an x,y,z,w quaternion, size along the cube's own x, y, z. Plain data here so the MCAP
// writer fills the generated protobuf message field by field without this library depending on it.
#pragma once

#include <Eigen/Geometry>

#include "sensors/box3d.h"

namespace longtail::labeling {

struct FoxgloveCube {
  Eigen::Vector3d position = Eigen::Vector3d::Zero();  // m, centre, in the message's frame_id
  // Rotation of the cube's axes (x along the heading); Foxglove serialises it as x, y, z, w.
  Eigen::Quaterniond orientation = Eigen::Quaterniond::Identity();
  Eigen::Vector3d size = Eigen::Vector3d::Zero();  // m: length, width, height of the box
};

// Boxes are in the vehicle frame, so the cube's frame_id is the vehicle frame's.
FoxgloveCube BoxToFoxgloveCube(const sensors::Box3D& box);
// The inverse. A tilted cube (roll or pitch) keeps its heading's ground-plane direction as yaw.
sensors::Box3D FoxgloveCubeToBox(const FoxgloveCube& cube);

}  // namespace longtail::labeling
