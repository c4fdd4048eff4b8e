#include "pipeline/options.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>

#include "pipeline/perception/class_model.h"
#include "pipeline/proto/range.pb.h"
#include "pipeline/text_proto.h"

namespace longtail::pipeline {
namespace {

namespace pb = google::protobuf;

// Sets every unset singular field to its default, recursing into sub-messages.
void FillDefaults(pb::Message* message) {
  const pb::Descriptor* descriptor = message->GetDescriptor();
  const pb::Reflection* reflection = message->GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated()) continue;
    if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      FillDefaults(reflection->MutableMessage(message, field));
      continue;
    }
    if (reflection->HasField(*message, field)) continue;
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(message, field, field->default_value_int32());
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(message, field, field->default_value_int64());
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        reflection->SetUInt32(message, field, field->default_value_uint32());
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        reflection->SetUInt64(message, field, field->default_value_uint64());
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        reflection->SetDouble(message, field, field->default_value_double());
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        reflection->SetFloat(message, field, field->default_value_float());
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(message, field, field->default_value_bool());
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        reflection->SetEnum(message, field, field->default_value_enum());
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(message, field, field->default_value_string());
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
  }
}

// The first field of `message` (recursively; `path` names the enclosing fields) whose value is
// outside its range: negative or non-finite, or above its `(max)` (pipeline/proto/range.proto).
std::optional<std::string> OutOfRange(const pb::Message& message, const std::string& path) {
  const pb::Descriptor* descriptor = message.GetDescriptor();
  const pb::Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated() || !reflection->HasField(message, field)) continue;
    const std::string name = path + field->name();
    double value = 0;
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        if (auto problem = OutOfRange(reflection->GetMessage(message, field), name + ".")) {
          return problem;
        }
        continue;
      case pb::FieldDescriptor::CPPTYPE_INT32:
        value = reflection->GetInt32(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        value = static_cast<double>(reflection->GetInt64(message, field));
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        value = reflection->GetDouble(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        value = reflection->GetFloat(message, field);
        break;
      default:
        continue;
    }
    std::ostringstream text;
    text << name << " = " << value;
    if (!std::isfinite(value) || value < 0) return text.str() + " must be a number >= 0";
    if (field->options().HasExtension(proto::max) &&
        value > field->options().GetExtension(proto::max)) {
      text << " is above its maximum " << field->options().GetExtension(proto::max);
      return text.str();
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {

proto::RunOptions WithinRange(proto::RunOptions options, const std::string& source) {
  if (const auto problem = OutOfRange(options, "")) {
    throw OptionsError("invalid run options:\n" + source + ": " + *problem + "\n");
  }
  return options;
}

}  // namespace

proto::RunOptions ParseRunOptions(const std::string& text, const std::string& source_name) {
  proto::RunOptions options;
  try {
    ParseTextProto(text, source_name, options);
  } catch (const TextProtoError& e) {
    throw OptionsError(std::string("invalid run options:\n") + e.what());
  }
  return WithinRange(std::move(options), source_name);
}

proto::RunOptions LoadRunOptions(const std::string& path) {
  proto::RunOptions options;
  try {
    LoadTextProto(path, options);
  } catch (const TextProtoError& e) {
    throw OptionsError(std::string("invalid run options:\n") + e.what());
  }
  return WithinRange(std::move(options), path);
}

proto::RunOptions EffectiveOptions(const proto::RunOptions& options) {
  proto::RunOptions effective = options;
  FillDefaults(&effective);
  return effective;
}

std::string OptionsHash(const proto::RunOptions& options) {
  // Threads and frames in flight change speed, not results: they stay out of the hash.
  proto::RunOptions hashed = EffectiveOptions(options);
  hashed.mutable_runner()->clear_threads();
  hashed.mutable_runner()->clear_max_frames_in_flight();
  std::string bytes;
  pb::io::StringOutputStream stream(&bytes);
  {
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    hashed.SerializeToCodedStream(&coded);
  }
  // The class model is part of the options: another model gives other classes and scores.
  bytes += ClassModel::ForOptions(hashed.perception().classes()).hash();
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001b3ULL;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

std::string ToText(const proto::RunOptions& options) {
  std::string text;
  pb::TextFormat::PrintToString(options, &text);
  return text;
}

}  // namespace longtail::pipeline
