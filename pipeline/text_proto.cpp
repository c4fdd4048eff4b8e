#include "pipeline/text_proto.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>

namespace longtail::pipeline {
namespace {

namespace pb = google::protobuf;

class CollectErrors : public pb::io::ErrorCollector {
 public:
  explicit CollectErrors(std::string source) : source_(std::move(source)) {}
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    errors_ += source_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " +
               message + "\n";
  }
  const std::string& errors() const { return errors_; }

 private:
  std::string source_;
  std::string errors_;
};

}  // namespace

void ParseTextProto(std::string_view text, const std::string& source, pb::Message& message) {
  CollectErrors errors(source);
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &message)) throw TextProtoError(errors.errors());
}

void LoadTextProto(const std::filesystem::path& file, pb::Message& message) {
  std::ifstream in(file);
  if (!in) throw TextProtoError(file.string() + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  ParseTextProto(text.str(), file.string(), message);
}

}  // namespace longtail::pipeline
