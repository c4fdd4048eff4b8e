#include "tests/tools/cli/cli_runner.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace longtail::testing {

CommandResult RunLongtail(const std::string& args) {
  const char* binary_dir = std::getenv("LONGTAIL_BINARY_DIR");
  if (!binary_dir)
    throw std::runtime_error("LONGTAIL_BINARY_DIR is not set (run the tests with ctest)");
  const std::string command = std::string(binary_dir) + "/tools/longtail " + args;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  CommandResult result;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    result.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace longtail::testing
