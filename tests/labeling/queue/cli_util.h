// Runs the `longtail` binary ($LONGTAIL_BINARY_DIR/tools/longtail) from the queue's tests.
#pragma once

#include <string>
#include <vector>

#include "labeling/queue/review_queue.h"

namespace longtail::labeling::testing {

std::string LongtailBinary();

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs `longtail ARGS` (ARGS shell-quoted by the caller).
CliResult RunCli(const std::string& args);

// Single-quotes `text` for the shell.
std::string Quote(const std::string& text);

// Every task of the queue in a canonical text form (key, severity, events, pre-labels; no ids or
// times of the queue itself), sorted: two queues hold the same work when these are equal.
std::vector<std::string> CanonicalTasks(ReviewQueue& queue);

}  // namespace longtail::labeling::testing
