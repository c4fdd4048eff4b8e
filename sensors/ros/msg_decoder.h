// Decoding ROS messages into a tree of values, driven by a parsed MsgSchema: ROS 2 CDR (XCDR1,
// the 4-byte encapsulation header first, either byte order) and the ROS 1 serialization (little
// endian, packed). uint8/int8 arrays stay views into the message bytes (a point cloud's data is
// never copied), so the bytes must outlive the values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sensors/ros/msg_schema.h"

namespace longtail::sensors::ros {

using ByteView = std::span<const std::uint8_t>;

struct RosValue {
  enum class Kind { kNumber, kString, kBytes, kArray, kMessage } kind = Kind::kNumber;
  double number = 0;              // every numeric primitive and bool, as a double
  std::int64_t integer = 0;       // integer primitives exactly (uint64 beyond 2^63 wraps)
  std::string text;               // kString
  ByteView bytes;                 // kBytes: uint8/int8 arrays, a view into the message
  std::vector<RosValue> items;    // kArray elements, or kMessage fields in MsgType order
  const MsgType* type = nullptr;  // kMessage

  // The field `name` of a message value, or nullptr (also when this is not a message).
  const RosValue* Get(const std::string& name) const;
};

enum class Encoding { kCdr, kRos1 };

// Decodes one serialized message of the schema's root type. Bytes past the message are ignored.
// Errors say the byte: kTruncated "byte 24: string length 4000000 runs past the end (64 bytes)",
// kUnsupported for an unknown CDR encapsulation, kMalformed otherwise.
Decoded<RosValue> DecodeMessage(const MsgSchema& schema, ByteView data, Encoding encoding);

// Helpers for reading decoded values by path ("header.frame_id").
const RosValue* Find(const RosValue& root, const std::string& dotted_path);
std::optional<double> NumberAt(const RosValue& root, const std::string& dotted_path);
std::optional<std::string> TextAt(const RosValue& root, const std::string& dotted_path);

}  // namespace longtail::sensors::ros
