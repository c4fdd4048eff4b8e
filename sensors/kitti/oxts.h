// KITTI oxts records (GPS/IMU) and their conversion to ego poses.
#pragma once

#include <Eigen/Geometry>
#include <array>
#include <optional>
#include <string>

#include "sensors/decode_result.h"

namespace longtail::sensors {

// The 30 values of one oxts/data/*.txt line, in dataformat.txt order.
struct OxtsRecord {
  double lat = 0, lon = 0, alt = 0;               // deg, deg, m
  double roll = 0, pitch = 0, yaw = 0;            // rad; yaw 0 = east, counter-clockwise
  double vn = 0, ve = 0, vf = 0, vl = 0, vu = 0;  // m/s: north, east, forward, left, up
  std::array<double, 19> rest{};                  // ax ... velmode orimode, kept for writing back
};

// One oxts/data/*.txt line; a short line is kTruncated, a bad or extra value kMalformed.
Decoded<OxtsRecord> ParseOxts(const std::string& line);
std::string FormatOxts(const OxtsRecord& record);

// KITTI devkit convention: a Mercator projection scaled at the first record's latitude gives x
// east, y north (m); the IMU's orientation is Rz(yaw) Ry(pitch) Rx(roll).
Eigen::Isometry3d WorldFromImu(const OxtsRecord& record, double mercator_scale);
double MercatorScale(double latitude_deg);
// The inverse: lat/lon/alt/roll/pitch/yaw of a pose (velocities untouched).
OxtsRecord OxtsFromWorldFromImu(const Eigen::Isometry3d& world_from_imu, double mercator_scale,
                                OxtsRecord base = {});

}  // namespace longtail::sensors
