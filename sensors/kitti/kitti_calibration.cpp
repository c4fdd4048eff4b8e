#include "sensors/kitti/kitti_calibration.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sensors/atomic_file.h"
#include "sensors/file_limits.h"
#include "sensors/log_reader.h"

namespace longtail::sensors {
namespace {

using Values = std::map<std::string, std::vector<double>>;

const std::vector<double>& Require(const Values& values, const std::filesystem::path& file,
                                   std::initializer_list<const char*> keys, std::size_t count) {
  for (const char* key : keys) {
    const auto it = values.find(key);
    if (it == values.end()) continue;
    if (it->second.size() != count) {
      throw LogError(file.string(), std::string("key ") + key + " has " +
                                        std::to_string(it->second.size()) + " values, expected " +
                                        std::to_string(count));
    }
    return it->second;
  }
  throw LogError(file.string(), std::string("missing calibration key ") + *keys.begin());
}

Eigen::Matrix3d Matrix3(const std::vector<double>& v) {
  Eigen::Matrix3d m;
  m << v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8];
  return m;
}

// A rotation written with KITTI's 6-9 significant digits is orthonormal to about 1e-6; 1e-3 lets
// any honest rounding through and stops a scaled, sheared or mirrored matrix, which would stretch
// every point the calibration moves.
constexpr double kRotationTolerance = 1e-3;

Eigen::Matrix3d RequireRotation(const Eigen::Matrix3d& m, const std::filesystem::path& file,
                                const std::string& key) {
  const double error = (m * m.transpose() - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff();
  if (error > kRotationTolerance || m.determinant() <= 0) {
    throw LogError(file.string(), "key " + key + " is not a rotation (R R^T differs from I by " +
                                      std::to_string(error) + ", det " +
                                      std::to_string(m.determinant()) + ")");
  }
  return m;
}

// Focal lengths must be positive: a zero or negative one projects every point onto a line or
// behind the camera.
Eigen::Matrix<double, 3, 4> RequireProjection(const Eigen::Matrix<double, 3, 4>& p,
                                              const std::filesystem::path& file,
                                              const std::string& key) {
  if (!(p(0, 0) > 0 && p(1, 1) > 0 && p(2, 2) > 0)) {
    throw LogError(file.string(), "key " + key +
                                      " is not a camera projection (focal lengths and P[2][2] "
                                      "must be positive)");
  }
  return p;
}

int RequireImageSide(double value, const std::filesystem::path& file, const std::string& key) {
  if (!(value >= 1 && value <= 100000)) {
    throw LogError(file.string(), "key " + key + " has an image size of " + std::to_string(value) +
                                      " px, outside 1-100000");
  }
  return static_cast<int>(value);
}

Eigen::Matrix<double, 3, 4> Matrix34(const std::vector<double>& v) {
  Eigen::Matrix<double, 3, 4> m;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) m(r, c) = v[r * 4 + c];
  }
  return m;
}

Eigen::Isometry3d Rigid(const Eigen::Matrix3d& rotation, const Eigen::Vector3d& translation) {
  Eigen::Isometry3d t = Eigen::Isometry3d::Identity();
  t.linear() = rotation;
  t.translation() = translation;
  return t;
}

// R_rect is a pure rotation in the cameras' shared rectified frame; applied as an isometry.
Eigen::Isometry3d Rotation(const Eigen::Matrix3d& rotation) {
  return Rigid(rotation, Eigen::Vector3d::Zero());
}

std::string FormatValues(const double* values, int count) {
  std::string text;
  char buffer[32];
  for (int i = 0; i < count; ++i) {
    std::snprintf(buffer, sizeof(buffer), "%s%.9e", i ? " " : "", values[i]);
    text += buffer;
  }
  return text;
}

}  // namespace

Values ParseKittiCalibrationFile(const std::filesystem::path& file) {
  if (const auto problem = FileSizeProblem(file, kMaxSmallTextBytes, "a calibration file")) {
    throw LogError(file.string(), "calibration file: " + *problem);
  }
  std::ifstream in(file);
  if (!in) throw LogError(file.string(), "cannot open calibration file");
  Values values;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string key, rest;
    if (const auto colon = line.find(':'); colon != std::string::npos) {
      key = line.substr(0, colon);
      rest = line.substr(colon + 1);
    } else {  // the tracking devkit's "R_rect 0.99 ..." spelling
      const auto space = line.find_first_of(" \t");
      key = line.substr(0, space);
      rest = space == std::string::npos ? "" : line.substr(space);
    }
    if (key == "calib_time") continue;  // a date, not numbers
    std::vector<double> numbers;
    std::istringstream stream(rest);
    std::string token;
    while (stream >> token) {
      double value;
      const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (error != std::errc() || end != token.data() + token.size() || !std::isfinite(value)) {
        throw LogError(file.string(), "line " + std::to_string(line_number) + ": value '" +
                                          Excerpt(token) + "' of key " + Excerpt(key) +
                                          " is not a finite number");
      }
      numbers.push_back(value);
    }
    values[key] = std::move(numbers);
  }
  return values;
}

