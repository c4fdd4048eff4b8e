// Oriented 3D boxes and object classes: the geometry every stage and every label format shares.
#pragma once

#include <Eigen/Core>
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace longtail::sensors {

// Centre-based box in the vehicle frame (ISO 8855: x forward, y left, z up).
struct Box3D {
  Eigen::Vector3d center = Eigen::Vector3d::Zero();  // m, vehicle frame
  double length = 0;                                 // m, along the heading (the box's local +x)
  double width = 0;                                  // m, across the heading (local +y)
  double height = 0;                                 // m, along z
  double yaw = 0;  // rad about +z, 0 = heading along +x, counter-clockwise positive, in (-pi, pi]
};

// The eight corners: bottom face counter-clockwise from front-left, then the top face in the same
// order.
std::array<Eigen::Vector3d, 8> Corners(const Box3D& box);
bool Contains(const Box3D& box, const Eigen::Vector3d& point, double margin = 0.0);
// Intersection over union of the two boxes' footprints seen from above (z ignored).
double BevIoU(const Box3D& a, const Box3D& b);
// Wraps an angle to (-pi, pi].
double WrapAngle(double radians);

enum class ObjectClass { kUnknown, kCar, kVan, kTruck, kPedestrian, kCyclist, kTram, kMisc };
std::string_view ToString(ObjectClass c);
std::optional<ObjectClass> ParseObjectClass(
    std::string_view name);                // "Car", "car", "Person_sitting" ...
bool IsVehicle(ObjectClass c);             // car, van, truck, tram
bool IsVulnerableRoadUser(ObjectClass c);  // pedestrian, cyclist

// A box with what a label carries besides geometry.
struct LabeledBox {
  Box3D box;
  ObjectClass object_class = ObjectClass::kUnknown;
  int track_id = -1;   // -1 when the label has no identity across frames
  double score = 1.0;  // detector confidence in [0,1]; 1 for ground truth
};

}  // namespace longtail::sensors
