#include "sensors/mcap/foxglove_log.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>

#include "foxglove/CameraCalibration.pb.h"
#include "foxglove/CompressedImage.pb.h"
#include "foxglove/FrameTransforms.pb.h"
#include "foxglove/PointCloud.pb.h"
#include "sensors/mcap/foxglove_schemas.h"

namespace longtail::sensors::mcap {
namespace {

void SetStamp(Timestamp t, google::protobuf::Timestamp* out) {
  const std::int64_t ns = ToNanos(t);
  // Floor division: protobuf Timestamps keep nanos in [0, 1e9) also before 1970.
  std::int64_t seconds = ns / 1'000'000'000;
  std::int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<std::int32_t>(nanos));
}
Timestamp GetStamp(const google::protobuf::Timestamp& t) {
  return FromNanos(t.seconds() * 1'000'000'000 + t.nanos());
}
std::uint64_t McapTime(Timestamp t) { return static_cast<std::uint64_t>(ToNanos(t)); }

void SetPose(const Eigen::Isometry3d& pose, foxglove::Vector3* translation,
             foxglove::Quaternion* rotation) {
  const Eigen::Quaterniond q(pose.rotation());
  translation->set_x(pose.translation().x());
  translation->set_y(pose.translation().y());
  translation->set_z(pose.translation().z());
  rotation->set_x(q.x());
  rotation->set_y(q.y());
  rotation->set_z(q.z());
  rotation->set_w(q.w());
}
Eigen::Isometry3d GetPose(const foxglove::Vector3& translation,
                          const foxglove::Quaternion& rotation, bool has_rotation) {
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  // An absent rotation decodes as all zeros: read it as identity, as Foxglove does.
  if (has_rotation) {
    Eigen::Quaterniond q(rotation.w(), rotation.x(), rotation.y(), rotation.z());
    if (q.norm() > 0) pose.linear() = q.normalized().toRotationMatrix();
  }
  pose.translation() = Eigen::Vector3d(translation.x(), translation.y(), translation.z());
  return pose;
}

template <typename Matrix>
std::string FormatMatrix(const Matrix& m) {
  std::ostringstream out;
  out.precision(17);
  for (int r = 0; r < m.rows(); ++r) {
    for (int c = 0; c < m.cols(); ++c) out << (r || c ? " " : "") << m(r, c);
  }
  return out.str();
}
std::optional<Eigen::Matrix<double, 3, 4>> ParseMatrix34(const std::string& text) {
  std::istringstream in(text);
  Eigen::Matrix<double, 3, 4> m;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) {
      if (!(in >> m(r, c))) return std::nullopt;
    }
  }
  return m;
}
Eigen::Isometry3d ToIsometry(const Eigen::Matrix<double, 3, 4>& m) {
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.matrix().topRows<3>() = m;
  return pose;
}

// Nothing when `data` parses into `message`, else the error to return.
std::optional<DecodeError> Parse(google::protobuf::MessageLite& message, ByteView data,
                                 const char* type) {
  if (message.ParseFromArray(data.data(), static_cast<int>(data.size()))) return std::nullopt;
  return DecodeError{
      DecodeErrorKind::kMalformed,
      std::string("not a valid ") + type + " message (" + std::to_string(data.size()) + " bytes)"};
}

