#include "pipeline/detectors/ego_corridor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/pipeline/detectors/test_frames.h"

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;
using testing::CarBox;
using testing::MakeFrame;
using testing::MakeTrack;
using testing::MovingEgo;
using testing::SizedBox;

std::vector<Event> RunOn(const std::vector<Track>& tracks,
                         const proto::DetectorsOptions& options = {}) {
  const std::vector<FrameResult> frames = {MakeFrame(7, tracks)};
  EgoCorridorDetector detector(options);
  return detector.Process({frames, 0});
}

TEST(EgoCorridorTest, CarStoppedAheadInTheLaneFires) {
  const auto events = RunOn({MakeTrack(3, ObjectClass::kCar, CarBox(12, 0.2))});
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(e.detector, "ego_corridor");
  EXPECT_EQ(e.type, "object_in_corridor");
  EXPECT_EQ(e.track_ids, std::vector<int>{3});
  EXPECT_EQ(e.first_frame, 7);
  EXPECT_EQ(e.last_frame, 7);
  EXPECT_NEAR(e.values.at("distance_m"), 9.75, 1e-9);
  EXPECT_NEAR(e.values.at("center_offset_m"), 0.2, 1e-9);
  // The ego stands (no ego motion): stopping short needs nothing, an ordinary episode.
  EXPECT_EQ(e.values.at("required_deceleration_mps2"), 0.0);
  EXPECT_EQ(e.severity, 0.0);
  EXPECT_NE(e.reason.find("Car #3"), std::string::npos);
  EXPECT_NE(e.reason.find("9.8 m ahead"), std::string::npos);
  EXPECT_NE(e.reason.find("straight"), std::string::npos);
}

TEST(EgoCorridorTest, LateralEdgeIsTheThreshold) {
  // Corridor half width 1.3 m; a 1.8 m wide car's near edge is at |y| - 0.9.
  EXPECT_EQ(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(12, 2.15))}).size(), 1u);  // edge 1.25
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(12, 2.25))}).empty());   // edge 1.35
  EXPECT_EQ(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(12, -2.15))}).size(), 1u);
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(12, -2.25))}).empty());
}

TEST(EgoCorridorTest, DistanceAheadIsTheThreshold) {
  // Corridor ends at 30 m; the car's rear is at x - 2.25.
  EXPECT_EQ(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(32.2, 0))}).size(), 1u);
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(32.3, 0))}).empty());
  proto::DetectorsOptions longer;
  longer.mutable_ego_corridor()->set_length_m(50);
  EXPECT_EQ(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(40, 0))}, longer).size(), 1u);
}

TEST(EgoCorridorTest, ObjectsBehindOrBesideTheEgoDoNotFire) {
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(-8, 0))}).empty());
  // The corridor starts 2 m ahead: a car centred at -0.2 m reaches 2.05 m, one at -0.3 m only 1.95
  // m.
  EXPECT_EQ(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(-0.2, 0))}).size(), 1u);
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(-0.3, 0))}).empty());
}

TEST(EgoCorridorTest, ImplausibleSizesDoNotFire) {
  const auto run = [](const sensors::Box3D& box) {
    return RunOn({MakeTrack(1, ObjectClass::kUnknown, box)}).size();
  };
  EXPECT_EQ(run(SizedBox(10, 0, 0.6, 0.6, 0.55)), 1u);   // a small object above min height
  EXPECT_EQ(run(SizedBox(10, 0, 0.6, 0.6, 0.45)), 0u);   // below min height 0.5 m
  EXPECT_EQ(run(SizedBox(10, 0, 0.25, 0.25, 1.0)), 0u);  // thinner than 0.3 m
  EXPECT_EQ(run(SizedBox(10, 0, 4, 1.8, 4.6)), 0u);      // taller than 4.5 m
  EXPECT_EQ(run(SizedBox(15, 0, 26, 2.5, 3)), 0u);       // longer than 25 m
  EXPECT_EQ(run(SizedBox(10, 0, 4, 4.2, 2)), 0u);        // wider than 4 m
}

TEST(EgoCorridorTest, UnconfirmedTracksDoNotFire) {
  EXPECT_TRUE(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(12, 0), {0, 0}, 1)}).empty());
  EXPECT_EQ(RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(12, 0), {0, 0}, 2)}).size(), 1u);
}

TEST(EgoCorridorTest, OneEventPerTrackInTheCorridorButNotForPedestrians) {
  // Pedestrians and cyclists are the vulnerable_road_user detector's.
  const auto events =
      RunOn({MakeTrack(1, ObjectClass::kCar, CarBox(12, 0)),
             MakeTrack(2, ObjectClass::kCar, CarBox(12, 3.5)),
             MakeTrack(3, ObjectClass::kUnknown, SizedBox(6, -0.5, 0.6, 0.6, 1.0)),
             MakeTrack(4, ObjectClass::kPedestrian, SizedBox(6, 0.5, 0.6, 0.6, 1.7))});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].track_ids, std::vector<int>{1});
  EXPECT_EQ(events[1].track_ids, std::vector<int>{3});
}

