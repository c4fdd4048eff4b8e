// The ROS message layer on small literal messages: schema text, CDR (both byte orders, alignment)
// and ROS 1 decoding, PointCloud2 layouts, transforms and camera info; and every decoder error.
#include "sensors/ros/ros_messages.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "sensors/ros/msg_decoder.h"
#include "sensors/ros/msg_schema.h"
#include "tests/sensors/ros/message_writer.h"

namespace longtail::sensors::ros {
namespace {

using testing::Bytes;
// Appends little-endian values; CDR aligns each to its size counted after the 4-byte header.
using Writer = testing::MessageWriter;

MsgSchema Parse(const std::string& type, const std::string& text, Dialect dialect) {
  Decoded<MsgSchema> parsed = ParseMsgSchema(type, text, dialect);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : MsgSchema{};
}

constexpr char kRos2Header[] =
    "================================================================================\n"
    "MSG: std_msgs/Header\n"
    "builtin_interfaces/Time stamp\n"
    "string frame_id\n"
    "================================================================================\n"
    "MSG: builtin_interfaces/Time\n"
    "int32 sec\n"
    "uint32 nanosec\n";

const std::string kPointCloud2Ros2 =
    std::string(
        "std_msgs/Header header\n"
        "uint32 height\n"
        "uint32 width\n"
        "PointField[] fields\n"
        "bool    is_bigendian # comment\n"
        "uint32  point_step\n"
        "uint32  row_step\n"
        "uint8[] data\n"
        "bool is_dense\n") +
    kRos2Header +
    "================================================================"
    "================\n"
    "MSG: sensor_msgs/PointField\n"
    "uint8 INT8    = 1\n"
    "uint8 FLOAT32 = 7\n"
    "string name\n"
    "uint32 offset\n"
    "uint8  datatype\n"
    "uint32 count\n";

TEST(MsgSchema, ParsesFieldsArraysConstantsAndDependencies) {
  const MsgSchema schema = Parse("sensor_msgs/msg/PointCloud2", kPointCloud2Ros2, Dialect::kRos2);
  EXPECT_EQ(schema.root, "sensor_msgs/PointCloud2");
  const MsgType* cloud = schema.Type("sensor_msgs/PointCloud2");
  ASSERT_NE(cloud, nullptr);
  ASSERT_EQ(cloud->fields.size(), 9u);
  EXPECT_EQ(cloud->fields[0].type, "std_msgs/Header");
  // A bare type name means the holder's package.
  EXPECT_EQ(cloud->fields[3].type, "sensor_msgs/PointField");
  EXPECT_EQ(cloud->fields[3].array, MsgField::Array::kDynamic);
  EXPECT_EQ(cloud->fields[7].primitive, Primitive::kUInt8);
  // Constants are not fields.
  EXPECT_EQ(schema.Type("sensor_msgs/PointField")->fields.size(), 4u);
}

TEST(MsgSchema, Ros1HeaderTimeAndFixedArrays) {
  const MsgSchema schema = Parse("sensor_msgs/CameraInfo",
                                 "Header header\nfloat64[9] K\nfloat64[12] P\nstring<=8 name\n"
                                 "int32[<=3] few\n"
                                 "===\nMSG: std_msgs/Header\nuint32 seq\ntime stamp\nstring "
                                 "frame_id\n",
                                 Dialect::kRos1);
  const MsgType* info = schema.Type("sensor_msgs/CameraInfo");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->fields[0].type, "std_msgs/Header");
  EXPECT_EQ(info->fields[1].array, MsgField::Array::kFixed);
  EXPECT_EQ(info->fields[1].fixed_size, 9u);
  EXPECT_EQ(info->fields[3].primitive, Primitive::kString);
  EXPECT_EQ(info->fields[4].array, MsgField::Array::kDynamic);
  EXPECT_NE(schema.Type("time"), nullptr);
}

TEST(MsgSchema, ReportsUndefinedTypesAndBadLines) {
  EXPECT_NE(ParseMsgSchema("a/B", "geometry_msgs/Point p\n", Dialect::kRos2)
                .error()
                .message.find("'geometry_msgs/Point' undefined"),
            std::string::npos);
  EXPECT_NE(ParseMsgSchema("a/B", "int32\n", Dialect::kRos2).error().message.find("line 1"),
            std::string::npos);
  EXPECT_NE(
      ParseMsgSchema("a/B", "int32[x] v\n", Dialect::kRos2).error().message.find("bad array size"),
      std::string::npos);
  EXPECT_FALSE(ParseMsgSchema("a/B", "int32 v\n===\nint32 w\n", Dialect::kRos2));
  const Decoded<MsgSchema> idl = ParseMsgSchema("a/B", "IDL: module a {};\n", Dialect::kRos2);
  ASSERT_FALSE(idl);
  EXPECT_EQ(idl.error().kind, DecodeErrorKind::kUnsupported);
}

TEST(MsgDecoder, CdrAlignsEachPrimitiveAfterTheEncapsulationHeader) {
  const MsgSchema schema =
      Parse("a/B", "uint8 small\nfloat64 big\nstring name\nint16[] values\n", Dialect::kRos2);
  // uint8 at 4, 7 padding bytes, float64 at 12 (offset 8 after the header), string, sequence.
  const Bytes bytes = {0x00, 0x01, 0x00, 0x00,                           // CDR LE
                       0x07, 0,    0,    0,    0,    0,    0,    0,      // small + padding
                       0,    0,    0,    0,    0,    0,    0xF8, 0x3F,   // 1.5
                       3,    0,    0,    0,    'a',  'b',  0,    0,      // "ab\0" + pad
                       2,    0,    0,    0,    0xFF, 0xFF, 0x02, 0x00};  // [-1, 2]
  const Decoded<RosValue> decoded = DecodeMessage(schema, bytes, Encoding::kCdr);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(NumberAt(*decoded, "small"), 7);
  EXPECT_EQ(NumberAt(*decoded, "big"), 1.5);
  EXPECT_EQ(TextAt(*decoded, "name"), "ab");
  const RosValue* values = decoded->Get("values");
  ASSERT_EQ(values->items.size(), 2u);
  EXPECT_EQ(values->items[0].integer, -1);
  EXPECT_EQ(values->items[1].integer, 2);
}

TEST(MsgDecoder, CdrBigEndian) {
  const MsgSchema schema = Parse("a/B", "uint32 v\n", Dialect::kRos2);
  const Bytes bytes = {0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04};
  const Decoded<RosValue> decoded = DecodeMessage(schema, bytes, Encoding::kCdr);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->Get("v")->integer, 0x01020304);
}

