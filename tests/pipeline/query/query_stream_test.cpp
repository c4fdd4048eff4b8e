#include "pipeline/query/query_stream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "pipeline/query/query.h"
#include "tests/pipeline/query/query_test_log.h"

namespace longtail::query {
namespace {

using pipeline::FrameResult;
using testlog::kFrames;
using testlog::SyntheticLog;

// Matched subject ids by frame.
std::vector<std::set<int>> Matched(const std::string& text,
                                   const std::vector<FrameResult>& log = SyntheticLog()) {
  const auto judged = RunQuery(ParseQuery(text), log);
  std::vector<std::set<int>> out;
  for (const auto& frame : judged) {
    std::set<int> ids;
    for (const auto& match : frame.matches) ids.insert(match.subject);
    out.push_back(ids);
  }
  return out;
}

// The frames where exactly `ids` matched; fails when any other set matched anywhere.
std::vector<int> FramesMatching(const std::vector<std::set<int>>& matched,
                                const std::set<int>& ids) {
  std::vector<int> frames;
  for (std::size_t i = 0; i < matched.size(); ++i) {
    if (matched[i].empty()) continue;
    EXPECT_EQ(matched[i], ids) << "frame " << i;
    frames.push_back(static_cast<int>(i));
  }
  return frames;
}

TEST(QueryStream, NeverMatchingQueryMatchesNothing) {
  for (const std::string text : {"not anything", "stationary and moving",
                                 "near a pedestrian "
                                 "within 0.1 m",
                                 "ego: braking"}) {
    SCOPED_TRACE(text);
    const auto matched = Matched(text);
    ASSERT_EQ(matched.size(), static_cast<std::size_t>(kFrames));
    for (const auto& ids : matched) EXPECT_TRUE(ids.empty());
  }
}

TEST(QueryStream, AlwaysMatchingQueryMatchesEveryActorInEveryFrame) {
  for (const std::string text : {"anything", "stationary or moving", "object"}) {
    SCOPED_TRACE(text);
    const auto matched = Matched(text);
    ASSERT_EQ(matched.size(), static_cast<std::size_t>(kFrames));
    for (const auto& ids : matched) EXPECT_EQ(ids, (std::set<int>{1, 2, 3, 4, 5}));
  }
  const auto ego = Matched("ego: speed > 5 m/s");
  for (const auto& ids : ego) EXPECT_EQ(ids, std::set<int>{kEgoId});
}

TEST(QueryStream, CategoriesRelationsAndHeadings) {
  EXPECT_EQ(FramesMatching(Matched("car and stationary and in ego lane within 150 m"), {1}).size(),
            static_cast<std::size_t>(kFrames));
  EXPECT_EQ(FramesMatching(Matched("vehicle and has bicycle to its right within 4 m"), {1}).size(),
            static_cast<std::size_t>(kFrames));
  EXPECT_TRUE(
      FramesMatching(Matched("vehicle and has bicycle to its left within 4 m"), {}).empty());
  EXPECT_EQ(FramesMatching(Matched("bicycle and right of a car within 4 m"), {4}).size(),
            static_cast<std::size_t>(kFrames));
  EXPECT_EQ(FramesMatching(Matched("car and heading opposite ego"), {5}).size(),
            static_cast<std::size_t>(kFrames));
  EXPECT_EQ(FramesMatching(Matched("heading same as ego and moving"), {}).size(), 0u);
}

TEST(QueryStream, PathPredicates) {
  const auto crossing = FramesMatching(Matched("pedestrian and crossing ego path"), {2});
  ASSERT_FALSE(crossing.empty());
  EXPECT_GE(crossing.front(), 10);
  EXPECT_LE(crossing.back(), 55);
  EXPECT_NE(std::find(crossing.begin(), crossing.end(), 40), crossing.end());  // on the centreline
  // The rolling object is flagged from the first frame it moves until the ego passes it.
  const auto rolling = FramesMatching(Matched("unknown and moving toward ego path"), {3});
  ASSERT_FALSE(rolling.empty());
  EXPECT_EQ(rolling.front(), 31);
  EXPECT_LE(rolling.back(), 48);
  // Footprint gap 95.75 - 10 t m closing at 10 m/s: under 5 s from t = 4.6 s.
  const auto ttc = FramesMatching(Matched("car and stationary and ttc < 5 s"), {1});
  ASSERT_FALSE(ttc.empty());
  EXPECT_EQ(ttc.front(), 46);
  EXPECT_EQ(ttc.back(), kFrames - 1);
}

TEST(QueryStream, TemporalOperators) {
  // The unknown object stands for 3 s (frames 0-30).
  const auto stood = FramesMatching(Matched("unknown and stationary for at least 2 s"), {3});
  EXPECT_EQ(stood, [] {
    std::vector<int> v;
    for (int i = 0; i <= 30; ++i) v.push_back(i);
    return v;
  }());
  EXPECT_TRUE(FramesMatching(Matched("unknown and stationary for at least 3.5 s"), {}).empty());
  // Moving within 1 s of having stood: frames 31-40.
  const auto after = FramesMatching(Matched("unknown and moving within 1 s of stationary"), {3});
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.front(), 31);
  EXPECT_EQ(after.back(), 40);
  // Scoped to the ego inside an actor query: every pedestrian, since the ego always moves.
  EXPECT_EQ(FramesMatching(Matched("pedestrian and ego moving"), {2}).size(),
            static_cast<std::size_t>(kFrames));
}

// The ego stands still. Track 1 drives a left-hand circle of 20 m radius at 5 m/s (0.25 rad/s);
// track 2 drives straight, accelerating at 2 m/s^2 from 1 m/s for 2 s, then cruising.
std::vector<FrameResult> TurningAndAcceleratingLog() {
  std::vector<FrameResult> log;
  for (int i = 0; i < 50; ++i) {
    const double t = i / 10.0;
    FrameResult frame;
    frame.index = i;
    frame.stamp = pipeline::Timestamp(std::chrono::milliseconds(1000 + 100 * i));
    frame.ego.known = true;
    pipeline::Track turning;
    turning.id = 1;
    turning.object_class = sensors::ObjectClass::kCar;
    const double angle = 0.25 * t;
    turning.box.center = {20 * std::sin(angle), 20 - 20 * std::cos(angle), 0.75};
    turning.box.length = 4.5;
    turning.box.width = 1.8;
    turning.box.yaw = angle;
    turning.velocity_world = {5 * std::cos(angle), 5 * std::sin(angle)};
    turning.velocity_vehicle = turning.velocity_world;
    pipeline::Track speeding = turning;
    speeding.id = 2;
    const double v = t < 2 ? 1 + 2 * t : 5;
    speeding.box.center = {0, -10, 0.75};
    speeding.box.yaw = 0;
    speeding.velocity_world = {v, 0};
    speeding.velocity_vehicle = speeding.velocity_world;
    frame.tracks = {turning, speeding};
    log.push_back(frame);
  }
  return log;
}

TEST(QueryStream, TurningAndAcceleratingCompareWithTheLastSecond) {
  const auto log = TurningAndAcceleratingLog();
  // Turning needs a second of history: from frame 10 on, track 1 only, left.
  const auto left = FramesMatching(Matched("turning left", log), {1});
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(left.front(), 1);  // the first frame with an earlier observation
  EXPECT_EQ(left.size(), 49u);
  EXPECT_TRUE(FramesMatching(Matched("turning right", log), {}).empty());
  EXPECT_EQ(FramesMatching(Matched("yaw rate > 14 deg/s and yaw rate < 15 deg/s", log), {1}).size(),
            49u);
  // Accelerating while the speed rose by more than 1 m/s over the last second: frames 1 to 24
  // (frame 25 at 5 m/s compares with frame 15 at 4 m/s: exactly 1 m/s^2, not above).
  const auto faster = FramesMatching(Matched("accelerating", log), {2});
  ASSERT_FALSE(faster.empty());
  EXPECT_EQ(faster.front(), 1);
  EXPECT_EQ(faster.back(), 24);
  EXPECT_TRUE(FramesMatching(Matched("decelerating", log), {}).empty());
}

TEST(QueryStream, MatchesCarryTheirNumbersAndPartners) {
  const auto judged =
      RunQuery(ParseQuery("vehicle and speed < 1 m/s and has bicycle to its right within 4 m"),
               SyntheticLog());
  ASSERT_EQ(judged[0].matches.size(), 1u);
  const Match& match = judged[0].matches[0];
  EXPECT_EQ(match.subject, 1);
  EXPECT_EQ(match.related, std::vector<int>{4});
  EXPECT_DOUBLE_EQ(match.values.at("speed_mps"), 0);
}

TEST(QueryStream, IsDeterministicAndBoundedInMemory) {
  const std::string text = "unknown and moving within 1 s of stationary or in ego path";
  const auto log = SyntheticLog(1000);
  const auto first = RunQuery(ParseQuery(text), log);
  const auto second = RunQuery(ParseQuery(text), log);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    ASSERT_EQ(first[i].matches.size(), second[i].matches.size());
    for (std::size_t k = 0; k < first[i].matches.size(); ++k) {
      EXPECT_EQ(first[i].matches[k].subject, second[i].matches[k].subject);
      EXPECT_EQ(first[i].matches[k].values, second[i].matches[k].values);
    }
  }
  QueryStream stream(ParseQuery(text));
  std::size_t most = 0;
  for (const auto& frame : log) {
    stream.Add(frame);
    most = std::max(most, stream.buffered_frames());
  }
  // 1 s back and 4 s ahead at 10 Hz, plus the batch the buffer drops at once.
  EXPECT_LE(most, 51u + 64u + 2u);
}

TEST(QueryStream, EpisodesJoinConsecutiveMatches) {
  EpisodeJoiner joiner("trolley");
  std::vector<pipeline::Event> events;
  for (const auto& frame :
       RunQuery(ParseQuery("unknown and moving toward ego path"), SyntheticLog())) {
    for (auto& e : joiner.Add(frame)) events.push_back(e);
  }
  for (auto& e : joiner.Flush()) events.push_back(e);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "trolley");
  EXPECT_EQ(events[0].detector, "query");
  EXPECT_EQ(events[0].track_ids, std::vector<int>{3});
  EXPECT_EQ(events[0].first_frame, 31);
  EXPECT_GT(events[0].last_frame, 40);
  EXPECT_NEAR(events[0].values.at("toward_path_mps"), 0.8, 1e-9);
}

}  // namespace
}  // namespace longtail::query