TEST(EgoCorridorTest, SeverityIsTheDecelerationToStopShort) {
  // The ego at 10 m/s; stopping 2 m short of an object whose near edge is d m ahead of the origin
  // (the front is 2 m ahead of it) takes 100 / 2 (d - 4) m/s^2; 6 m/s^2 is severity 1.
  const auto at_speed = [](double x, double speed) {
    std::vector<FrameResult> frames = {
        MakeFrame(0, {MakeTrack(1, ObjectClass::kCar, CarBox(x, 0))})};
    frames[0].ego = MovingEgo({0, 0}, 0, speed);
    return EgoCorridorDetector(proto::DetectorsOptions()).Process({frames, 0});
  };
  const auto far = at_speed(29.25, 10);  // rear at 27 m: 100 / 46 = 2.2 m/s^2
  ASSERT_EQ(far.size(), 1u);
  EXPECT_NEAR(far[0].values.at("required_deceleration_mps2"), 100.0 / 46, 1e-6);
  EXPECT_NEAR(far[0].severity, 100.0 / 46 / 6, 1e-6);
  const auto near = at_speed(14.25, 10);  // rear at 12 m: 100 / 16 = 6.25 m/s^2
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0].severity, 1.0);
  EXPECT_EQ(at_speed(14.25, 0)[0].severity, 0.0);  // a queue the ego stands in
}

TEST(EgoCorridorTest, CorridorBendsWithTheYawRate) {
  // Turning left on a 20 m radius: a car on the arc 15 m on is in the corridor, one straight
  // ahead is not; and the other way round when driving straight.
  const double radius = 20, s = 15;
  const Eigen::Vector2d on_arc(radius * std::sin(s / radius), radius * (1 - std::cos(s / radius)));
  const Track on_arc_car =
      MakeTrack(1, ObjectClass::kCar, CarBox(on_arc.x(), on_arc.y(), s / radius));
  const Track straight_car = MakeTrack(2, ObjectClass::kCar, CarBox(15, 0));
  std::vector<FrameResult> frames = {MakeFrame(0, {on_arc_car, straight_car})};
  frames[0].ego = MovingEgo({0, 0}, 0, 10, 10 / radius);
  EgoCorridorDetector detector{proto::DetectorsOptions()};
  const auto turning = detector.Process({frames, 0});
  ASSERT_EQ(turning.size(), 1u);
  EXPECT_EQ(turning[0].track_ids, std::vector<int>{1});
  EXPECT_NE(turning[0].reason.find("yaw rate"), std::string::npos);
  EXPECT_NEAR(turning[0].values.at("path_curvature_per_m"), 0.05, 1e-9);

  frames[0].ego = MovingEgo({0, 0}, 0, 10, 0);
  const auto straight = detector.Process({frames, 0});
  ASSERT_EQ(straight.size(), 1u);
  EXPECT_EQ(straight[0].track_ids, std::vector<int>{2});
}

TEST(EgoCorridorTest, CorridorFollowsTheFuturePathWhenKnown) {
  // The ego will change lanes 3.5 m to the left within 20 m: a car stopped in the left lane 25 m
  // ahead is in its corridor, a car straight ahead at 25 m is not.
  std::vector<FrameResult> frames;
  for (int i = 0; i <= 30; ++i) {
    const double x = 1.0 * i;
    const double y = x < 5 ? 0 : x > 20 ? 3.5 : 3.5 * (x - 5) / 15;
    frames.push_back(MakeFrame(i));
    frames.back().ego = MovingEgo({x, y}, 0, 10);
  }
  frames[0].tracks = {MakeTrack(1, ObjectClass::kCar, CarBox(27, 3.5)),
                      MakeTrack(2, ObjectClass::kCar, CarBox(27, 0))};
  EgoCorridorDetector detector{proto::DetectorsOptions()};
  EXPECT_EQ(detector.lookahead_frames(), 30);
  const auto events = detector.Process({frames, 0});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].track_ids, std::vector<int>{1});
  EXPECT_NE(events[0].reason.find("future poses"), std::string::npos);
}

TEST(EgoCorridorTest, EmptyFrameGivesNoEvents) { EXPECT_TRUE(RunOn({}).empty()); }

TEST(EgoCorridorTest, TrafficDrivingAheadIsNotAnObstacle) {
  // 2 m/s over ground is the threshold: a car crawling or stopped counts, one driving does not.
  EXPECT_EQ(RunOn({MakeTrack(3, ObjectClass::kCar, CarBox(12, 0), {1.9, 0})}).size(), 1u);
  EXPECT_TRUE(RunOn({MakeTrack(3, ObjectClass::kCar, CarBox(12, 0), {2.1, 0})}).empty());
  EXPECT_TRUE(RunOn({MakeTrack(3, ObjectClass::kCar, CarBox(12, 0), {-9, 0})}).empty());
}

}  // namespace
}  // namespace longtail::pipeline