TEST(MsgDecoder, Ros1IsPackedWithTimeAndNoStringTerminator) {
  const MsgSchema schema =
      Parse("a/B", "uint8 a\ntime t\nstring s\nfloat32[2] f\n", Dialect::kRos1);
  Writer w(false);
  w.Put<std::uint8_t>(9).Put<std::uint32_t>(100).Put<std::uint32_t>(5).String("xyz");
  w.Put<float>(0.5f).Put<float>(-2.f);
  const Decoded<RosValue> decoded = DecodeMessage(schema, w.bytes, Encoding::kRos1);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(NumberAt(*decoded, "t.sec"), 100);
  EXPECT_EQ(NumberAt(*decoded, "t.nsec"), 5);
  EXPECT_EQ(TextAt(*decoded, "s"), "xyz");
  EXPECT_EQ(decoded->Get("f")->items[1].number, -2.0);
}

TEST(MsgDecoder, ReportsTruncationAndAbsurdLengthsWithTheOffset) {
  const MsgSchema schema = Parse("a/B", "uint32 a\nstring s\n", Dialect::kRos1);
  const Bytes short_bytes = {1, 0, 0};
  const Decoded<RosValue> truncated = DecodeMessage(schema, short_bytes, Encoding::kRos1);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().kind, DecodeErrorKind::kTruncated);
  EXPECT_NE(truncated.error().message.find("byte 0"), std::string::npos)
      << truncated.error().message;
  const Bytes huge = {1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 'a'};
  const Decoded<RosValue> absurd = DecodeMessage(schema, huge, Encoding::kRos1);
  ASSERT_FALSE(absurd);
  EXPECT_EQ(absurd.error().kind, DecodeErrorKind::kTruncated);
  EXPECT_NE(absurd.error().message.find("runs past the end"), std::string::npos)
      << absurd.error().message;
  const Bytes no_header = {0, 1};
  EXPECT_FALSE(DecodeMessage(schema, no_header, Encoding::kCdr));
  const Bytes unknown_encapsulation = {0, 9, 0, 0, 1, 0, 0, 0};
  const Decoded<RosValue> unknown = DecodeMessage(schema, unknown_encapsulation, Encoding::kCdr);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, DecodeErrorKind::kUnsupported);
}

