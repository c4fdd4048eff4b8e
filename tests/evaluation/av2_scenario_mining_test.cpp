#include "evaluation/av2_scenario_mining.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace longtail::evaluation::av2 {
namespace {

TEST(Av2ScenarioMining, LoadsALogWithPosesAndVelocities) {
  LONGTAIL_REQUIRE_DATA(dir, "av2-scenario-mining");
  sensors::IssueLog issues;
  const Av2Log log = LoadAv2Log(dir / "3bffdcff-c3a7-38b6-a0f2-64196d130958", issues);
  EXPECT_EQ(issues.count(), 0u);
  EXPECT_EQ(log.frames.size(), 156u);
  EXPECT_EQ(log.uuids.size(), 115u);  // 116 tracks less the ego
  std::size_t boxes = 0;
  for (const auto& f : log.frames) boxes += f.tracks.size();
  EXPECT_EQ(boxes, 12342u - 156u);
  for (const auto& f : log.frames) {
    EXPECT_TRUE(f.ego.known);
    EXPECT_LT(std::abs(f.ego.speed), 30);
  }
}
}  // namespace
}  // namespace longtail::evaluation::av2
