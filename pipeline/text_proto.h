// Protobuf text format from files people write (run options, scenarios): one parser, one error
// form, so every config error names the file, line and column the same way.
#pragma once

#include <google/protobuf/message.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace longtail::pipeline {

class TextProtoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `text` into `message` (cleared first). Throws TextProtoError listing every complaint as
// "source:line:column: message" lines; unknown fields are errors.
void ParseTextProto(std::string_view text, const std::string& source,
                    google::protobuf::Message& message);

// ParseTextProto of a file's contents; a file that cannot be read is a TextProtoError too.
void LoadTextProto(const std::filesystem::path& file, google::protobuf::Message& message);

}  // namespace longtail::pipeline
