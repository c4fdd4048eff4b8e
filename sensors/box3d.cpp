#include "sensors/box3d.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <vector>

namespace longtail::sensors {
namespace {

using Polygon = std::vector<Eigen::Vector2d>;

Polygon Footprint(const Box3D& box) {
  const double c = std::cos(box.yaw), s = std::sin(box.yaw);
  const double hl = box.length / 2, hw = box.width / 2;
  Polygon polygon;
  for (const auto& [dx, dy] : {std::pair{hl, hw}, {-hl, hw}, {-hl, -hw}, {hl, -hw}}) {
    polygon.emplace_back(box.center.x() + c * dx - s * dy, box.center.y() + s * dx + c * dy);
  }
  return polygon;
}

double Cross(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return a.x() * b.y() - a.y() * b.x();
}

double Area(const Polygon& polygon) {
  double twice = 0;
  for (std::size_t i = 0; i < polygon.size(); ++i) {
    twice += Cross(polygon[i], polygon[(i + 1) % polygon.size()]);
  }
  return std::abs(twice) / 2;
}

// Sutherland-Hodgman: clips `subject` by each edge of the convex counter-clockwise `clip`.
Polygon Intersect(Polygon subject, const Polygon& clip) {
  for (std::size_t i = 0; i < clip.size() && !subject.empty(); ++i) {
    const Eigen::Vector2d a = clip[i], b = clip[(i + 1) % clip.size()];
    const auto inside = [&](const Eigen::Vector2d& p) { return Cross(b - a, p - a) >= 0; };
    Polygon output;
    for (std::size_t j = 0; j < subject.size(); ++j) {
      const Eigen::Vector2d p = subject[j], q = subject[(j + 1) % subject.size()];
      const bool p_in = inside(p), q_in = inside(q);
      if (p_in) output.push_back(p);
      if (p_in != q_in) {
        const double t = Cross(b - a, a - p) / Cross(b - a, q - p);
        output.push_back(p + t * (q - p));
      }
    }
    subject = std::move(output);
  }
  return subject;
}

}  // namespace

std::array<Eigen::Vector3d, 8> Corners(const Box3D& box) {
  const Polygon footprint = Footprint(box);
  std::array<Eigen::Vector3d, 8> corners;
  for (int i = 0; i < 4; ++i) {
    corners[i] = {footprint[i].x(), footprint[i].y(), box.center.z() - box.height / 2};
    corners[i + 4] = {footprint[i].x(), footprint[i].y(), box.center.z() + box.height / 2};
  }
  return corners;
}

bool Contains(const Box3D& box, const Eigen::Vector3d& point, double margin) {
  const Eigen::Vector3d d = point - box.center;
  const double c = std::cos(box.yaw), s = std::sin(box.yaw);
  const double local_x = c * d.x() + s * d.y();
  const double local_y = -s * d.x() + c * d.y();
  return std::abs(local_x) <= box.length / 2 + margin &&
         std::abs(local_y) <= box.width / 2 + margin && std::abs(d.z()) <= box.height / 2 + margin;
}

double BevIoU(const Box3D& a, const Box3D& b) {
  const double area_a = a.length * a.width, area_b = b.length * b.width;
  if (area_a <= 0 || area_b <= 0) return 0;
  const double reach = (std::hypot(a.length, a.width) + std::hypot(b.length, b.width)) / 2;
  if ((a.center.head<2>() - b.center.head<2>()).norm() > reach) return 0;
  const double inter = Area(Intersect(Footprint(a), Footprint(b)));
  return inter / (area_a + area_b - inter);
}

double WrapAngle(double radians) {
  double wrapped = std::remainder(radians, 2 * std::numbers::pi);  // [-pi, pi]
  if (wrapped <= -std::numbers::pi) wrapped += 2 * std::numbers::pi;
  return wrapped;
}

std::string_view ToString(ObjectClass c) {
  switch (c) {
    case ObjectClass::kCar:
      return "Car";
    case ObjectClass::kVan:
      return "Van";
    case ObjectClass::kTruck:
      return "Truck";
    case ObjectClass::kPedestrian:
      return "Pedestrian";
    case ObjectClass::kCyclist:
      return "Cyclist";
    case ObjectClass::kTram:
      return "Tram";
    case ObjectClass::kMisc:
      return "Misc";
    case ObjectClass::kUnknown:
      break;
  }
  return "Unknown";
}

std::optional<ObjectClass> ParseObjectClass(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "car") return ObjectClass::kCar;
  if (lower == "van") return ObjectClass::kVan;
  if (lower == "truck") return ObjectClass::kTruck;
  if (lower == "pedestrian" || lower == "person_sitting" || lower == "person") {
    return ObjectClass::kPedestrian;
  }
  if (lower == "cyclist" || lower == "bicycle") return ObjectClass::kCyclist;
  if (lower == "tram") return ObjectClass::kTram;
  if (lower == "misc") return ObjectClass::kMisc;
  if (lower == "unknown") return ObjectClass::kUnknown;
  return std::nullopt;
}

bool IsVehicle(ObjectClass c) {
  return c == ObjectClass::kCar || c == ObjectClass::kVan || c == ObjectClass::kTruck ||
         c == ObjectClass::kTram;
}

bool IsVulnerableRoadUser(ObjectClass c) {
  return c == ObjectClass::kPedestrian || c == ObjectClass::kCyclist;
}

}  // namespace longtail::sensors
