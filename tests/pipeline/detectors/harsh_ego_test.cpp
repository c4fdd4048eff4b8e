#include "pipeline/detectors/harsh_ego.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using testing::MakeFrame;
using testing::MovingEgo;

// Seven frames at 10 Hz with the ego's speed given per frame; judges the last one.
std::vector<Event> JudgeLast(const std::function<double(int)>& speed, double yaw_rate = 0,
                             const proto::DetectorsOptions& options = {}, bool estimated = false) {
  std::vector<FrameResult> frames;
  for (int i = 0; i <= 6; ++i) {
    frames.push_back(MakeFrame(i));
    frames.back().ego = MovingEgo({i * 1.0, 0}, 0, speed(i), yaw_rate);
    frames.back().ego.estimated = estimated;
  }
  HarshEgoDetector detector(options);
  return detector.Process({frames, frames.size() - 1});
}

std::vector<std::string> Types(const std::vector<Event>& events) {
  std::vector<std::string> types;
  for (const Event& e : events) types.push_back(e.type);
  return types;
}

TEST(HarshEgoTest, HardBrakingFires) {
  const auto events = JudgeLast([](int i) { return 12 - 0.5 * i; });  // -5 m/s^2
  ASSERT_EQ(Types(events), std::vector<std::string>{"hard_braking"});
  EXPECT_NEAR(events[0].values.at("acceleration_mps2"), -5, 1e-6);
  EXPECT_NE(events[0].reason.find("Ego braked at 5.0 m/s^2 (10.5 -> 9.0 m/s over 0.30 s)"),
            std::string::npos);
}

TEST(HarshEgoTest, BrakingThresholdIsTheThreshold) {
  EXPECT_EQ(JudgeLast([](int i) { return 12 - 0.31 * i; }).size(), 1u);  // -3.1 m/s^2
  EXPECT_TRUE(JudgeLast([](int i) { return 12 - 0.29 * i; }).empty());   // -2.9 m/s^2
}

TEST(HarshEgoTest, ImplausibleAccelerationIsAnEstimationGlitch) {
  // 10 m/s^2 is beyond what a car does (limit 9): ignored, and so is the jerk it would imply.
  EXPECT_TRUE(JudgeLast([](int i) { return 12 - 1.0 * i; }).empty());
  EXPECT_EQ(Types(JudgeLast([](int i) { return 12 - 0.85 * i; })),
            std::vector<std::string>{"hard_braking"});
}

TEST(HarshEgoTest, HarshAccelerationFires) {
  EXPECT_EQ(Types(JudgeLast([](int i) { return 5 + 0.4 * i; })),
            std::vector<std::string>{"harsh_acceleration"});
  EXPECT_TRUE(JudgeLast([](int i) { return 5 + 0.2 * i; }).empty());
}

TEST(HarshEgoTest, SuddenOnsetOfBrakingIsAJerk) {
  // Steady until frame 3, then -5 m/s^2: the acceleration changes by 5 m/s^2 in 0.3 s.
  const auto events = JudgeLast([](int i) { return i <= 3 ? 12 : 12 - 0.5 * (i - 3); });
  EXPECT_EQ(Types(events), (std::vector<std::string>{"hard_braking", "harsh_jerk"}));
  EXPECT_NEAR(events[1].values.at("jerk_mps3"), -5 / 0.3, 1e-3);
}

TEST(HarshEgoTest, LateralAccelerationIsTheThreshold) {
  const auto turn = JudgeLast([](int) { return 10; }, 0.45);  // 4.5 m/s^2
  ASSERT_EQ(Types(turn), std::vector<std::string>{"harsh_turn"});
  EXPECT_NE(turn[0].reason.find("left"), std::string::npos);
  EXPECT_TRUE(JudgeLast([](int) { return 10; }, 0.35).empty());  // 3.5 m/s^2
}

TEST(HarshEgoTest, StandingUnknownOrUnwantedEstimatedMotionDoesNotFire) {
  EXPECT_TRUE(JudgeLast([](int) { return 0; }, 1.0).empty());
  std::vector<FrameResult> frames = {MakeFrame(0), MakeFrame(1)};
  HarshEgoDetector detector{proto::DetectorsOptions()};
  EXPECT_TRUE(detector.Process({frames, 1}).empty());
  proto::DetectorsOptions measured_only;
  measured_only.mutable_harsh_ego()->set_use_estimated_motion(false);
  EXPECT_TRUE(JudgeLast([](int i) { return 12 - 0.5 * i; }, 0, measured_only, true).empty());
  EXPECT_EQ(JudgeLast([](int i) { return 12 - 0.5 * i; }, 0, {}, true).size(), 1u);
}

}  // namespace
}  // namespace longtail::pipeline
