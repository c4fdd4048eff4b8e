// Run options: loading the text-format config, filling defaults, and the hash recorded in outputs.
#pragma once

#include <stdexcept>
#include <string>

#include "pipeline/proto/run.pb.h"

namespace longtail::pipeline {

class OptionsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses a protobuf text-format RunOptions file. Unknown fields and syntax errors throw
// OptionsError naming the file, line and column.
proto::RunOptions LoadRunOptions(const std::string& path);
proto::RunOptions ParseRunOptions(const std::string& text, const std::string& source_name);

// Every field set explicitly to its effective value (defaults included), so that two configs that
// mean the same run are the same message.
proto::RunOptions EffectiveOptions(const proto::RunOptions& options);
// 16 hex digits identifying the effective options; equal for configs that mean the same run
// (thread counts are left out: they do not change results).
std::string OptionsHash(const proto::RunOptions& options);
std::string ToText(const proto::RunOptions& options);

}  // namespace longtail::pipeline
