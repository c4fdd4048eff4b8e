#include "pipeline/options.h"

#include <gtest/gtest.h>

namespace longtail::pipeline {
namespace {

TEST(RunOptions, ExplicitDefaultsHashLikeAnEmptyConfig) {
  const auto empty = ParseRunOptions("", "empty");
  const auto explicit_defaults =
      ParseRunOptions("runner { window_context_before_s: 1.0 }", "explicit");
  EXPECT_EQ(OptionsHash(empty), OptionsHash(explicit_defaults));
  EXPECT_EQ(OptionsHash(empty).size(), 16u);
}

TEST(RunOptions, ThreadsDoNotChangeTheHashButThresholdsDo) {
  const auto base = ParseRunOptions("", "base");
  EXPECT_EQ(OptionsHash(base), OptionsHash(ParseRunOptions("runner { threads: 1 }", "threads")));
  EXPECT_NE(OptionsHash(base),
            OptionsHash(ParseRunOptions("detectors { ego_corridor { length_m: 8 } }", "short")));
}

TEST(RunOptions, UnknownFieldNamesTheLine) {
  try {
    ParseRunOptions("runner {\n  no_such_field: 3\n}\n", "run.pbtxt");
    FAIL() << "expected OptionsError";
  } catch (const OptionsError& e) {
    EXPECT_NE(std::string(e.what()).find("run.pbtxt:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_field"), std::string::npos);
  }
  EXPECT_THROW(LoadRunOptions("/no/such/run.pbtxt"), OptionsError);
}

// Every option is a size, distance, duration, rate, count or fraction: a negative or non-finite
// value would silently turn a detector off or merge every window, so loading it is an error that
// names the field.
std::string ErrorOf(const std::string& text) {
  try {
    ParseRunOptions(text, "run.pbtxt");
  } catch (const OptionsError& e) {
    return e.what();
  }
  return "";
}

TEST(RunOptions, ValuesOutsideTheirRangeNameTheField) {
  EXPECT_NE(ErrorOf("detectors { ego_corridor { width_m: -1 } }")
                .find("run.pbtxt: detectors.ego_corridor.width_m = -1 must be a number >= 0"),
            std::string::npos)
      << ErrorOf("detectors { ego_corridor { width_m: -1 } }");
  EXPECT_NE(ErrorOf("runner { window_context_before_s: 1e9 }")
                .find("runner.window_context_before_s = 1e+09 is above its maximum 60"),
            std::string::npos);
  EXPECT_NE(ErrorOf("runner { min_severity: 1.5 }").find("runner.min_severity"), std::string::npos);
  EXPECT_NE(ErrorOf("perception { ground { max_slope: nan } }")
                .find("perception.ground.max_slope = nan must be a number >= 0"),
            std::string::npos)
      << ErrorOf("perception { ground { max_slope: nan } }");
  EXPECT_EQ(ErrorOf("runner { window_context_before_s: 60 min_severity: 0 }"), "");
}

TEST(RunOptions, EffectiveOptionsSetEveryDefault) {
  const auto effective = EffectiveOptions(ParseRunOptions("", "empty"));
  EXPECT_TRUE(effective.runner().has_window_context_before_s());
  EXPECT_DOUBLE_EQ(effective.runner().window_context_before_s(), 1.0);
  EXPECT_TRUE(effective.detectors().ego_corridor().has_length_m());
}

}  // namespace
}  // namespace longtail::pipeline
