#include "pipeline/detectors/detector_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;
using testing::MakeTrack;

TEST(MakeFrameEvent, SpansItsOneFrameAndClampsTheSeverity) {
  const FrameResult frame = MakeFrame(7);
  const Event high = MakeFrameEvent(frame, "d", 2, "t", 1.7, {3}, "why", {{"x_m", 1}});
  EXPECT_EQ(high.first_frame, 7);
  EXPECT_EQ(high.last_frame, 7);
  EXPECT_EQ(high.peak_frame, 7);
  EXPECT_EQ(high.start, frame.stamp);
  EXPECT_EQ(high.end, frame.stamp);
  EXPECT_EQ(high.detector_version, 2);
  EXPECT_DOUBLE_EQ(high.severity, 1.0);
  EXPECT_DOUBLE_EQ(MakeFrameEvent(frame, "d", 1, "t", -0.2, {}, "", {}).severity, 0.0);
}

TEST(Fixed, RoundsToTheGivenDecimals) {
  EXPECT_EQ(Fixed(12.345), "12.3");
  EXPECT_EQ(Fixed(12.355, 0), "12");
  EXPECT_EQ(Fixed(-0.06, 1), "-0.1");
  EXPECT_EQ(LeftOrRight(0.26), "0.3 m left");
  EXPECT_EQ(LeftOrRight(-1.7), "1.7 m right");
}

TEST(FindTrack, IsNullWhenTheFrameHasNoSuchTrack) {
  const FrameResult frame = MakeFrame(0, {MakeTrack(4, ObjectClass::kCar, CarBox(10, 0))});
  ASSERT_NE(FindTrack(frame, 4), nullptr);
  EXPECT_EQ(FindTrack(frame, 4)->id, 4);
  EXPECT_EQ(FindTrack(frame, 5), nullptr);
  EXPECT_EQ(FindTrack(MakeFrame(1), 4), nullptr);
  EXPECT_EQ(Describe(*FindTrack(frame, 4)),
            std::string(sensors::ToString(ObjectClass::kCar)) + " #4");
}

TEST(FootprintDistance, IsZeroForOverlappingBoxesAndTheGapOtherwise) {
  EXPECT_DOUBLE_EQ(FootprintDistance(CarBox(10, 0), CarBox(12, 0.5)), 0.0);
  EXPECT_NEAR(FootprintDistance(CarBox(10, 0), CarBox(10, 3)), 3 - 1.8, 1e-9);   // side by side
  EXPECT_NEAR(FootprintDistance(CarBox(10, 0), CarBox(20, 0)), 10 - 4.5, 1e-9);  // nose to tail
  // Corner to corner: 1 m apart along each axis.
  EXPECT_NEAR(FootprintDistance(CarBox(0, 0), CarBox(5.5, 2.8)), std::sqrt(2.0), 1e-9);
}

TEST(EgoVelocity, IsZeroWhenTheEgoMotionIsUnknown) {
  EgoMotion ego;
  ego.speed = 12;
  EXPECT_TRUE(EgoVelocity(ego).isZero());
  ego.known = true;
  EXPECT_EQ(EgoVelocity(ego), Eigen::Vector2d(12, 0));
}

TEST(HasPlausibleMotion, RejectsSpeedsAboveItsClassAndVehiclesSlidingSideways) {
  const proto::TrackPlausibilityOptions options;
  const auto with = [](ObjectClass c, Eigen::Vector2d v) {
    return MakeTrack(1, c, CarBox(10, 0), v);
  };
  EXPECT_TRUE(HasPlausibleMotion(with(ObjectClass::kPedestrian, {1.5, 0}), options));
  EXPECT_FALSE(HasPlausibleMotion(with(ObjectClass::kPedestrian, {6, 0}), options));
  EXPECT_FALSE(HasPlausibleMotion(with(ObjectClass::kCyclist, {0, 16}), options));
  EXPECT_FALSE(HasPlausibleMotion(with(ObjectClass::kUnknown, {31, 0}), options));
  EXPECT_TRUE(HasPlausibleMotion(with(ObjectClass::kCar, {-8, 0}), options));   // reversing
  EXPECT_FALSE(HasPlausibleMotion(with(ObjectClass::kCar, {0, 5}), options));   // sideways
  EXPECT_TRUE(HasPlausibleMotion(with(ObjectClass::kCar, {0, 0.5}), options));  // too slow to judge
}

TEST(EarliestObservation, LooksBackNoFurtherThanAskedOrThanTheWindowGoes) {
  const Track car = MakeTrack(2, ObjectClass::kCar, CarBox(10, 0));
  const std::vector<FrameResult> frames = {MakeFrame(0, {car}), MakeFrame(1), MakeFrame(2, {car}),
                                           MakeFrame(3, {car})};
  const FrameWindow window{frames, 3};
  EXPECT_EQ(EarliestObservation(window, 2, 10)->frame, 0u);
  EXPECT_EQ(EarliestObservation(window, 2, 2)->frame, 2u);
  EXPECT_FALSE(EarliestObservation(window, 2, 0));
  EXPECT_FALSE(EarliestObservation(window, 2, -5));
  EXPECT_FALSE(EarliestObservation(window, 9, 10));
  EXPECT_FALSE(EarliestObservation(FrameWindow{frames, 0}, 2, 10));  // nothing before
}

TEST(ConsecutiveFrames, StartsAgainWhenAFrameMissesTheCondition) {
  ConsecutiveFrames runs;
  EXPECT_EQ(runs.Hold(1), 1);
  runs.EndFrame();
  EXPECT_EQ(runs.Hold(1), 2);
  EXPECT_EQ(runs.Hold(2), 1);
  runs.EndFrame();
  runs.EndFrame();  // a frame where nothing held
  EXPECT_EQ(runs.Hold(1), 1);
  EXPECT_EQ(runs.Hold(2), 1);
}

TEST(Median, IsTheMiddleOrTheMeanOfTheTwoMiddleAndZeroWhenEmpty) {
  EXPECT_DOUBLE_EQ(Median({}), 0.0);
  EXPECT_DOUBLE_EQ(Median({3}), 3.0);
  EXPECT_DOUBLE_EQ(Median({5, 1, 3}), 3.0);
  EXPECT_DOUBLE_EQ(Median({4, 1, 3, 2}), 2.5);
}

}  // namespace
}  // namespace longtail::pipeline
