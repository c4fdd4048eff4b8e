#include "pipeline/detectors/evaluation.h"

#include <gtest/gtest.h>

namespace longtail::pipeline {
namespace {

Timestamp At(double seconds) { return sensors::FromNanos(0) + sensors::FromSeconds(seconds); }

// A window from `start` to `end` s whose critical moment is its end, with the given actors.
ExpectedWindow Expect(std::string type, double start, double end, std::vector<int> actors = {}) {
  return {std::move(type),
          static_cast<std::int64_t>(start * 10),
          static_cast<std::int64_t>(end * 10),
          At(start),
          At(end),
          std::move(actors),
          At(end)};
}

Event Detected(std::string detector, std::string type, double start, double end,
               std::vector<int> tracks = {}) {
  Event e;
  e.detector = std::move(detector);
  e.type = std::move(type);
  e.start = At(start);
  e.end = At(end);
  e.track_ids = std::move(tracks);
  return e;
}

// Each event in a review window of its own that opens `context` s before it.
std::vector<ReviewWindow> Windows(const std::vector<Event>& events, double context = 0) {
  std::vector<ReviewWindow> windows;
  for (const Event& e : events) {
    ReviewWindow window;
    window.start = e.start - sensors::FromSeconds(context);
    window.end = e.end;
    window.events = {e};
    windows.push_back(window);
  }
  return windows;
}

IdentifiedBox BoxAt(int id, double x, double y, double length = 4.0, double width = 1.8) {
  IdentifiedBox box;
  box.id = id;
  box.box.center = Eigen::Vector3d(x, y, 0);
  box.box.length = length;
  box.box.width = width;
  box.box.height = 1.5;
  return box;
}

TEST(EvaluationTest, SynonymsAndDetectorNamesCount) {
  EXPECT_TRUE(
      CountsFor("object_in_corridor", Detected("ego_corridor", "object_in_corridor", 0, 0)));
  EXPECT_TRUE(CountsFor("hard_brake", Detected("harsh_ego", "hard_braking", 0, 0)));
  EXPECT_TRUE(CountsFor("hard_brake", Detected("harsh_ego", "harsh_jerk", 0, 0)));
  EXPECT_TRUE(CountsFor("lidar_dropout", Detected("lidar_health", "lidar_point_drop", 0, 0)));
  EXPECT_TRUE(CountsFor("cut_in", Detected("cut_in", "cut_in", 0, 0)));
  EXPECT_TRUE(CountsFor("lidar_health", Detected("lidar_health", "missing_frames", 0, 0)));
  EXPECT_FALSE(CountsFor("hard_brake", Detected("harsh_ego", "harsh_turn", 0, 0)));
  EXPECT_FALSE(CountsFor("cut_in", Detected("ego_corridor", "object_in_corridor", 0, 0)));
}

TEST(EvaluationTest, MatchesByTypeAndOverlapWithSlack) {
  const std::vector<ExpectedWindow> expected = {Expect("hard_brake", 2.0, 3.0)};
  const auto score =
      ScoreLog(expected,
               Windows({Detected("harsh_ego", "hard_braking", 1.6, 1.6),  // within slack
                        Detected("harsh_ego", "hard_braking", 3.6, 3.6),  // too late
                        Detected("camera_health", "camera_frozen", 2.5, 2.5)}),
               {}, false, sensors::FromSeconds(0.5));
  ASSERT_EQ(score.expectations.size(), 1u);
  EXPECT_TRUE(score.expectations[0].found);
  EXPECT_NEAR(score.expectations[0].lead_time_s, 1.4, 1e-9);  // to the critical moment, 3.0 s
  EXPECT_EQ(score.expectations[0].detector, "harsh_ego");
  ASSERT_EQ(score.detections.size(), 3u);
  EXPECT_TRUE(score.detections[0].true_positive);
  EXPECT_FALSE(score.detections[1].true_positive);
  // Another type inside the window but about nothing the window names: a false alarm.
  EXPECT_FALSE(score.detections[2].true_positive);
  EXPECT_FALSE(score.detections[2].same_actor);
}

TEST(EvaluationTest, ObjectEventsMustNameTheExpectedActor) {
  // Track 7 is actor 1 (the cut-in car); track 8 is actor 2, a parked car; track 9 is clutter.
  const std::map<int, int> actor_of_track = {{7, 1}, {8, 2}};
  const auto score =
      ScoreLog({Expect("cut_in", 2.0, 3.0, {1})},
               Windows({Detected("cut_in", "cut_in", 2.2, 2.2, {8}),      // wrong car
                        Detected("cut_in", "cut_in", 2.4, 2.4, {7}),      // the car
                        Detected("low_ttc", "low_ttc", 2.6, 2.6, {7}),    // the car, other type
                        Detected("low_ttc", "low_ttc", 2.6, 2.6, {9}),    // clutter
                        Detected("low_ttc", "low_ttc", 5.0, 5.0, {7})}),  // the car, too late
               actor_of_track, false, sensors::FromSeconds(0.5));
  EXPECT_TRUE(score.expectations[0].found);
  EXPECT_NEAR(score.expectations[0].lead_time_s, 0.6, 1e-9);  // from the matching event at 2.4 s
  const auto& d = score.detections;
  EXPECT_FALSE(d[0].true_positive || d[0].same_actor);
  EXPECT_TRUE(d[1].true_positive);
  EXPECT_TRUE(d[2].same_actor);
  EXPECT_FALSE(d[2].true_positive);
  EXPECT_FALSE(d[3].true_positive || d[3].same_actor);
  EXPECT_FALSE(d[4].true_positive || d[4].same_actor);
}

TEST(EvaluationTest, WindowLeadTimeCountsFromTheReviewWindowsStart) {
  const auto score = ScoreLog({Expect("hard_brake", 2.0, 3.0)},
                              Windows({Detected("harsh_ego", "hard_braking", 2.2, 2.2)}, 1.0), {},
                              false, sensors::FromSeconds(0.5));
  EXPECT_NEAR(score.expectations[0].lead_time_s, 0.8, 1e-9);
  EXPECT_NEAR(score.expectations[0].window_lead_time_s, 1.8, 1e-9);
}

TEST(EvaluationTest, HardNegativesHaveOnlyFalseAlarms) {
  const auto score = ScoreLog({}, Windows({Detected("low_ttc", "low_ttc", 1, 1, {3})}), {{3, 1}},
                              true, sensors::FromSeconds(0.5));
  EXPECT_FALSE(score.detections[0].true_positive || score.detections[0].same_actor);
}

TEST(EvaluationTest, SummaryGivesRecallPrecisionAndMedianLeadTime) {
  const Duration slack = sensors::FromSeconds(0.5);
  const std::map<int, int> car = {{5, 1}};
  const std::vector<LogScore> logs = {
      ScoreLog({Expect("cut_in", 2, 3, {1})}, Windows({Detected("cut_in", "cut_in", 2, 2, {5})}),
               car, false, slack),
      ScoreLog({Expect("cut_in", 2, 3, {1})}, Windows({}), car, false, slack),
      ScoreLog({Expect("cut_in", 2, 4, {1})}, Windows({Detected("cut_in", "cut_in", 2, 2, {5})}),
               car, false, slack),
      ScoreLog({}, Windows({Detected("low_ttc", "low_ttc", 1, 1, {5})}), car, true, slack),
      ScoreLog({Expect("cut_in", 2, 3, {1})},
               Windows({Detected("low_ttc", "low_ttc", 2.5, 2.5, {5})}), car, false, slack),
  };
  const EvaluationSummary summary = Summarize(logs);
  const Tally& cut_in = summary.by_expected_type.at("cut_in");
  EXPECT_EQ(cut_in.expected, 4);
  EXPECT_EQ(cut_in.found, 2);
  EXPECT_NEAR(cut_in.Recall(), 0.5, 1e-12);
  EXPECT_NEAR(cut_in.MedianLeadTime(), 1.5, 1e-9);
  EXPECT_NEAR(summary.by_detector.at("cut_in").Precision(), 1.0, 1e-12);
  // One low TTC event on a hard negative (false), one on the cut-in car in its window (true).
  EXPECT_NEAR(summary.by_detector.at("low_ttc").Precision(), 0.5, 1e-12);
  EXPECT_NEAR(summary.by_detector.at("low_ttc").TypePrecision(), 0.0, 1e-12);
  EXPECT_NEAR(summary.overall.Precision(), 3.0 / 4, 1e-12);
  EXPECT_NEAR(summary.overall.TypePrecision(), 2.0 / 4, 1e-12);
  EXPECT_EQ(summary.hard_negative_logs, 1);
  EXPECT_EQ(summary.hard_negative_events, 1);
  EXPECT_EQ(summary.hard_negative_events_by_type, (std::map<std::string, int>{{"low_ttc", 1}}));
}

TEST(EvaluationTest, TracksAreTheActorTheyFollowMostOfTheTime) {
  BoxesByFrame actors, tracks;
  for (std::int64_t frame = 0; frame < 10; ++frame) {
    actors[frame] = {BoxAt(1, 10 + 0.5 * double(frame), 0), BoxAt(2, 20, 4)};
    // Track 7 follows actor 1 with 0.3 m of error; track 8 sits on actor 2 for 3 of its 10 frames
    // and on a wall the rest of the time; track 9 is a wall fragment.
    tracks[frame] = {BoxAt(7, 10.3 + 0.5 * double(frame), 0.1),
                     BoxAt(8, frame < 3 ? 20 : 40, frame < 3 ? 4 : 9), BoxAt(9, 30, -8, 1, 1)};
  }
  const std::map<int, int> matched = MatchTracksToActors(tracks, actors);
  EXPECT_EQ(matched, (std::map<int, int>{{7, 1}}));
}

TEST(EvaluationTest, CriticalMomentIsEntryIntoThePathOrClosestApproach) {
  BoxesByFrame actors;
  for (std::int64_t frame = 0; frame <= 20; ++frame) {
    // Actor 1 walks in from 5 m left at 0.25 m per frame: its 0.5 m wide box reaches |y| <= 1.3
    // at y = 1.55, frame 14. Actor 2 drives ahead in the lane, nearest at frame 20.
    actors[frame] = {BoxAt(1, 15, 5 - 0.25 * double(frame), 0.5, 0.5),
                     BoxAt(2, 30 - double(frame), 0)};
  }
  EXPECT_EQ(CriticalFrame(Expect("vru_in_path", 0.5, 2.0, {1}), actors), 14);
  EXPECT_EQ(CriticalFrame(Expect("low_ttc", 0.5, 2.0, {2}), actors), 20);
  EXPECT_EQ(CriticalFrame(Expect("lidar_dropout", 0.5, 2.0), actors), 5);
}

TEST(EvaluationTest, EmptyTalliesArePerfectNotNaN) {
  const Tally empty;
  EXPECT_EQ(empty.Recall(), 1.0);
  EXPECT_EQ(empty.Precision(), 1.0);
  EXPECT_EQ(empty.MedianLeadTime(), 0.0);
}

}  // namespace
}  // namespace longtail::pipeline
