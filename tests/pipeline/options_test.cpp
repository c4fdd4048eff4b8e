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

TEST(RunOptions, EffectiveOptionsSetEveryDefault) {
  const auto effective = EffectiveOptions(ParseRunOptions("", "empty"));
  EXPECT_TRUE(effective.runner().has_window_context_before_s());
  EXPECT_DOUBLE_EQ(effective.runner().window_context_before_s(), 1.0);
  EXPECT_TRUE(effective.detectors().ego_corridor().has_length_m());
}

}  // namespace
}  // namespace longtail::pipeline
