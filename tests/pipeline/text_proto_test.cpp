#include "pipeline/text_proto.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "pipeline/proto/run.pb.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

// The message of the TextProtoError that parsing `text` throws, or "" when it parses.
std::string ErrorOf(const std::string& text) {
  proto::RunnerOptions options;
  try {
    ParseTextProto(text, "run.pbtxt", options);
  } catch (const TextProtoError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseTextProto, ReadsFieldsAndClearsWhatWasThereBefore) {
  proto::RunnerOptions options;
  options.set_threads(8);
  ParseTextProto("min_severity: 0.25", "run.pbtxt", options);
  EXPECT_DOUBLE_EQ(options.min_severity(), 0.25);
  EXPECT_FALSE(options.has_threads());
}

TEST(ParseTextProto, AnUnknownFieldIsAnErrorNamingSourceLineAndField) {
  const std::string error = ErrorOf("threads: 2\n  no_such_field: 3\n");
  EXPECT_EQ(error.rfind("run.pbtxt:2:", 0), 0u) << error;  // then the column, then the complaint
  EXPECT_NE(error.find("no_such_field"), std::string::npos) << error;
}

TEST(ParseTextProto, AValueOfTheWrongTypeOrBrokenSyntaxIsAnError) {
  EXPECT_NE(ErrorOf("threads: \"two\""), "");
  EXPECT_NE(ErrorOf("threads: 2.5"), "");
  EXPECT_NE(ErrorOf("threads 2 }"), "");
  EXPECT_EQ(ErrorOf(""), "");  // empty is every default
}

TEST(LoadTextProto, AFileThatCannotBeReadIsATextProtoErrorNamingIt) {
  proto::RunnerOptions options;
  const std::filesystem::path missing = testing::ScratchDir() / "absent.pbtxt";
  try {
    LoadTextProto(missing, options);
    FAIL() << "expected TextProtoError";
  } catch (const TextProtoError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
}

TEST(LoadTextProto, ErrorsNameTheFile) {
  const std::filesystem::path file = testing::ScratchDir() / "run.pbtxt";
  std::ofstream(file) << "threads: 2\nthreads: x\n";
  proto::RunnerOptions options;
  try {
    LoadTextProto(file, options);
    FAIL() << "expected TextProtoError";
  } catch (const TextProtoError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(file.string() + ":2:", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace longtail::pipeline
