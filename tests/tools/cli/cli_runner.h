// Runs the `longtail` binary from end-to-end tests and captures what it prints.
#pragma once

#include <string>

namespace longtail::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
};

// Runs `longtail ARGS` (ARGS as a shell-quoted string), stderr to the test log.
CommandResult RunLongtail(const std::string& args);

}  // namespace longtail::testing
