#include "pipeline/detectors/harsh_ego.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using testing::MakeFrame;
using testing::MovingEgo;

// 21 frames at 10 Hz with the ego's speed given per frame; judges frame 10, the middle one (the
// acceleration is fitted over 5 frames each side, the jerk compares it with 5 frames earlier).
std::vector<Event> JudgeMiddle(const std::function<double(int)>& speed, double yaw_rate = 0,
                               const proto::DetectorsOptions& options = {},
                               bool estimated = false) {
  std::vector<FrameResult> frames;
  for (int i = 0; i <= 20; ++i) {
    frames.push_back(MakeFrame(i));
    frames.back().ego = MovingEgo({i * 1.0, 0}, 0, speed(i), yaw_rate);
    frames.back().ego.estimated = estimated;
  }
  HarshEgoDetector detector(options);
  return detector.Process({frames, 10});
}

std::vector<std::string> Types(const std::vector<Event>& events) {
  std::vector<std::string> types;
  for (const Event& e : events) types.push_back(e.type);
  return types;
}

TEST(HarshEgoTest, HardBrakingFires) {
  const auto events = JudgeMiddle([](int i) { return 12 - 0.5 * i; });  // -5 m/s^2
  ASSERT_EQ(Types(events), std::vector<std::string>{"hard_braking"});
  EXPECT_NEAR(events[0].values.at("acceleration_mps2"), -5, 1e-6);
  EXPECT_NE(events[0].reason.find("Ego braked at 5.0 m/s^2 (9.5 -> 4.5 m/s over 1.00 s)"),
            std::string::npos);
}

TEST(HarshEgoTest, BrakingThresholdIsTheThreshold) {
  EXPECT_EQ(JudgeMiddle([](int i) { return 12 - 0.31 * i; }).size(), 1u);  // -3.1 m/s^2
  EXPECT_TRUE(JudgeMiddle([](int i) { return 12 - 0.29 * i; }).empty());   // -2.9 m/s^2
}

TEST(HarshEgoTest, ImplausibleAccelerationIsAnEstimationGlitch) {
  // 10 m/s^2 is beyond what a car does (limit 9): ignored, and so is the jerk it would imply.
  EXPECT_TRUE(JudgeMiddle([](int i) { return 12 - 1.0 * i; }).empty());
  EXPECT_EQ(Types(JudgeMiddle([](int i) { return 12 - 0.85 * i; })),
            std::vector<std::string>{"hard_braking"});
}

TEST(HarshEgoTest, HarshAccelerationFires) {
  EXPECT_EQ(Types(JudgeMiddle([](int i) { return 5 + 0.4 * i; })),
            std::vector<std::string>{"harsh_acceleration"});
  EXPECT_TRUE(JudgeMiddle([](int i) { return 5 + 0.2 * i; }).empty());
}

TEST(HarshEgoTest, SuddenOnsetOfBrakingIsAJerk) {
  // Steady until frame 8, then -5 m/s^2. Fitted over 1.1 s the acceleration is -3.8 m/s^2 at
  // frame 10 and -0.6 at frame 5: a jerk of -6.4 m/s^3, below the default 10 (smoothing spreads a
  // sudden onset) and above a threshold of 5.
  const auto speed = [](int i) { return i <= 8 ? 12.0 : 12 - 0.5 * (i - 8); };
  EXPECT_EQ(Types(JudgeMiddle(speed)), std::vector<std::string>{"hard_braking"});
  proto::DetectorsOptions options;
  options.mutable_harsh_ego()->set_max_jerk_mps3(5);
  const auto events = JudgeMiddle(speed, 0, options);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"hard_braking", "harsh_jerk"}));
  EXPECT_NEAR(events[1].values.at("jerk_mps3"), (-42.0 / 110 + 7.0 / 110) / 0.1 / 0.5, 1e-3);
}

TEST(HarshEgoTest, PoseJitterDoesNotLookLikeBraking) {
  // Steady 10 m/s with +-0.25 m/s of alternating speed noise (what differencing 5 cm of pose
  // jitter over 0.2 s gives): a difference of neighbours would read +-5 m/s^2.
  const auto noisy = [](int i) { return 10 + (i % 2 == 0 ? 0.25 : -0.25); };
  EXPECT_TRUE(JudgeMiddle(noisy).empty());
}

TEST(HarshEgoTest, LateralAccelerationIsTheThreshold) {
  const auto turn = JudgeMiddle([](int) { return 10; }, 0.45);  // 4.5 m/s^2
  ASSERT_EQ(Types(turn), std::vector<std::string>{"harsh_turn"});
  EXPECT_NE(turn[0].reason.find("left"), std::string::npos);
  EXPECT_TRUE(JudgeMiddle([](int) { return 10; }, 0.35).empty());  // 3.5 m/s^2
}

TEST(HarshEgoTest, StandingUnknownOrUnwantedEstimatedMotionDoesNotFire) {
  EXPECT_TRUE(JudgeMiddle([](int) { return 0; }, 1.0).empty());
  std::vector<FrameResult> frames = {MakeFrame(0), MakeFrame(1)};
  HarshEgoDetector detector{proto::DetectorsOptions()};
  EXPECT_TRUE(detector.Process({frames, 1}).empty());
  proto::DetectorsOptions measured_only;
  measured_only.mutable_harsh_ego()->set_use_estimated_motion(false);
  EXPECT_TRUE(JudgeMiddle([](int i) { return 12 - 0.5 * i; }, 0, measured_only, true).empty());
  EXPECT_EQ(JudgeMiddle([](int i) { return 12 - 0.5 * i; }, 0, {}, true).size(), 1u);
}

}  // namespace
}  // namespace longtail::pipeline
