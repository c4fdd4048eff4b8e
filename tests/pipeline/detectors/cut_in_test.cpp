#include "pipeline/detectors/cut_in.h"

#include <gtest/gtest.h>

#include <functional>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;
using testing::MakeTrack;
using testing::SizedBox;

// Eleven frames at 10 Hz of one track whose centre is at lateral(i) and x, and every event the
// detector gives when judging each frame in turn.
std::vector<Event> RunSequence(const std::function<double(int)>& lateral, double x,
                               ObjectClass object_class = ObjectClass::kCar) {
  std::vector<FrameResult> frames;
  for (int i = 0; i <= 10; ++i) {
    frames.push_back(MakeFrame(i, {MakeTrack(5, object_class, CarBox(x, lateral(i)))}));
  }
  CutInDetector detector{proto::DetectorsOptions()};
  std::vector<Event> events;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    for (Event& e : detector.Process({frames, i})) events.push_back(std::move(e));
  }
  return events;
}

TEST(CutInTest, CarMovingIntoTheLaneAheadFiresOnceWhenItCrossesIn) {
  // From 3.5 m left to 0.5 m left in 1 s; the centre crosses the lane edge (1.75 m) at frame 6.
  const auto events = RunSequence([](int i) { return 3.5 - 0.3 * i; }, 12);
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.type, "cut_in");
  EXPECT_EQ(e.first_frame, 6);
  EXPECT_NEAR(e.values.at("lateral_shift_m"), 1.8, 1e-9);
  EXPECT_NEAR(e.values.at("lateral_speed_mps"), 3.0, 1e-9);
  EXPECT_NEAR(e.values.at("distance_m"), 9.75, 1e-9);
  EXPECT_NE(e.reason.find("Car #5 cut into the ego lane 9.8 m ahead from the left"),
            std::string::npos);
}

TEST(CutInTest, FromTheRightToo) {
  const auto events = RunSequence([](int i) { return -3.5 + 0.3 * i; }, 12);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].reason.find("from the right"), std::string::npos);
}

TEST(CutInTest, MinimumLateralShiftIsTheThreshold) {
  // Crossing at frame 6 (lateral 1.7 m): shifts of 0.6 m (from 2.3) and 1.2 m (from 2.9).
  EXPECT_TRUE(RunSequence([](int i) { return 2.3 - 0.1 * i; }, 12).empty());
  EXPECT_EQ(RunSequence([](int i) { return 2.9 - 0.2 * i; }, 12).size(), 1u);
}

TEST(CutInTest, SidewaysSpeedBeyondDrivingIsNoise) {
  // The lateral speed is measured from the first observation in the look-back (frame 0). From
  // 5.0 m to 1.7 m by frame 6 is 5.5 m/s, above the 5 m/s limit: a box or id jump. From 3.5 m it
  // is 3 m/s: a cut-in.
  EXPECT_TRUE(RunSequence([](int i) { return i <= 5 ? 5.0 : 1.7; }, 12).empty());
  EXPECT_EQ(RunSequence([](int i) { return i <= 5 ? 3.5 : 1.7; }, 12).size(), 1u);
}

TEST(CutInTest, MaximumGapIsTheThreshold) {
  EXPECT_EQ(RunSequence([](int i) { return 3.5 - 0.3 * i; }, 27.2).size(), 1u);  // rear at 24.95
  EXPECT_TRUE(RunSequence([](int i) { return 3.5 - 0.3 * i; }, 27.3).empty());   // rear at 25.05
}

TEST(CutInTest, NonVehiclesAndCarsAlreadyInTheLaneDoNotFire) {
  EXPECT_TRUE(
      RunSequence([](int i) { return 3.5 - 0.3 * i; }, 12, ObjectClass::kPedestrian).empty());
  EXPECT_TRUE(RunSequence([](int i) { return 1.0 - 0.1 * i; }, 12).empty());
}

TEST(CutInTest, FirstFrameHasNoHistory) {
  const std::vector<FrameResult> frames = {
      MakeFrame(0, {MakeTrack(5, ObjectClass::kCar, CarBox(12, 0))})};
  CutInDetector detector{proto::DetectorsOptions()};
  EXPECT_TRUE(detector.Process({frames, 0}).empty());
}

}  // namespace
}  // namespace longtail::pipeline
