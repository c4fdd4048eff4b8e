#include "sensors/ros/ros_messages.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace longtail::sensors::ros {
namespace {

// sensor_msgs/PointField datatypes.
enum PointFieldType : int {
  kInt8 = 1,
  kUInt8 = 2,
  kInt16 = 3,
  kUInt16 = 4,
  kInt32 = 5,
  kUInt32 = 6,
  kFloat32 = 7,
  kFloat64 = 8
};

std::size_t PointFieldSize(int datatype) {
  switch (datatype) {
    case kInt8:
    case kUInt8:
      return 1;
    case kInt16:
    case kUInt16:
      return 2;
    case kInt32:
    case kUInt32:
    case kFloat32:
      return 4;
    case kFloat64:
      return 8;
    default:
      return 0;
  }
}

struct FieldReader {
  std::size_t offset = 0;
  int datatype = 0;
};

double ReadPointField(const std::uint8_t* p, int datatype, bool big_endian) {
  std::uint8_t b[8];
  const std::size_t n = PointFieldSize(datatype);
  for (std::size_t i = 0; i < n; ++i) b[i] = big_endian ? p[n - 1 - i] : p[i];
  switch (datatype) {
    case kInt8:
      return static_cast<std::int8_t>(b[0]);
    case kUInt8:
      return b[0];
    case kInt16: {
      std::int16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case kUInt16: {
      std::uint16_t v;
      std::memcpy(&v, b, 2);
      return v;
    }
    case kInt32: {
      std::int32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case kUInt32: {
      std::uint32_t v;
      std::memcpy(&v, b, 4);
      return v;
    }
    case kFloat32: {
      float v;
      std::memcpy(&v, b, 4);
      return v;
    }
    default: {
      double v;
      std::memcpy(&v, b, 8);
      return v;
    }
  }
}

// Numeric fields as the integers the code needs. A definition may give any field any type (a
// float64 "width", say) and a value may be NaN or far out of range: those read as 0, never reach a
// cast whose result would be undefined.
std::uint64_t Unsigned(const RosValue& message, const std::string& path) {
  const std::optional<double> v = NumberAt(message, path);
  return v && *v > 0 && *v < 0x1p64 ? static_cast<std::uint64_t>(*v) : 0;
}

int NonNegativeInt(const RosValue& message, const std::string& path) {
  const std::optional<double> v = NumberAt(message, path);
  return v && *v > 0 && *v <= std::numeric_limits<int>::max() ? static_cast<int>(*v) : 0;
}

Eigen::Isometry3d PoseOf(const RosValue& translation, const RosValue& rotation) {
  const Eigen::Vector3d t(NumberAt(translation, "x").value_or(0),
                          NumberAt(translation, "y").value_or(0),
                          NumberAt(translation, "z").value_or(0));
  Eigen::Quaterniond q(NumberAt(rotation, "w").value_or(1), NumberAt(rotation, "x").value_or(0),
                       NumberAt(rotation, "y").value_or(0), NumberAt(rotation, "z").value_or(0));
  if (q.norm() < 1e-9) q = Eigen::Quaterniond::Identity();  // an unset quaternion (all zero)
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.linear() = q.normalized().toRotationMatrix();
  pose.translation() = t;
  return pose;
}

// The first of several spellings that the message has (CameraInfo "K" in ROS 1, "k" in ROS 2).
const RosValue* FirstOf(const RosValue& message, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (const RosValue* v = message.Get(name)) return v;
  }
  return nullptr;
}

}  // namespace

MessageRole RoleOf(const std::string& type_name) {
  const std::string name = NormalizeTypeName(type_name);
  if (name == "sensor_msgs/PointCloud2") return MessageRole::kLidar;
  if (name == "sensor_msgs/CompressedImage") return MessageRole::kCompressedImage;
  if (name == "sensor_msgs/Image") return MessageRole::kRawImage;
  if (name == "sensor_msgs/CameraInfo") return MessageRole::kCameraInfo;
  if (name == "tf2_msgs/TFMessage" || name == "tf/tfMessage") return MessageRole::kTransforms;
  if (name == "nav_msgs/Odometry") return MessageRole::kOdometry;
  return MessageRole::kOther;
}

const char* RoleName(MessageRole role) {
  switch (role) {
    case MessageRole::kLidar:
      return "lidar";
    case MessageRole::kCompressedImage:
    case MessageRole::kRawImage:
      return "camera";
    case MessageRole::kCameraInfo:
      return "camera_info";
    case MessageRole::kTransforms:
      return "tf";
    case MessageRole::kOdometry:
      return "odometry";
    default:
      return "other";
  }
}

std::optional<Timestamp> HeaderStamp(const RosValue& message) {
  const RosValue* stamp = Find(message, "header.stamp");
  if (!stamp) return std::nullopt;
  const std::optional<double> sec = NumberAt(*stamp, "sec");
  const RosValue* nsec = FirstOf(*stamp, {"nanosec", "nsec"});
  // ROS seconds are 32-bit and nanoseconds below 2^32: anything else (a float64 or int64 field in
  // a damaged definition) could overflow the nanosecond count.
  if (!sec || !nsec || !(std::abs(*sec) < 0x1p32) || nsec->integer < 0 ||
      nsec->integer > std::numeric_limits<std::uint32_t>::max()) {
    return std::nullopt;
  }
  return FromNanos(static_cast<std::int64_t>(*sec) * 1000000000 + nsec->integer);
}

Decoded<CloudConversion> PointCloud2ToScan(const RosValue& message) {
  const RosValue* data = message.Get("data");
  const RosValue* fields = message.Get("fields");
  if (!data || data->kind != RosValue::Kind::kBytes || !fields) {
    return DecodeError{DecodeErrorKind::kMalformed, "not a PointCloud2 (no data or fields)"};
  }
  PackedCloud cloud;
  cloud.height = Unsigned(message, "height");
  cloud.width = Unsigned(message, "width");
  cloud.point_step = Unsigned(message, "point_step");
  cloud.row_step = Unsigned(message, "row_step");
  cloud.big_endian = NumberAt(message, "is_bigendian").value_or(0) != 0;
  cloud.data = data->bytes;
  for (const RosValue& field : fields->items) {
    cloud.fields.push_back({TextAt(field, "name").value_or(""), Unsigned(field, "offset"),
                            NonNegativeInt(field, "datatype")});
  }
  Decoded<CloudConversion> out = UnpackCloud(cloud);
  if (!out) return out.error();
  out->frame_id = TextAt(message, "header.frame_id").value_or("");
  out->scan.stamp = HeaderStamp(message).value_or(Timestamp{});
  return out;
}

Decoded<CloudConversion> UnpackCloud(const PackedCloud& cloud) {
  const std::uint64_t height = cloud.height, width = cloud.width;
  const std::uint64_t point_step = cloud.point_step, row_step = cloud.row_step;
  const bool big_endian = cloud.big_endian;
  std::optional<FieldReader> x, y, z, intensity;
  for (const PackedField& field : cloud.fields) {
    const std::string& name = field.name;
    FieldReader reader{field.offset, field.datatype};
    const std::size_t size = PointFieldSize(reader.datatype);
    if (size == 0 || reader.offset > point_step || size > point_step - reader.offset) {
      if (name == "x" || name == "y" || name == "z" || name == "intensity") {
        return DecodeError{DecodeErrorKind::kMalformed,
                           "field '" + name + "' (datatype " + std::to_string(reader.datatype) +
                               ", offset " + std::to_string(reader.offset) +
                               ") does not fit point_step " + std::to_string(point_step)};
      }
      continue;  // a field longtail does not use may be anything
    }
    if (name == "x") x = reader;
    if (name == "y") y = reader;
    if (name == "z") z = reader;
    if (name == "intensity" || (name == "i" && !intensity)) intensity = reader;
  }
  if (!x || !y || !z) {
    return DecodeError{DecodeErrorKind::kMalformed, "cloud without x, y and z fields"};
  }
  if (width * point_step > row_step && height > 0 && width > 0) {
    return DecodeError{DecodeErrorKind::kMalformed,
                       "row_step " + std::to_string(row_step) + " < width " +
                           std::to_string(width) + " x point_step " + std::to_string(point_step)};
  }
  if (height > 0 && width > 0 && (height - 1) * row_step + width * point_step > cloud.data.size()) {
    return DecodeError{DecodeErrorKind::kTruncated,
                       "data holds " + std::to_string(cloud.data.size()) + " bytes, " +
                           std::to_string(height) + " rows of " + std::to_string(row_step) +
                           " need more"};
  }
  CloudConversion out;
  out.points_in_message = width * height;
  out.scan.points.reserve(out.points_in_message);
  const std::uint8_t* base = cloud.data.data();
  // The usual layout (little-endian float32 x, y, z and intensity) is copied without the
  // per-field type switch: it is most of the cost of reading a bag.
  const auto is_float = [](const std::optional<FieldReader>& f) {
    return f && f->datatype == kFloat32;
  };
  const bool fast = !big_endian && std::endian::native == std::endian::little && is_float(x) &&
                    is_float(y) && is_float(z) && (!intensity || is_float(intensity));
  for (std::uint64_t row = 0; row < height; ++row) {
    const std::uint8_t* row_start = base + row * row_step;
    for (std::uint64_t col = 0; col < width; ++col) {
      const std::uint8_t* p = row_start + col * point_step;
      LidarPoint point;
      if (fast) {
        std::memcpy(&point.x, p + x->offset, 4);
        std::memcpy(&point.y, p + y->offset, 4);
        std::memcpy(&point.z, p + z->offset, 4);
        if (intensity) std::memcpy(&point.intensity, p + intensity->offset, 4);
      } else {
        point.x = static_cast<float>(ReadPointField(p + x->offset, x->datatype, big_endian));
        point.y = static_cast<float>(ReadPointField(p + y->offset, y->datatype, big_endian));
        point.z = static_cast<float>(ReadPointField(p + z->offset, z->datatype, big_endian));
        if (intensity) {
          point.intensity = static_cast<float>(
              ReadPointField(p + intensity->offset, intensity->datatype, big_endian));
        }
      }
      const bool finite =
          std::isfinite(point.x) && std::isfinite(point.y) && std::isfinite(point.z);
      if (!finite || (point.x == 0 && point.y == 0 && point.z == 0)) {
        ++out.invalid_points;
        continue;
      }
      out.scan.points.push_back(point);
    }
  }
  return out;
}

Decoded<std::vector<StampedTransform>> TransformsOf(const RosValue& message) {
  const RosValue* transforms = message.Get("transforms");
  if (!transforms || transforms->kind != RosValue::Kind::kArray) {
    return DecodeError{DecodeErrorKind::kMalformed, "not a TFMessage (no transforms array)"};
  }
  std::vector<StampedTransform> out;
  for (const RosValue& t : transforms->items) {
    const RosValue* translation = Find(t, "transform.translation");
    const RosValue* rotation = Find(t, "transform.rotation");
    if (!translation || !rotation) {
      return DecodeError{DecodeErrorKind::kMalformed,
                         "TransformStamped without transform.translation/rotation"};
    }
    StampedTransform st;
    st.parent = TextAt(t, "header.frame_id").value_or("");
    st.child = TextAt(t, "child_frame_id").value_or("");
    st.stamp = HeaderStamp(t).value_or(Timestamp{});
    // tf allows a leading '/' in ROS 1 frame ids; the tree treats "/map" and "map" alike.
    if (!st.parent.empty() && st.parent[0] == '/') st.parent.erase(0, 1);
    if (!st.child.empty() && st.child[0] == '/') st.child.erase(0, 1);
    st.parent_from_child = PoseOf(*translation, *rotation);
    out.push_back(std::move(st));
  }
  return out;
}

Decoded<StampedTransform> OdometryPose(const RosValue& message) {
  const RosValue* position = Find(message, "pose.pose.position");
  const RosValue* orientation = Find(message, "pose.pose.orientation");
  if (!position || !orientation) {
    return DecodeError{DecodeErrorKind::kMalformed, "not an Odometry (no pose.pose)"};
  }
  StampedTransform st;
  st.parent = TextAt(message, "header.frame_id").value_or("");
  st.child = TextAt(message, "child_frame_id").value_or("");
  st.stamp = HeaderStamp(message).value_or(Timestamp{});
  st.parent_from_child = PoseOf(*position, *orientation);
  return st;
}

Decoded<CameraInfo> CameraInfoOf(const RosValue& message) {
  const RosValue* p = FirstOf(message, {"p", "P"});
  if (!p || p->kind != RosValue::Kind::kArray || p->items.size() != 12) {
    return DecodeError{DecodeErrorKind::kMalformed, "CameraInfo without a 12-element P"};
  }
  CameraInfo info;
  info.frame_id = TextAt(message, "header.frame_id").value_or("");
  info.width = NonNegativeInt(message, "width");
  info.height = NonNegativeInt(message, "height");
  for (int i = 0; i < 12; ++i) info.projection(i / 4, i % 4) = p->items[i].number;
  if (info.projection.block<3, 3>(0, 0).isZero()) {
    // An unrectified camera publishes P = 0; its K is the best pinhole there is.
    const RosValue* k = FirstOf(message, {"k", "K"});
    if (!k || k->items.size() != 9) {
      return DecodeError{DecodeErrorKind::kMalformed, "CameraInfo with neither P nor K"};
    }
    for (int i = 0; i < 9; ++i) info.projection(i / 3, i % 3) = k->items[i].number;
  }
  return info;
}

Decoded<CameraImage> CompressedImageOf(const RosValue& message, const std::string& camera) {
  const RosValue* data = message.Get("data");
  if (!data || data->kind != RosValue::Kind::kBytes) {
    return DecodeError{DecodeErrorKind::kMalformed, "CompressedImage without data"};
  }
  const std::string format = TextAt(message, "format").value_or("");
  CameraImage image;
  image.camera = camera;
  image.stamp = HeaderStamp(message).value_or(Timestamp{});
  // "jpeg", "png", or image_transport's "rgb8; jpeg compressed bgr8".
  image.format = format.find("png") != std::string::npos ? "png" : "jpeg";
  image.data =
      std::make_shared<const std::vector<std::uint8_t>>(data->bytes.begin(), data->bytes.end());
  return image;
}

Decoded<CameraImage> RawImageOf(const RosValue& message, const std::string& camera) {
  const RosValue* data = message.Get("data");
  const int width = NonNegativeInt(message, "width");
  const int height = NonNegativeInt(message, "height");
  const std::uint64_t step = Unsigned(message, "step");
  const std::string encoding = TextAt(message, "encoding").value_or("");
  int type = -1, conversion = -1;
  if (encoding == "mono8" || encoding == "8UC1") type = CV_8UC1;
  if (encoding == "mono16" || encoding == "16UC1") type = CV_16UC1;
  if (encoding == "bgr8" || encoding == "8UC3") type = CV_8UC3;
  if (encoding == "rgb8") type = CV_8UC3, conversion = cv::COLOR_RGB2BGR;
  if (encoding == "bgra8") type = CV_8UC4;
  if (encoding == "rgba8") type = CV_8UC4, conversion = cv::COLOR_RGBA2BGRA;
  if (!data || data->kind != RosValue::Kind::kBytes || type < 0 || width <= 0 || height <= 0) {
    return DecodeError{DecodeErrorKind::kUnsupported,
                       "Image with unsupported encoding '" + encoding + "' or no pixels"};
  }
  const std::size_t row_bytes =
      static_cast<std::size_t>(width) * static_cast<std::size_t>(CV_ELEM_SIZE(type));
  if (step < row_bytes || step > data->bytes.size() / static_cast<std::size_t>(height)) {
    return DecodeError{DecodeErrorKind::kTruncated, "Image data shorter than height x step"};
  }
  if (NumberAt(message, "is_bigendian").value_or(0) != 0 && type == CV_16UC1) {
    return DecodeError{DecodeErrorKind::kUnsupported, "big-endian mono16 images are not supported"};
  }
  const cv::Mat view(height, width, type, const_cast<std::uint8_t*>(data->bytes.data()), step);
  cv::Mat bgr = view;
  if (conversion >= 0) cv::cvtColor(view, bgr, conversion);
  std::vector<std::uint8_t> png;
  cv::imencode(".png", bgr, png);
  CameraImage image;
  image.camera = camera;
  image.stamp = HeaderStamp(message).value_or(Timestamp{});
  image.format = "png";
  image.data = std::make_shared<const std::vector<std::uint8_t>>(std::move(png));
  return image;
}

}  // namespace longtail::sensors::ros
