#include "pipeline/detectors/sudden_appearance.h"

#include <gtest/gtest.h>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;

// A track moving at 1 m/s: a road user, not scenery.
Track Newborn(int id, ObjectClass object_class, const sensors::Box3D& box) {
  return testing::MakeTrack(id, object_class, box, {0, 1.0});
}

std::vector<Event> Judge(SuddenAppearanceDetector& detector, std::int64_t index,
                         std::vector<Track> tracks) {
  const std::vector<FrameResult> frames = {MakeFrame(index, std::move(tracks))};
  return detector.Process({frames, 0});
}

TEST(SuddenAppearanceTest, NewTrackCloseToTheEgoFiresOnce) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  const Track car = Newborn(12, ObjectClass::kCar, CarBox(6, 0));
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
  EXPECT_EQ(Judge(detector, 10, {Newborn(1, ObjectClass::kCar, CarBox(12.2, 0))}).size(), 1u);
  EXPECT_TRUE(Judge(detector, 10, {Newborn(2, ObjectClass::kCar, CarBox(12.3, 0))}).empty());
}

TEST(SuddenAppearanceTest, TracksBornInTheWarmUpAreNeverSudden) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  const Track car = Newborn(3, ObjectClass::kCar, CarBox(6, 0));
  EXPECT_TRUE(Judge(detector, 4, {car}).empty());
  EXPECT_TRUE(Judge(detector, 5, {car}).empty());
  EXPECT_EQ(Judge(detector, 5, {Newborn(4, ObjectClass::kCar, CarBox(6, 3))}).size(), 1u);
}

TEST(SuddenAppearanceTest, NewIdWhereAnotherTrackJustWasIsAnIdSwitch) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  std::vector<FrameResult> frames = {MakeFrame(9, {Newborn(1, ObjectClass::kCar, CarBox(7, 0))}),
                                     MakeFrame(10, {Newborn(2, ObjectClass::kCar, CarBox(6, 0))})};
  EXPECT_TRUE(detector.Process({frames, 0}).empty());  // track 1 is gone the next frame: a flicker
  EXPECT_TRUE(
      detector.Process({frames, 1}).empty());  // 1 m from where track 1 was: a new id for it
  frames[1].tracks[0].id = 3;
  frames[1].tracks[0].box = CarBox(6, 3.5);  // 3.6 m from track 1: a real newcomer
  EXPECT_EQ(detector.Process({frames, 1}).size(), 1u);
}

TEST(SuddenAppearanceTest, UnclassifiedNewbornsCountOnlyWhenAskedFor) {
  SuddenAppearanceDetector by_default{proto::DetectorsOptions()};
  const Track blob = Newborn(5, ObjectClass::kUnknown, CarBox(6, 0));
  EXPECT_TRUE(Judge(by_default, 10, {blob}).empty());
  proto::DetectorsOptions options;
  options.mutable_sudden_appearance()->set_include_unknown(true);
  SuddenAppearanceDetector with_unknown{options};
  EXPECT_EQ(Judge(with_unknown, 10, {blob}).size(), 1u);
}

TEST(SuddenAppearanceTest, HugeNewbornsAreWallsOrMergedClusters) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  Track wall = Newborn(5, ObjectClass::kTruck, CarBox(6, 0));
  wall.box.length = 16;
  EXPECT_TRUE(Judge(detector, 10, {wall}).empty());
}

TEST(SuddenAppearanceTest, SparseOrLowNewbornsAreClutter) {
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  Track sparse = Newborn(5, ObjectClass::kPedestrian, CarBox(6, 0));
  sparse.num_points = 19;
  EXPECT_TRUE(Judge(detector, 10, {sparse}).empty());
  Track low = Newborn(6, ObjectClass::kPedestrian, CarBox(6, 0));
  low.box.height = 0.7;
  EXPECT_TRUE(Judge(detector, 10, {low}).empty());
}

TEST(SuddenAppearanceTest, NewbornMustLiveOnAndMoveInTheNextFrames) {
  // Frames 10..13: the newborn at frame 10 is judged with three frames of look-ahead.
  const auto judge_birth = [](double later_speed, bool lives_on) {
    std::vector<FrameResult> frames;
    for (std::int64_t i = 10; i <= 13; ++i) {
      Track track = testing::MakeTrack(4, ObjectClass::kPedestrian, CarBox(6, 3), {0, -1.0});
      if (i > 10) track.velocity_world = {0, -later_speed};
      frames.push_back(
          MakeFrame(i, lives_on || i == 10 ? std::vector<Track>{track} : std::vector<Track>{}));
    }
    SuddenAppearanceDetector detector{proto::DetectorsOptions()};
    return detector.Process({frames, 0});
  };
  const auto events = judge_birth(1.0, true);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NEAR(events[0].values.at("speed_mps"), 1.0, 1e-9);
  EXPECT_NE(events[0].reason.find("moving at 1.0 m/s"), std::string::npos);
  EXPECT_EQ(judge_birth(0.51, true).size(), 1u);  // 0.5 m/s is the threshold
  EXPECT_TRUE(judge_birth(0.49, true).empty());   // scenery split off a wall stands still
  EXPECT_TRUE(judge_birth(1.0, false).empty());   // gone again: a flicker
}

TEST(SuddenAppearanceTest, NewbornInThePlaceOfAVanishedTrackReplacesIt) {
  // A 10 m wall fragment beside the ego vanishes and a new cluster appears 0.3 m ahead of where it
  // ended (centres 7.55 m apart, so no id switch by distance).
  SuddenAppearanceDetector detector{proto::DetectorsOptions()};
  sensors::Box3D wall = CarBox(2, -4);
  wall.length = 10;
  std::vector<FrameResult> frames = {
      MakeFrame(9, {Newborn(1, ObjectClass::kTruck, wall)}),
      MakeFrame(10, {Newborn(2, ObjectClass::kVan, CarBox(9.55, -4))})};
  EXPECT_TRUE(detector.Process({frames, 0}).empty());  // the wall is gone the next frame
  EXPECT_TRUE(detector.Process({frames, 1}).empty());
  // While the old track is still seen, the same newborn is a newcomer beside it.
  frames[1].tracks.push_back(Newborn(1, ObjectClass::kTruck, wall));
  frames[1].tracks[0].id = 3;
  EXPECT_EQ(detector.Process({frames, 1}).size(), 1u);
}

}  // namespace
}  // namespace longtail::pipeline