// A ROS 2 PointCloud2 of `points` (x, y, z as float32 or float64, intensity optional).
Bytes Cloud(const std::vector<std::array<double, 4>>& points, std::uint32_t height, bool float64,
            bool with_intensity, std::uint32_t padding) {
  Writer w(true);
  w.Put<std::int32_t>(10).Put<std::uint32_t>(500).String("lidar");
  const std::uint32_t width = static_cast<std::uint32_t>(points.size()) / height;
  w.Put<std::uint32_t>(height).Put<std::uint32_t>(width);
  const std::uint32_t size = float64 ? 8 : 4;
  const std::uint32_t nfields = with_intensity ? 4 : 3;
  w.Put<std::uint32_t>(nfields);
  const char* names[] = {"x", "y", "z", "intensity"};
  for (std::uint32_t i = 0; i < nfields; ++i) {
    w.String(names[i]).Put<std::uint32_t>(i * size).Put<std::uint8_t>(float64 ? 8 : 7);
    w.Put<std::uint32_t>(1);
  }
  const std::uint32_t point_step = nfields * size + padding;
  w.Put<std::uint8_t>(0).Put<std::uint32_t>(point_step).Put<std::uint32_t>(point_step * width);
  Bytes data;
  for (const auto& p : points) {
    for (std::uint32_t i = 0; i < nfields; ++i) {
      std::uint8_t raw[8];
      if (float64) {
        std::memcpy(raw, &p[i], 8);
      } else {
        const float f = static_cast<float>(p[i]);
        std::memcpy(raw, &f, 4);
      }
      data.insert(data.end(), raw, raw + size);
    }
    data.insert(data.end(), padding, 0xAB);
  }
  w.Put<std::uint32_t>(static_cast<std::uint32_t>(data.size())).Raw(data).Put<std::uint8_t>(1);
  return w.bytes;
}

TEST(PointCloud2, OrganisedFloat64CloudDropsNanAndOriginPoints) {
  const MsgSchema schema = Parse("sensor_msgs/msg/PointCloud2", kPointCloud2Ros2, Dialect::kRos2);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Bytes bytes =
      Cloud({{1, 2, 3, 4}, {nan, 0, 0, 1}, {0, 0, 0, 0}, {-5, 6, 7, 8}}, 2, true, true, 6);
  const Decoded<RosValue> decoded = DecodeMessage(schema, bytes, Encoding::kCdr);
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto cloud = PointCloud2ToScan(*decoded);
  ASSERT_TRUE(cloud) << cloud.error().message;
  EXPECT_EQ(cloud->points_in_message, 4u);
  EXPECT_EQ(cloud->invalid_points, 2u);
  ASSERT_EQ(cloud->scan.points.size(), 2u);
  EXPECT_EQ(cloud->scan.points[1].x, -5.f);
  EXPECT_EQ(cloud->scan.points[1].intensity, 8.f);
  EXPECT_EQ(cloud->frame_id, "lidar");
  EXPECT_EQ(ToNanos(cloud->scan.stamp), 10'000'000'500);
}

TEST(PointCloud2, MissingIntensityIsZero) {
  const MsgSchema schema = Parse("sensor_msgs/msg/PointCloud2", kPointCloud2Ros2, Dialect::kRos2);
  const Bytes bytes = Cloud({{1, 2, 3, 0}}, 1, false, false, 0);
  const Decoded<RosValue> decoded = DecodeMessage(schema, bytes, Encoding::kCdr);
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto cloud = PointCloud2ToScan(*decoded);
  ASSERT_TRUE(cloud) << cloud.error().message;
  ASSERT_EQ(cloud->scan.points.size(), 1u);
  EXPECT_EQ(cloud->scan.points[0].z, 3.f);
  EXPECT_EQ(cloud->scan.points[0].intensity, 0.f);
}

TEST(PointCloud2, RejectsDataShorterThanTheRowsItClaims) {
  const MsgSchema schema = Parse("sensor_msgs/msg/PointCloud2", kPointCloud2Ros2, Dialect::kRos2);
  Bytes bytes = Cloud({{1, 2, 3, 0}, {4, 5, 6, 0}}, 1, false, false, 0);
  // Shrink the data length by one point and drop those bytes (is_dense stays last).
  const std::size_t data_end = bytes.size() - 1;
  bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(data_end - 12),
              bytes.begin() + static_cast<std::ptrdiff_t>(data_end));
  const std::size_t length_at = data_end - 24 - 4;
  bytes[length_at] = 12;
  const Decoded<RosValue> decoded = DecodeMessage(schema, bytes, Encoding::kCdr);
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto cloud = PointCloud2ToScan(*decoded);
  ASSERT_FALSE(cloud);
  EXPECT_EQ(cloud.error().kind, DecodeErrorKind::kTruncated);
  EXPECT_NE(cloud.error().message.find("data holds 12 bytes"), std::string::npos)
      << cloud.error().message;
}

