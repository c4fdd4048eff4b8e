// Helpers shared by the test suites: where the real data is, scratch directories.
#pragma once

#include <filesystem>
#include <string>

namespace longtail::testing {

// ../shared/data beside the checkout (or $LONGTAIL_SHARED_DATA). Empty when absent.
std::filesystem::path SharedData();
// Calls GTEST_SKIP-worthy logic: returns the path of shared/data/<relative>, or an empty path when
// it is absent outside CI. Under CI=true an absent folder is a test failure, never a silent skip.
std::filesystem::path RequireSharedData(const std::string& relative);
// A fresh empty directory under the system temp dir, unique per test.
std::filesystem::path ScratchDir();

}  // namespace longtail::testing

// Skips the current test (or fails it under CI) when shared data is missing.
#define LONGTAIL_REQUIRE_DATA(var, relative)                                          \
  const std::filesystem::path var = ::longtail::testing::RequireSharedData(relative); \
  if (var.empty()) GTEST_SKIP() << "../shared/data/" << relative << " is absent"
