#include "pipeline/detectors/camera_health.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using testing::MakeFrame;

ImageStats Normal(std::uint64_t hash, double sharpness = 100) {
  ImageStats stats;
  stats.valid = true;
  stats.mean_brightness = 110;
  stats.overexposed_fraction = 0.01;
  stats.underexposed_fraction = 0.01;
  stats.sharpness = sharpness;
  stats.hash = hash;
  return stats;
}

// Five normal frames of one camera (distinct images), then the judged frame's stats.
std::vector<Event> JudgeAfterHistory(ImageStats judged, int history = 5) {
  std::vector<FrameResult> frames;
  for (int i = 0; i < history; ++i) {
    frames.push_back(MakeFrame(i));
    frames.back().camera_stats = {Normal(1000 + i)};
  }
  frames.push_back(MakeFrame(history));
  frames.back().camera_stats = {judged};
  CameraHealthDetector detector{proto::DetectorsOptions()};
  return detector.Process({frames, frames.size() - 1});
}

std::vector<Event> JudgeSkew(double skew_ms) {
  std::vector<FrameResult> frames = {MakeFrame(0)};
  frames[0].camera_skews = {std::chrono::microseconds(static_cast<int>(skew_ms * 1000))};
  CameraHealthDetector detector{proto::DetectorsOptions()};
  return detector.Process({frames, 0});
}

TEST(CameraHealthTest, HealthyImageGivesNoEvents) {
  EXPECT_TRUE(JudgeAfterHistory(Normal(7)).empty());
}

TEST(CameraHealthTest, SkewAboveTheLimitFires) {
  const auto events = JudgeSkew(40);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "camera_lidar_skew");
  EXPECT_NE(events[0].reason.find("Camera 0 image is 40 ms after the lidar scan (limit 30 ms)"),
            std::string::npos);
  EXPECT_NE(JudgeSkew(-40)[0].reason.find("before"), std::string::npos);
  EXPECT_TRUE(JudgeSkew(29).empty());
  EXPECT_EQ(JudgeSkew(31).size(), 1u);
}

TEST(CameraHealthTest, ExposureLimitsAreThresholds) {
  ImageStats bright = Normal(7);
  bright.mean_brightness = 230;
  EXPECT_EQ(JudgeAfterHistory(bright)[0].type, "camera_overexposed");
  bright.mean_brightness = 220;
  EXPECT_TRUE(JudgeAfterHistory(bright).empty());
  bright.overexposed_fraction = 0.35;
  EXPECT_EQ(JudgeAfterHistory(bright)[0].type, "camera_overexposed");
  ImageStats dark = Normal(7);
  dark.mean_brightness = 20;
  const auto events = JudgeAfterHistory(dark);
  ASSERT_EQ(events.size(), 1u);  // dark images are also flat: reported as exposure, not blur
  EXPECT_EQ(events[0].type, "camera_underexposed");
  dark.mean_brightness = 30;
  EXPECT_TRUE(JudgeAfterHistory(dark).empty());
}

TEST(CameraHealthTest, BlurIsJudgedAgainstRecentSharpness) {
  const auto events = JudgeAfterHistory(Normal(7, 25));  // under 0.3 x the median 100
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "camera_blur");
  EXPECT_NEAR(events[0].values.at("median_sharpness"), 100, 1e-12);
  EXPECT_TRUE(JudgeAfterHistory(Normal(7, 35)).empty());
}

TEST(CameraHealthTest, WithoutHistoryOnlyTheAbsoluteFloorJudgesBlur) {
  EXPECT_TRUE(JudgeAfterHistory(Normal(7, 25), 0).empty());
  EXPECT_EQ(JudgeAfterHistory(Normal(7, 4), 0).size(), 1u);
}

TEST(CameraHealthTest, RepeatedImageIsFrozen) {
  const auto events = JudgeAfterHistory(Normal(1004));  // the previous frame's hash
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "camera_frozen");
  EXPECT_EQ(events[0].values.at("identical_frames"), 2);
}

TEST(CameraHealthTest, UndecodableImageFires) {
  const auto events = JudgeAfterHistory(ImageStats());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "camera_undecodable");
}

}  // namespace
}  // namespace longtail::pipeline
