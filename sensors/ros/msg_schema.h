// ROS message definitions (the `.msg` text: ros1msg and ros2msg schemas in MCAP, ROS 1 bag
// connection headers) parsed into plain structs that drive the CDR and ROS 1 decoders. The text is
// the root type's fields, then each dependency after a line of '=' and a "MSG: pkg/Type" line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sensors/decode_result.h"

namespace longtail::sensors::ros {

enum class Primitive {
  kNone,  // a nested message: MsgField::type names it
  kBool,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64,
  kString,
  kWString,
};

struct MsgField {
  std::string name;
  Primitive primitive = Primitive::kNone;
  std::string type;  // the resolved "pkg/Type" when primitive == kNone
  enum class Array { kNone, kFixed, kDynamic } array = Array::kNone;
  std::uint32_t fixed_size = 0;  // elements, when array == kFixed
};

struct MsgType {
  std::string name;  // "pkg/Type" ("sensor_msgs/PointCloud2"; the "/msg/" of ROS 2 names dropped)
  std::vector<MsgField> fields;  // constants left out: they are not on the wire
  // Index of the field called `name`, or nullopt.
  std::optional<std::size_t> Find(const std::string& field_name) const;
};

// The ROS 1 and ROS 2 spellings differ: ROS 1 has `time`/`duration` primitives and a bare
// `Header` meaning std_msgs/Header; ROS 2 has builtin_interfaces/Time.
enum class Dialect { kRos1, kRos2 };

struct MsgSchema {
  std::string root;                      // "pkg/Type" of the message itself
  std::map<std::string, MsgType> types;  // every type the root needs, by "pkg/Type"
  const MsgType* Type(const std::string& name) const;
};

// "sensor_msgs/msg/PointCloud2" -> "sensor_msgs/PointCloud2"
std::string NormalizeTypeName(const std::string& name);

// Parses a full definition (root + dependencies) for the message type `root_type`. Every nested
// type must be defined in the text (ROS 1 `time`/`duration` are built in). Errors name the line:
// kMalformed "line 3: bad field name '3x'", kUnsupported for IDL schemas.
Decoded<MsgSchema> ParseMsgSchema(const std::string& root_type, const std::string& text,
                                  Dialect dialect);

}  // namespace longtail::sensors::ros