// Reads one numeric field of a packed point as a float.
float ReadNumeric(const std::uint8_t* p, int type) {
  switch (type) {
    case foxglove::PackedElementField::UINT8:
      return *p;
    case foxglove::PackedElementField::INT8:
      return static_cast<std::int8_t>(*p);
    case foxglove::PackedElementField::UINT16: {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case foxglove::PackedElementField::INT16: {
      std::int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case foxglove::PackedElementField::UINT32: {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<float>(v);
    }
    case foxglove::PackedElementField::INT32: {
      std::int32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<float>(v);
    }
    case foxglove::PackedElementField::FLOAT32: {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case foxglove::PackedElementField::FLOAT64: {
      double v;
      std::memcpy(&v, p, 8);
      return static_cast<float>(v);
    }
    default:
      return 0;
  }
}
int NumericBytes(int type) {
  switch (type) {
    case foxglove::PackedElementField::UINT8:
    case foxglove::PackedElementField::INT8:
      return 1;
    case foxglove::PackedElementField::UINT16:
    case foxglove::PackedElementField::INT16:
      return 2;
    case foxglove::PackedElementField::FLOAT64:
      return 8;
    case foxglove::PackedElementField::UNKNOWN:
      return 0;
    default:
      return 4;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writing

FoxgloveLogWriter::FoxgloveLogWriter(const std::filesystem::path& path,
                                     const proto::McapWriterOptions& writer_options,
                                     const proto::FoxgloveLogOptions& log_options)
    : writer_(path, writer_options), options_(log_options) {}

std::uint16_t FoxgloveLogWriter::Channel(const std::string& topic,
                                         const google::protobuf::Descriptor& type) {
  auto it = channels_.find(topic);
  if (it != channels_.end()) return it->second;
  const Schema schema = ProtobufSchema(type);
  const std::uint16_t schema_id = writer_.AddSchema(schema.name, schema.encoding, schema.data);
  const std::uint16_t id = writer_.AddChannel(topic, kProtobufEncoding, schema_id);
  channels_[topic] = id;
  return id;
}

void FoxgloveLogWriter::WriteCalibration(const Calibration& calibration, Timestamp stamp) {
  const std::uint64_t time = McapTime(stamp);
  foxglove::FrameTransforms transforms;
  auto add = [&](const std::string& child, const Eigen::Isometry3d& vehicle_from_child) {
    foxglove::FrameTransform* t = transforms.add_transforms();
    SetStamp(stamp, t->mutable_timestamp());
    t->set_parent_frame_id(options_.vehicle_frame_id());
    t->set_child_frame_id(child);
    SetPose(vehicle_from_child, t->mutable_translation(), t->mutable_rotation());
  };
  add(options_.lidar_frame_id(), calibration.vehicle_from_lidar);
  Metadata exact{kCalibrationMetadataName, {}};
  exact.metadata["lidar_height_m"] =
      FormatMatrix(Eigen::Matrix<double, 1, 1>(calibration.lidar_height_m));
  exact.metadata["vehicle_from_lidar"] =
      FormatMatrix(calibration.vehicle_from_lidar.matrix().topRows<3>().eval());
  for (const CameraModel& camera : calibration.cameras) {
    add(camera.name, camera.camera_from_vehicle.inverse());
    exact.metadata["camera." + camera.name + ".camera_from_vehicle"] =
        FormatMatrix(camera.camera_from_vehicle.matrix().topRows<3>().eval());
    exact.metadata["camera." + camera.name + ".projection"] = FormatMatrix(camera.projection);

    foxglove::CameraCalibration info;
    SetStamp(stamp, info.mutable_timestamp());
    info.set_frame_id(camera.name);
    info.set_width(static_cast<std::uint32_t>(camera.width));
    info.set_height(static_cast<std::uint32_t>(camera.height));
    info.set_distortion_model("plumb_bob");  // rectified images: no distortion left
    for (int i = 0; i < 5; ++i) info.add_d(0.0);
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) {
        info.add_k(camera.projection(r, c));
        info.add_r(r == c ? 1.0 : 0.0);
      }
    }
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 4; ++c) info.add_p(camera.projection(r, c));
    }
    const std::string bytes = info.SerializeAsString();
    writer_.WriteMessage(
        Channel(options_.camera_topic_prefix() + camera.name + options_.calibration_topic_suffix(),
                *foxglove::CameraCalibration::descriptor()),
        time, time, ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }
  const std::string bytes = transforms.SerializeAsString();
  writer_.WriteMessage(
      Channel(options_.static_transforms_topic(), *foxglove::FrameTransforms::descriptor()), time,
      time, ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  writer_.WriteMetadata(exact);
}

void FoxgloveLogWriter::Write(const Frame& frame) {
  if (frame.calibration && frame.calibration != written_calibration_ &&
      (!written_calibration_ || !frame.calibration->cameras.empty() ||
       !written_calibration_->cameras.empty())) {
    Timestamp first = frame.lidar.stamp;
    for (const CameraFrame& camera : frame.cameras) first = std::min(first, camera.image.stamp);
    WriteCalibration(*frame.calibration, first);
    written_calibration_ = frame.calibration;
  }

  foxglove::PointCloud cloud;
  SetStamp(frame.lidar.stamp, cloud.mutable_timestamp());
  cloud.set_frame_id(options_.lidar_frame_id());
  cloud.mutable_pose()->mutable_orientation()->set_w(1.0);
  cloud.mutable_pose()->mutable_position();
  cloud.set_point_stride(sizeof(LidarPoint));
  const char* names[] = {"x", "y", "z", "intensity"};
  for (int i = 0; i < 4; ++i) {
    foxglove::PackedElementField* field = cloud.add_fields();
    field->set_name(names[i]);
    field->set_offset(static_cast<std::uint32_t>(4 * i));
    field->set_type(foxglove::PackedElementField::FLOAT32);
  }
  cloud.set_data(frame.lidar.points.data(), frame.lidar.points.size() * sizeof(LidarPoint));
  const std::string bytes = cloud.SerializeAsString();
  const std::uint64_t lidar_time = McapTime(frame.lidar.stamp);
  writer_.WriteMessage(Channel(options_.lidar_topic(), *foxglove::PointCloud::descriptor()),
                       lidar_time, lidar_time,
                       ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));

  for (const CameraFrame& camera : frame.cameras) {
    const CameraImage& image = camera.image;
    // A camera image nearest to two scans appears in both frames; it was recorded once.
    auto last = last_image_stamp_.find(image.camera);
    if (last != last_image_stamp_.end() && last->second == image.stamp) continue;
    last_image_stamp_[image.camera] = image.stamp;
    foxglove::CompressedImage message;
    SetStamp(image.stamp, message.mutable_timestamp());
    message.set_frame_id(image.camera);
    message.set_format(image.format);
    if (image.data) message.set_data(image.data->data(), image.data->size());
    const std::string encoded = message.SerializeAsString();
    const std::uint64_t time = McapTime(image.stamp);
    writer_.WriteMessage(
        Channel(options_.camera_topic_prefix() + image.camera + options_.image_topic_suffix(),
                *foxglove::CompressedImage::descriptor()),
        time, time,
        ByteView(reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()));
  }

  if (frame.ego && frame.ego->stamp != last_pose_stamp_) {
    last_pose_stamp_ = frame.ego->stamp;
    foxglove::FrameTransforms transforms;
    foxglove::FrameTransform* t = transforms.add_transforms();
    SetStamp(frame.ego->stamp, t->mutable_timestamp());
    t->set_parent_frame_id(options_.world_frame_id());
    t->set_child_frame_id(options_.vehicle_frame_id());
    SetPose(frame.ego->world_from_vehicle, t->mutable_translation(), t->mutable_rotation());
    const std::string encoded = transforms.SerializeAsString();
    const std::uint64_t time = McapTime(frame.ego->stamp);
    writer_.WriteMessage(
        Channel(options_.transforms_topic(), *foxglove::FrameTransforms::descriptor()), time, time,
        ByteView(reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()));
  }
}

void FoxgloveLogWriter::Close() { writer_.Close(); }

// ---------------------------------------------------------------------------------------------
// Reading

Decoded<LidarScan> DecodePointCloud(ByteView data) {
  foxglove::PointCloud cloud;
  if (auto error = Parse(cloud, data, "foxglove.PointCloud")) return std::move(*error);
  const foxglove::PackedElementField* fields[4] = {nullptr, nullptr, nullptr, nullptr};
  for (const foxglove::PackedElementField& field : cloud.fields()) {
    const std::string& name = field.name();
    const int slot = name == "x"                                                     ? 0
                     : name == "y"                                                   ? 1
                     : name == "z"                                                   ? 2
                     : (name == "intensity" || name == "reflectance" || name == "i") ? 3
                                                                                     : -1;
    if (slot >= 0) fields[slot] = &field;
  }
  if (!fields[0] || !fields[1] || !fields[2]) {
    return DecodeError{DecodeErrorKind::kMalformed,
                       "foxglove.PointCloud without x, y and z fields"};
  }
  const std::uint32_t stride = cloud.point_stride();
  for (const auto* field : fields) {
    if (field && (NumericBytes(field->type()) == 0 ||
                  field->offset() + NumericBytes(field->type()) > stride)) {
      return DecodeError{DecodeErrorKind::kMalformed,
                         "foxglove.PointCloud field '" + field->name() +
                             "' lies outside the point stride " + std::to_string(stride)};
    }
  }
  const std::string& bytes = cloud.data();
  if (stride == 0 || bytes.size() % stride != 0) {
    return DecodeError{DecodeErrorKind::kMalformed, "foxglove.PointCloud data of " +
                                                        std::to_string(bytes.size()) +
                                                        " bytes is not a whole number of " +
                                                        std::to_string(stride) + "-byte points"};
  }
  LidarScan scan;
  scan.stamp = GetStamp(cloud.timestamp());
  const std::size_t n = bytes.size() / stride;
  scan.points.resize(n);
  const bool native = stride == sizeof(LidarPoint) && fields[3];
  bool fast = native;
  for (int i = 0; fast && i < 4; ++i) {
    fast = fields[i]->offset() == static_cast<std::uint32_t>(4 * i) &&
           fields[i]->type() == foxglove::PackedElementField::FLOAT32;
  }
  if (fast) {
    std::memcpy(scan.points.data(), bytes.data(), bytes.size());  // our layout: no conversion
  } else {
    const auto* base = reinterpret_cast<const std::uint8_t*>(bytes.data());
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint8_t* p = base + i * stride;
      LidarPoint& point = scan.points[i];
      point.x = ReadNumeric(p + fields[0]->offset(), fields[0]->type());
      point.y = ReadNumeric(p + fields[1]->offset(), fields[1]->type());
      point.z = ReadNumeric(p + fields[2]->offset(), fields[2]->type());
      if (fields[3]) point.intensity = ReadNumeric(p + fields[3]->offset(), fields[3]->type());
    }
  }
  // Points are given relative to `pose` in frame_id: fold a non-identity pose into the points.
  if (cloud.has_pose()) {
    const Eigen::Isometry3d pose = GetPose(cloud.pose().position(), cloud.pose().orientation(),
                                           cloud.pose().has_orientation());
    if (!pose.isApprox(Eigen::Isometry3d::Identity())) {
      const Eigen::Isometry3f posef = pose.cast<float>();
      for (LidarPoint& point : scan.points) {
        const Eigen::Vector3f p = posef * Eigen::Vector3f(point.x, point.y, point.z);
        point.x = p.x();
        point.y = p.y();
        point.z = p.z();
      }
    }
  }
  return scan;
}

Decoded<CameraImage> DecodeCompressedImage(ByteView data) {
  foxglove::CompressedImage message;
  if (auto error = Parse(message, data, "foxglove.CompressedImage")) return std::move(*error);
  CameraImage image;
  image.camera = message.frame_id();
  image.stamp = GetStamp(message.timestamp());
  image.format = message.format();
  // Foxglove also accepts media types; the log model says "png" or "jpeg".
  if (image.format == "image/png") image.format = "png";
  if (image.format == "image/jpeg" || image.format == "jpg") image.format = "jpeg";
  auto bytes =
      std::make_shared<std::vector<std::uint8_t>>(message.data().begin(), message.data().end());
  image.data = std::move(bytes);
  return image;
}

Decoded<CameraModel> DecodeCameraCalibration(ByteView data) {
  foxglove::CameraCalibration info;
  if (auto error = Parse(info, data, "foxglove.CameraCalibration")) return std::move(*error);
  CameraModel camera;
  camera.name = info.frame_id();
  camera.width = static_cast<int>(info.width());
  camera.height = static_cast<int>(info.height());
  if (info.p_size() == 12) {
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 4; ++c) camera.projection(r, c) = info.p(4 * r + c);
    }
  } else if (info.k_size() == 9) {
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) camera.projection(r, c) = info.k(3 * r + c);
    }
  } else {
    return DecodeError{
        DecodeErrorKind::kMalformed,
        "foxglove.CameraCalibration of '" + camera.name + "' has neither P (12) nor K (9)"};
  }
  return camera;
}

