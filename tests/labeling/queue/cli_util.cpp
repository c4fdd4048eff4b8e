#include "tests/labeling/queue/cli_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "labeling/queue/queue_json.h"
#include "tests/test_support.h"

namespace longtail::labeling::testing {

std::string LongtailBinary() {
  const char* dir = std::getenv("LONGTAIL_BINARY_DIR");
  return (std::filesystem::path(dir ? dir : ".") / "tools" / "longtail").string();
}

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CliResult RunCli(const std::string& args) {
  static int counter = 0;
  const auto err_path =
      std::filesystem::temp_directory_path() /
      ("longtail-cli-err-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  const std::string command =
      Quote(LongtailBinary()) + " " + args + " 2>" + Quote(err_path.string());
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream text;
  text << err.rdbuf();
  result.err = text.str();
  std::filesystem::remove(err_path);
  return result;
}

std::vector<std::string> CanonicalTasks(ReviewQueue& queue) {
  std::vector<std::string> out;
  TaskFilter page;
  page.limit = 200;
  while (true) {
    const auto tasks = queue.ListTasks(page);
    if (tasks.empty()) break;
    for (const auto& t : tasks) {
      const auto detail = queue.GetTask(t.id);
      std::ostringstream text;
      text.precision(17);
      text << t.log_id << "|" << t.detectors << "|" << t.first_frame << "-" << t.last_frame << "|"
           << t.options_hash << "|" << t.severity << "|" << sensors::ToNanos(t.start) << "|"
           << sensors::ToNanos(t.end) << "|" << json::EventsToJson(detail->events) << "|"
           << json::FramesToJson(detail->prelabels);
      out.push_back(text.str());
    }
    page.after_id = tasks.back().id;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace longtail::labeling::testing
