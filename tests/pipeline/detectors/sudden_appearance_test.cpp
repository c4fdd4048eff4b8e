#include "pipeline/detectors/sudden_appearance.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;
using testing::MakeTrack;

std::vector<Event> Judge(SuddenAppearanceDetector& detector, std::int64_t index,
                         std::vector<Track> tracks) {
  const std::vector<FrameResult> frames = {MakeFrame(index, std::move(tracks))};
  return detector.Process({frames, 0});
}

TEST(SuddenAppearanceTest, NewTrackCloseToTheEgoFiresOnce) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  const Track car = MakeTrack(12, ObjectClass::kCar, CarBox(6, 0));
  const auto events = Judge(detector, 10, {car});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "sudden_appearance");
  EXPECT_NEAR(events[0].values.at("distance_m"), 1.75, 1e-9);
  EXPECT_NE(events[0].reason.find("Car #12 appeared 1.8 m from the ego (first seen at frame 10"),
            std::string::npos);
  EXPECT_TRUE(Judge(detector, 11, {car}).empty());
}

TEST(SuddenAppearanceTest, DistanceIsTheThreshold) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  // Rear at x - 2.25 against the ego's front at 2 m: 7.95 m and 8.05 m away.
  EXPECT_EQ(Judge(detector, 10, {MakeTrack(1, ObjectClass::kCar, CarBox(12.2, 0))}).size(), 1u);
  EXPECT_TRUE(Judge(detector, 10, {MakeTrack(2, ObjectClass::kCar, CarBox(12.3, 0))}).empty());
}

TEST(SuddenAppearanceTest, TracksBornInTheWarmUpAreNeverSudden) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  const Track car = MakeTrack(3, ObjectClass::kCar, CarBox(6, 0));
  EXPECT_TRUE(Judge(detector, 4, {car}).empty());
  EXPECT_TRUE(Judge(detector, 5, {car}).empty());
  EXPECT_EQ(Judge(detector, 5, {MakeTrack(4, ObjectClass::kCar, CarBox(6, 3))}).size(), 1u);
}

TEST(SuddenAppearanceTest, NewIdWhereAnotherTrackJustWasIsAnIdSwitch) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  std::vector<FrameResult> frames = {
      MakeFrame(9, {MakeTrack(1, ObjectClass::kCar, CarBox(7, 0))}),
      MakeFrame(10, {MakeTrack(2, ObjectClass::kCar, CarBox(6, 0))})};
  EXPECT_EQ(detector.Process({frames, 0}).size(), 1u);  // track 1 itself appears
  EXPECT_TRUE(
      detector.Process({frames, 1}).empty());  // 1 m from where track 1 was: a new id for it
  frames[1].tracks[0].id = 3;
  frames[1].tracks[0].box = CarBox(6, 3.5);  // 3.6 m from track 1: a real newcomer
  EXPECT_EQ(detector.Process({frames, 1}).size(), 1u);
}

TEST(SuddenAppearanceTest, UnclassifiedNewbornsCountOnlyWhenAskedFor) {
  SuddenAppearanceDetector by_default{proto::DetectorsOptions()};
  const Track blob = MakeTrack(5, ObjectClass::kUnknown, CarBox(6, 0));
  EXPECT_TRUE(Judge(by_default, 10, {blob}).empty());
  proto::DetectorsOptions options;
  options.mutable_sudden_appearance()->set_include_unknown(true);
  SuddenAppearanceDetector with_unknown{options};
  EXPECT_EQ(Judge(with_unknown, 10, {blob}).size(), 1u);
}

TEST(SuddenAppearanceTest, HugeNewbornsAreWallsOrMergedClusters) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  Track wall = MakeTrack(5, ObjectClass::kTruck, CarBox(6, 0));
  wall.box.length = 16;
  EXPECT_TRUE(Judge(detector, 10, {wall}).empty());
}

TEST(SuddenAppearanceTest, SparseOrLowNewbornsAreClutter) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  Track sparse = MakeTrack(5, ObjectClass::kPedestrian, CarBox(6, 0));
  sparse.num_points = 19;
  EXPECT_TRUE(Judge(detector, 10, {sparse}).empty());
  Track low = MakeTrack(6, ObjectClass::kPedestrian, CarBox(6, 0));
  low.box.height = 0.7;
  EXPECT_TRUE(Judge(detector, 10, {low}).empty());
}

}  // namespace
}  // namespace longtail::pipeline