Decoded<std::vector<Transform>> DecodeFrameTransforms(ByteView data) {
  foxglove::FrameTransforms message;
  if (auto error = Parse(message, data, "foxglove.FrameTransforms")) return std::move(*error);
  std::vector<Transform> transforms;
  for (const foxglove::FrameTransform& t : message.transforms()) {
    transforms.push_back(Transform{t.parent_frame_id(), t.child_frame_id(), GetStamp(t.timestamp()),
                                   GetPose(t.translation(), t.rotation(), t.has_rotation())});
  }
  return transforms;
}

ExactCalibration ParseCalibrationMetadata(const std::map<std::string, std::string>& metadata) {
  ExactCalibration exact;
  for (const auto& [key, value] : metadata) {
    if (key == "lidar_height_m") {
      double height = 0;
      std::istringstream in(value);
      if (in >> height) exact.lidar_height_m = height;
    } else if (key == "vehicle_from_lidar") {
      if (auto m = ParseMatrix34(value)) exact.vehicle_from_lidar = ToIsometry(*m);
    } else if (key.rfind("camera.", 0) == 0) {
      const std::size_t dot = key.rfind('.');
      const std::string name = key.substr(7, dot - 7);
      const std::string what = key.substr(dot + 1);
      const auto m = ParseMatrix34(value);
      if (!m || name.empty()) continue;
      if (what == "camera_from_vehicle") exact.camera_from_vehicle[name] = ToIsometry(*m);
      if (what == "projection") exact.projection[name] = *m;
    }
  }
  return exact;
}

}  // namespace longtail::sensors::mcap
