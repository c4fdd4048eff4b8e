#include "evaluation/event_evaluation.h"

#include <gtest/gtest.h>

namespace longtail::evaluation {
namespace {

sensors::Box3D BoxAt(double x, double y) {
  sensors::Box3D box;
  box.center = {x, y, 0.8};
  box.length = 4, box.width = 2, box.height = 1.6;
  return box;
}

pipeline::FrameResult FrameWithTrack(std::int64_t index, int track, double x, double y) {
  pipeline::FrameResult frame;
  frame.index = index;
  pipeline::Track t;
  t.id = track;
  t.box = BoxAt(x, y);
  frame.tracks.push_back(t);
  return frame;
}

TEST(TrackActorTally, NamesTheActorATrackFollowsInHalfItsFrames) {
  pipeline::BoxesByFrame actors;
  for (std::int64_t f = 0; f < 4; ++f) actors[f] = {{42, BoxAt(10, 0)}};
  TrackActorTally tally(actors);
  tally.Add(FrameWithTrack(0, 1, 10, 0));
  tally.Add(FrameWithTrack(1, 1, 10, 0));
  tally.Add(FrameWithTrack(2, 1, 30, 0));   // off the actor
  tally.Add(FrameWithTrack(3, 2, 30, 20));  // clutter
  EXPECT_EQ(tally.ActorOfTrack(), (std::map<int, int>{{1, 42}}));
}

TEST(WithCriticalMoments, TakesTheStampOfTheCriticalFrameOrTheStart) {
  TruthFrames truth;
  for (std::int64_t f = 0; f < 5; ++f) truth.stamps[f] = sensors::FromNanos(f * 100'000'000);
  pipeline::ExpectedWindow fault{"lidar_dropout",
                                 2,
                                 4,
                                 sensors::FromNanos(200'000'000),
                                 sensors::FromNanos(400'000'000),
                                 {},
                                 {}};
  pipeline::ExpectedWindow unstamped = fault;
  unstamped.first_frame = 9;  // no such frame: the window's start
  const auto windows = WithCriticalMoments({fault, unstamped}, truth);
  EXPECT_EQ(windows[0].critical, sensors::FromNanos(200'000'000));  // no actors: the first frame
  EXPECT_EQ(windows[1].critical, unstamped.start);
}

TEST(VerdictsOf, ListsMissesAndTellsFalseAlarmsFromSameActorEvents) {
  pipeline::LogScore score;
  score.expectations.push_back({{"cut_in", 3, 8, {}, {}, {42}, {}}, false, 0, 0, ""});
  score.expectations.push_back({{"hard_brake", 10, 12, {}, {}, {}, {}}, true, 1.0, 2.0, "x"});
  pipeline::Event on_actor, on_wall;
  on_actor.type = "low_ttc", on_actor.track_ids = {1};
  on_wall.type = "object_in_corridor", on_wall.track_ids = {9}, on_wall.reason = "wall";
  score.detections.push_back({on_actor, false, true});
  score.detections.push_back({on_wall, false, false});
  const LogVerdicts verdicts = VerdictsOf(score, {{1, 42}});
  ASSERT_EQ(verdicts.missed.size(), 1u);
  EXPECT_EQ(verdicts.missed[0].type, "cut_in");
  EXPECT_EQ(verdicts.missed[0].first_frame, 3);
  ASSERT_EQ(verdicts.events.size(), 2u);
  EXPECT_EQ(verdicts.events[0].verdict, "same_actor");
  EXPECT_EQ(verdicts.events[0].actor, 42);
  EXPECT_EQ(verdicts.events[1].verdict, "false_alarm");
  EXPECT_EQ(verdicts.events[1].actor, -1);
  EXPECT_EQ(verdicts.false_alarms, 1u);
}

}  // namespace
}  // namespace longtail::evaluation
