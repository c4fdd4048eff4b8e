#include "labeling/formats/foxglove_cube.h"

#include <cmath>

namespace longtail::labeling {

FoxgloveCube BoxToFoxgloveCube(const sensors::Box3D& box) {
  FoxgloveCube cube;
  cube.position = box.center;
  cube.orientation = Eigen::Quaterniond(Eigen::AngleAxisd(box.yaw, Eigen::Vector3d::UnitZ()));
  cube.size = {box.length, box.width, box.height};
  return cube;
}

sensors::Box3D FoxgloveCubeToBox(const FoxgloveCube& cube) {
  const Eigen::Vector3d heading = cube.orientation.normalized() * Eigen::Vector3d::UnitX();
  sensors::Box3D box;
  box.center = cube.position;
  box.length = cube.size.x();
  box.width = cube.size.y();
  box.height = cube.size.z();
  box.yaw = sensors::WrapAngle(std::atan2(heading.y(), heading.x()));
  return box;
}

}  // namespace longtail::labeling