TEST(TfMessage, TransformsWithStampsAndFrames) {
  const MsgSchema schema =
      Parse("tf2_msgs/msg/TFMessage",
            std::string("geometry_msgs/TransformStamped[] transforms\n"
                        "===\nMSG: geometry_msgs/TransformStamped\nstd_msgs/Header header\n"
                        "string child_frame_id\nTransform transform\n"
                        "===\nMSG: geometry_msgs/Transform\nVector3 translation\n"
                        "Quaternion rotation\n"
                        "===\nMSG: geometry_msgs/Vector3\nfloat64 x\nfloat64 y\nfloat64 z\n"
                        "===\nMSG: geometry_msgs/Quaternion\nfloat64 x 0\nfloat64 y 0\n"
                        "float64 z 0\nfloat64 w 1\n") +
                kRos2Header,
            Dialect::kRos2);
  Writer w(true);
  w.Put<std::uint32_t>(1).Put<std::int32_t>(3).Put<std::uint32_t>(7).String("/base_link");
  w.String("os_lidar").Put<double>(1).Put<double>(2).Put<double>(3);
  // 90 degrees about z.
  w.Put<double>(0).Put<double>(0).Put<double>(std::sqrt(0.5)).Put<double>(std::sqrt(0.5));
  const Decoded<RosValue> decoded = DecodeMessage(schema, w.bytes, Encoding::kCdr);
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto transforms = TransformsOf(*decoded);
  ASSERT_TRUE(transforms) << transforms.error().message;
  ASSERT_EQ(transforms->size(), 1u);
  const StampedTransform& t = transforms->front();
  EXPECT_EQ(t.parent, "base_link");
  EXPECT_EQ(t.child, "os_lidar");
  EXPECT_EQ(ToNanos(t.stamp), 3'000'000'007);
  const Eigen::Vector3d x = t.parent_from_child * Eigen::Vector3d(1, 0, 0);
  EXPECT_NEAR(x.x(), 1, 1e-12);
  EXPECT_NEAR(x.y(), 3, 1e-12);
}

TEST(CameraInfo, Ros1CapitalPAndKFallback) {
  const MsgSchema schema =
      Parse("sensor_msgs/CameraInfo",
            "Header header\nuint32 height\nuint32 width\nfloat64[9] K\nfloat64[12] P\n"
            "===\nMSG: std_msgs/Header\nuint32 seq\ntime stamp\nstring frame_id\n",
            Dialect::kRos1);
  Writer w(false);
  w.Put<std::uint32_t>(0).Put<std::uint32_t>(1).Put<std::uint32_t>(0).String("cam");
  w.Put<std::uint32_t>(375).Put<std::uint32_t>(1242);
  for (double k : {700., 0., 600., 0., 710., 180., 0., 0., 1.}) w.Put<double>(k);
  for (int i = 0; i < 12; ++i) w.Put<double>(0);  // unrectified: P all zero
  const Decoded<RosValue> decoded = DecodeMessage(schema, w.bytes, Encoding::kRos1);
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto info = CameraInfoOf(*decoded);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->width, 1242);
  EXPECT_EQ(info->projection(0, 0), 700);
  EXPECT_EQ(info->projection(1, 2), 180);
  EXPECT_EQ(info->projection(0, 3), 0);
  EXPECT_EQ(info->frame_id, "cam");
}

// Found by the ros_message fuzzer: a uint32 width above INT_MAX was cast to int (undefined).
TEST(RawImage, WidthBeyondIntIsRefusedNotCast) {
  const MsgSchema schema =
      Parse("sensor_msgs/msg/Image",
            std::string("std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\n"
                        "uint8 is_bigendian\nuint32 step\nuint8[] data\n") +
                kRos2Header,
            Dialect::kRos2);
  Writer w(true);
  w.Put<std::int32_t>(3).Put<std::uint32_t>(7).String("cam");
  w.Put<std::uint32_t>(1).Put<std::uint32_t>(0xFFFFFFFFu).String("rgb8").Put<std::uint8_t>(0);
  w.Put<std::uint32_t>(3).Put<std::uint32_t>(3);
  for (int i = 0; i < 3; ++i) w.Put<std::uint8_t>(9);
  const Decoded<RosValue> decoded = DecodeMessage(schema, w.bytes, Encoding::kCdr);
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto image = RawImageOf(*decoded, "cam");
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("no pixels"), std::string::npos) << image.error().message;
}

TEST(Roles, ByNormalizedTypeName) {
  EXPECT_EQ(RoleOf("sensor_msgs/msg/PointCloud2"), MessageRole::kLidar);
  EXPECT_EQ(RoleOf("sensor_msgs/PointCloud2"), MessageRole::kLidar);
  EXPECT_EQ(RoleOf("tf2_msgs/TFMessage"), MessageRole::kTransforms);
  EXPECT_EQ(RoleOf("velodyne_msgs/msg/VelodyneScan"), MessageRole::kOther);
}

}  // namespace
}  // namespace longtail::sensors::ros
