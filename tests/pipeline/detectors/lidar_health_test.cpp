#include "pipeline/detectors/lidar_health.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using testing::MakeFrame;

// Ten frames of 100000 points at 10 Hz, then the judged one.
std::vector<Event> JudgeAfterHistory(FrameResult judged, int history = 10) {
  std::vector<FrameResult> frames;
  for (int i = 0; i < history; ++i) {
    frames.push_back(MakeFrame(i));
    frames.back().perception.num_points = 100000;
  }
  frames.push_back(std::move(judged));
  LidarHealthDetector detector{proto::DetectorsOptions()};
  return detector.Process({frames, frames.size() - 1});
}

FrameResult Scan(std::int64_t index, std::int64_t points) {
  FrameResult frame = MakeFrame(index);
  frame.perception.num_points = points;
  return frame;
}

TEST(LidarHealthTest, HealthyScanGivesNoEvents) {
  EXPECT_TRUE(JudgeAfterHistory(Scan(10, 98000)).empty());
}

TEST(LidarHealthTest, PointDropRatioIsTheThreshold) {
  const auto events = JudgeAfterHistory(Scan(10, 40000));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "lidar_point_drop");
  EXPECT_NEAR(events[0].values.at("point_ratio"), 0.4, 1e-12);
  EXPECT_NE(events[0].reason.find("40000 points, 40% of the median 100000"), std::string::npos);
  EXPECT_TRUE(JudgeAfterHistory(Scan(10, 51000)).empty());
}

TEST(LidarHealthTest, EmptyScanFiresEvenWithoutHistory) {
  const std::vector<FrameResult> frames = {Scan(0, 0)};
  LidarHealthDetector detector{proto::DetectorsOptions()};
  const auto events = detector.Process({frames, 0});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "lidar_empty");
}

TEST(LidarHealthTest, GapInTimeIsMissingFrames) {
  FrameResult late = Scan(10, 100000);
  late.stamp = MakeFrame(9).stamp + std::chrono::milliseconds(300);
  const auto events = JudgeAfterHistory(late);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "missing_frames");
  EXPECT_EQ(events[0].values.at("missing_frames"), 2);
  FrameResult slightly_late = Scan(10, 100000);
  slightly_late.stamp = MakeFrame(9).stamp + std::chrono::milliseconds(140);
  EXPECT_TRUE(JudgeAfterHistory(slightly_late).empty());
  slightly_late.stamp = MakeFrame(9).stamp + std::chrono::milliseconds(160);
  EXPECT_EQ(JudgeAfterHistory(slightly_late).size(), 1u);
}

TEST(LidarHealthTest, JumpInIndexIsMissingFrames) {
  const auto events = JudgeAfterHistory(Scan(12, 100000));  // stamp of frame 12, index 9 -> 12
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].values.at("missing_frames"), 2);
}

TEST(LidarHealthTest, ShortHistoryJudgesNoDrop) {
  EXPECT_TRUE(JudgeAfterHistory(Scan(2, 1000), 2).empty());
  EXPECT_EQ(JudgeAfterHistory(Scan(3, 1000), 3).size(), 1u);
}

}  // namespace
}  // namespace longtail::pipeline
