// Test helper: serializes small ROS messages by hand (CDR with its alignment, or packed ROS 1),
// so decoder tests state their bytes instead of depending on a writer under test.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace longtail::sensors::ros::testing {

using Bytes = std::vector<std::uint8_t>;

class MessageWriter {
 public:
  explicit MessageWriter(bool cdr) : cdr_(cdr) {
    if (cdr) bytes = {0x00, 0x01, 0x00, 0x00};  // CDR little endian
  }
  template <typename T>
  MessageWriter& Put(T value) {
    Align(sizeof(T));
    std::uint8_t raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    bytes.insert(bytes.end(), raw, raw + sizeof(T));
    return *this;
  }
  MessageWriter& String(const std::string& s) {
    Put<std::uint32_t>(static_cast<std::uint32_t>(s.size() + (cdr_ ? 1 : 0)));
    bytes.insert(bytes.end(), s.begin(), s.end());
    if (cdr_) bytes.push_back(0);
    return *this;
  }
  MessageWriter& Raw(const Bytes& raw) {
    bytes.insert(bytes.end(), raw.begin(), raw.end());
    return *this;
  }
  // A std_msgs/Header: ROS 1 has a seq first; both then have the stamp and the frame id.
  MessageWriter& Header(std::int32_t sec, std::uint32_t nsec, const std::string& frame) {
    if (!cdr_) Put<std::uint32_t>(0);
    return Put<std::int32_t>(sec).Put<std::uint32_t>(nsec).String(frame);
  }
  // A sensor_msgs/PointCloud2 of float32 x, y, z, intensity points, unorganised.
  MessageWriter& Cloud(std::int32_t sec, const std::string& frame,
                       const std::vector<std::vector<float>>& points) {
    Header(sec, 0, frame);
    Put<std::uint32_t>(1).Put<std::uint32_t>(static_cast<std::uint32_t>(points.size()));
    Put<std::uint32_t>(4);
    const char* names[] = {"x", "y", "z", "intensity"};
    for (std::uint32_t i = 0; i < 4; ++i) {
      String(names[i]).Put<std::uint32_t>(4 * i).Put<std::uint8_t>(7).Put<std::uint32_t>(1);
    }
    Put<std::uint8_t>(0).Put<std::uint32_t>(16).Put<std::uint32_t>(
        16 * static_cast<std::uint32_t>(points.size()));
    Bytes data;
    for (const auto& p : points) {
      for (float v : p) {
        std::uint8_t raw[4];
        std::memcpy(raw, &v, 4);
        data.insert(data.end(), raw, raw + 4);
      }
    }
    Put<std::uint32_t>(static_cast<std::uint32_t>(data.size())).Raw(data).Put<std::uint8_t>(1);
    return *this;
  }
  Bytes bytes;

 private:
  void Align(std::size_t n) {
    if (!cdr_) return;
    while ((bytes.size() - 4) % n != 0) bytes.push_back(0);
  }
  bool cdr_;
};

// The ROS 1 definition of sensor_msgs/PointCloud2, as a bag's connection header carries it.
inline const char kRos1PointCloud2Definition[] =
    "Header header\nuint32 height\nuint32 width\nPointField[] fields\nbool is_bigendian\n"
    "uint32 point_step\nuint32 row_step\nuint8[] data\nbool is_dense\n"
    "================================================================================\n"
    "MSG: std_msgs/Header\nuint32 seq\ntime stamp\nstring frame_id\n"
    "================================================================================\n"
    "MSG: sensor_msgs/PointField\nuint8 INT8=1\nstring name\nuint32 offset\nuint8 datatype\n"
    "uint32 count\n";

}  // namespace longtail::sensors::ros::testing