Calibration ReadKittiRawCalibration(const std::filesystem::path& date_dir) {
  const std::filesystem::path cam_file = date_dir / "calib_cam_to_cam.txt";
  const std::filesystem::path velo_file = date_dir / "calib_velo_to_cam.txt";
  const Values cam = ParseKittiCalibrationFile(cam_file);
  const Values velo = ParseKittiCalibrationFile(velo_file);

  const Eigen::Isometry3d cam0_from_velo =
      Rigid(RequireRotation(Matrix3(Require(velo, velo_file, {"R"}, 9)), velo_file, "R"),
            Eigen::Vector3d(Require(velo, velo_file, {"T"}, 3).data()));
  const Eigen::Isometry3d rect0_from_cam0 = Rotation(
      RequireRotation(Matrix3(Require(cam, cam_file, {"R_rect_00"}, 9)), cam_file, "R_rect_00"));

  Calibration calibration;  // vehicle frame = Velodyne frame
  for (int i = 0; i < 4; ++i) {
    const std::string suffix = "_0" + std::to_string(i);
    if (!cam.count("P_rect" + suffix)) continue;
    CameraModel camera;
    camera.name = "image" + suffix;
    const std::string projection_key = "P_rect" + suffix;
    camera.projection = RequireProjection(
        Matrix34(Require(cam, cam_file, {projection_key.c_str()}, 12)), cam_file, projection_key);
    const std::string size_key = "S_rect" + suffix;
    const auto& size = Require(cam, cam_file, {size_key.c_str()}, 2);
    camera.width = RequireImageSide(size[0], cam_file, size_key);
    camera.height = RequireImageSide(size[1], cam_file, size_key);
    camera.camera_from_vehicle = rect0_from_cam0 * cam0_from_velo;
    calibration.cameras.push_back(camera);
  }
  if (calibration.cameras.empty()) throw LogError(cam_file.string(), "no P_rect_0N camera found");
  return calibration;
}

Calibration ReadKittiBenchmarkCalibration(const std::filesystem::path& file, int width,
                                          int height) {
  const Values values = ParseKittiCalibrationFile(file);
  const auto& tr = Require(values, file, {"Tr_velo_to_cam", "Tr_velo_cam"}, 12);
  Eigen::Isometry3d cam0_from_velo = Eigen::Isometry3d::Identity();
  cam0_from_velo.matrix().topRows<3>() = Matrix34(tr);
  RequireRotation(cam0_from_velo.linear(), file, "Tr_velo_to_cam");
  Calibration calibration;
  CameraModel camera;
  camera.name = "image_2";
  camera.width = width;
  camera.height = height;
  camera.projection = RequireProjection(Matrix34(Require(values, file, {"P2"}, 12)), file, "P2");
  camera.camera_from_vehicle =
      Rotation(RequireRotation(Matrix3(Require(values, file, {"R0_rect", "R_rect"}, 9)), file,
                               "R0_rect")) *
      cam0_from_velo;
  calibration.cameras.push_back(camera);
  return calibration;
}

void WriteKittiRawCalibration(const Calibration& calibration,
                              const std::filesystem::path& date_dir) {
  if (calibration.cameras.empty()) throw std::invalid_argument("calibration has no camera");
  // camera_from_vehicle = R_rect_00 * velo_to_cam0; we write R_rect_00 = I and fold it all into
  // velo_to_cam, which reproduces the same camera_from_vehicle on reading.
  const Eigen::Isometry3d cam_from_velo =
      calibration.cameras.front().camera_from_vehicle * calibration.vehicle_from_lidar;
  std::ostringstream velo;
  const Eigen::Matrix<double, 3, 3, Eigen::RowMajor> r = cam_from_velo.linear();
  const Eigen::Vector3d t = cam_from_velo.translation();
  velo << "calib_time: synthesised\nR: " << FormatValues(r.data(), 9)
       << "\nT: " << FormatValues(t.data(), 3) << "\n";
  std::ostringstream cam;
  const double identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  cam << "calib_time: synthesised\nR_rect_00: " << FormatValues(identity, 9) << "\n";
  for (const CameraModel& camera : calibration.cameras) {
    if (camera.name.size() != 8 || camera.name.rfind("image_0", 0) != 0) {
      throw std::invalid_argument("KITTI camera names are image_00..image_03, not " + camera.name);
    }
    const std::string suffix = camera.name.substr(5);
    const double size[2] = {double(camera.width), double(camera.height)};
    const Eigen::Matrix<double, 3, 4, Eigen::RowMajor> p = camera.projection;
    cam << "S_rect" << suffix << ": " << FormatValues(size, 2) << "\n";
    if (suffix != "_00") cam << "R_rect" << suffix << ": " << FormatValues(identity, 9) << "\n";
    cam << "P_rect" << suffix << ": " << FormatValues(p.data(), 12) << "\n";
  }
  std::filesystem::create_directories(date_dir);
  WriteFileAtomically(date_dir / "calib_velo_to_cam.txt", velo.str());
  WriteFileAtomically(date_dir / "calib_cam_to_cam.txt", cam.str());
}

}  // namespace longtail::sensors
