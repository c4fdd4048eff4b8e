#include "tests/test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace longtail::testing {

std::filesystem::path SharedData() {
  if (const char* env = std::getenv("LONGTAIL_SHARED_DATA")) return env;
  return LONGTAIL_SHARED_DATA_DEFAULT;
}

std::filesystem::path RequireSharedData(const std::string& relative) {
  const std::filesystem::path path = SharedData() / relative;
  if (std::filesystem::exists(path)) return path;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    ADD_FAILURE() << path << " is missing, and CI must always have ../shared/data";
  }
  return {};
}

std::filesystem::path ScratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "scratch";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "longtail-tests" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace longtail::testing
