#include "sensors/kitti/oxts.h"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <sstream>

namespace longtail::sensors {
namespace {
constexpr double kEarthRadius = 6378137.0;  // m, WGS84 equatorial radius (KITTI devkit)
constexpr double kDeg = std::numbers::pi / 180.0;
}  // namespace

Decoded<OxtsRecord> ParseOxts(const std::string& line) {
  std::istringstream in(line);
  double values[30];
  int count = 0;
  std::string token;
  while (in >> token) {
    if (count == 30) {
      return DecodeError{DecodeErrorKind::kMalformed, "more than 30 values"};
    }
    char* end = nullptr;
    values[count] = std::strtod(token.c_str(), &end);
    if (end == token.c_str() || *end != '\0' || !std::isfinite(values[count])) {
      return DecodeError{DecodeErrorKind::kMalformed, "value " + std::to_string(count + 1) +
                                                          " is not a number: '" + token + "'"};
    }
    ++count;
  }
  if (count != 30) {
    return DecodeError{DecodeErrorKind::kTruncated,
                       "expected 30 values, found " + std::to_string(count)};
  }
  if (std::abs(values[0]) > 90 || std::abs(values[1]) > 180) {
    return DecodeError{DecodeErrorKind::kMalformed,
                       "latitude/longitude " + std::to_string(values[0]) + " " +
                           std::to_string(values[1]) + " is not a place on Earth"};
  }
  OxtsRecord r;
  r.lat = values[0], r.lon = values[1], r.alt = values[2];
  r.roll = values[3], r.pitch = values[4], r.yaw = values[5];
  r.vn = values[6], r.ve = values[7], r.vf = values[8], r.vl = values[9], r.vu = values[10];
  for (int i = 0; i < 19; ++i) r.rest[i] = values[11 + i];
  return r;
}

std::string FormatOxts(const OxtsRecord& r) {
  std::string text;
  char buffer[48];
  const double head[11] = {r.lat, r.lon, r.alt, r.roll, r.pitch, r.yaw,
                           r.vn,  r.ve,  r.vf,  r.vl,   r.vu};
  for (double v : head) {
    std::snprintf(buffer, sizeof(buffer), "%.15g ", v);
    text += buffer;
  }
  for (std::size_t i = 0; i < r.rest.size(); ++i) {
    std::snprintf(buffer, sizeof(buffer), i + 1 < r.rest.size() ? "%.15g " : "%.15g", r.rest[i]);
    text += buffer;
  }
  return text;
}

double MercatorScale(double latitude_deg) { return std::cos(latitude_deg * kDeg); }

Eigen::Isometry3d WorldFromImu(const OxtsRecord& r, double scale) {
  const double x = scale * r.lon * kDeg * kEarthRadius;
  const double y = scale * kEarthRadius * std::log(std::tan((90.0 + r.lat) * kDeg / 2));
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.linear() = (Eigen::AngleAxisd(r.yaw, Eigen::Vector3d::UnitZ()) *
                   Eigen::AngleAxisd(r.pitch, Eigen::Vector3d::UnitY()) *
                   Eigen::AngleAxisd(r.roll, Eigen::Vector3d::UnitX()))
                      .toRotationMatrix();
  pose.translation() = Eigen::Vector3d(x, y, r.alt);
  return pose;
}

OxtsRecord OxtsFromWorldFromImu(const Eigen::Isometry3d& pose, double scale, OxtsRecord base) {
  const Eigen::Vector3d t = pose.translation();
  base.lon = t.x() / (scale * kDeg * kEarthRadius);
  base.lat = 2 * std::atan(std::exp(t.y() / (scale * kEarthRadius))) / kDeg - 90.0;
  base.alt = t.z();
  const Eigen::Matrix3d r = pose.linear();
  // Inverse of Rz(yaw) Ry(pitch) Rx(roll).
  base.pitch = std::asin(std::clamp(-r(2, 0), -1.0, 1.0));
  base.roll = std::atan2(r(2, 1), r(2, 2));
  base.yaw = std::atan2(r(1, 0), r(0, 0));
  return base;
}

}  // namespace longtail::sensors
