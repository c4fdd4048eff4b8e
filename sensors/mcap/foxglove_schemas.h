// Foxglove protobuf schemas in MCAP: the schema record of a message type is its full name
// ("foxglove.PointCloud"), encoding "protobuf", and a FileDescriptorSet holding its .proto file
// and every import, so any reader can decode it without our sources.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>

#include "sensors/mcap/mcap_records.h"

namespace longtail::sensors::mcap {

inline constexpr char kProtobufEncoding[] = "protobuf";

// The serialized FileDescriptorSet of `descriptor`'s file and its transitive imports, imports
// first.
Bytes FileDescriptorSetOf(const google::protobuf::Descriptor& descriptor);

// The Schema record content for a protobuf message type (id left 0).
Schema ProtobufSchema(const google::protobuf::Descriptor& descriptor);

}  // namespace longtail::sensors::mcap
