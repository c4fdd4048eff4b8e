#include "sensors/mcap/foxglove_schemas.h"

#include <google/protobuf/descriptor.pb.h>

#include <set>

namespace longtail::sensors::mcap {
namespace {

void AddFileAndImports(const google::protobuf::FileDescriptor& file, std::set<std::string>& added,
                       google::protobuf::FileDescriptorSet& set) {
  if (!added.insert(file.name()).second) return;
  for (int i = 0; i < file.dependency_count(); ++i)
    AddFileAndImports(*file.dependency(i), added, set);
  file.CopyTo(set.add_file());
}

}  // namespace

Bytes FileDescriptorSetOf(const google::protobuf::Descriptor& descriptor) {
  google::protobuf::FileDescriptorSet set;
  std::set<std::string> added;
  AddFileAndImports(*descriptor.file(), added, set);
  const std::string bytes = set.SerializeAsString();
  return Bytes(bytes.begin(), bytes.end());
}

Schema ProtobufSchema(const google::protobuf::Descriptor& descriptor) {
  return Schema{0, descriptor.full_name(), kProtobufEncoding, FileDescriptorSetOf(descriptor)};
}

}  // namespace longtail::sensors::mcap
