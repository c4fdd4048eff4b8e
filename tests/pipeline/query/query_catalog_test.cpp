// Catalog detectors written as queries: on the same synthetic log, the query flags what the
// detector flags.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "pipeline/detectors/detector.h"
#include "pipeline/query/query.h"
#include "pipeline/query/query_stream.h"
#include "tests/pipeline/query/query_test_log.h"

namespace longtail::query {
namespace {

using Firings = std::set<std::pair<std::int64_t, int>>;  // (frame, track id or kEgoId)

Firings DetectorFirings(const std::string& name, const std::string& type,
                        const std::vector<pipeline::FrameResult>& log) {
  const auto detector = pipeline::CreateDetector(name, pipeline::proto::DetectorsOptions());
  Firings out;
  for (std::size_t i = 0; i < log.size(); ++i) {
    const pipeline::FrameWindow window{std::span<const pipeline::FrameResult>(log), i};
    for (const auto& event : detector->Process(window)) {
      if (event.type != type) continue;
      if (event.track_ids.empty()) out.insert({log[i].index, kEgoId});
      for (const int id : event.track_ids) out.insert({log[i].index, id});
    }
  }
  return out;
}

Firings QueryFirings(const std::string& text, const std::vector<pipeline::FrameResult>& log) {
  Firings out;
  for (const auto& frame : RunQuery(ParseQuery(text), log)) {
    for (const auto& match : frame.matches) out.insert({frame.frame_index, match.subject});
  }
  return out;
}

TEST(QueryCatalog, EgoCorridorIsAQuery) {
  // ego_corridor: a slow (<= 2 m/s) object that is not a pedestrian or cyclist, its footprint
  // within 1.3 m of the ego's path between 2 and 30 m ahead.
  const auto log = testlog::SyntheticLog();
  const Firings detector = DetectorFirings("ego_corridor", "object_in_corridor", log);
  const Firings query = QueryFirings("not vru and speed <= 2 m/s and in ego path within 28 m", log);
  ASSERT_FALSE(detector.empty());
  EXPECT_EQ(query, detector);
  // Both see the parked car only: the pedestrian and the bicycle are vulnerable road users, the
  // oncoming car is fast and the rolling object has not reached the path when the ego passes it.
  std::set<int> ids;
  for (const auto& [frame, id] : query) ids.insert(id);
  EXPECT_EQ(ids, std::set<int>{1});
}

// The ego drives at 10 m/s toward: 7, a low object lying in its lane 40 m on; 8, one as low in
// the lane but right beside a parked truck (9: a piece of it, not debris); 10, one off the road.
std::vector<pipeline::FrameResult> DebrisLog() {
  std::vector<pipeline::FrameResult> log;
  const auto still = [](int id, sensors::ObjectClass c, double x, double y, Eigen::Vector3d size,
                        double ego_x) {
    pipeline::Track t;
    t.id = id;
    t.object_class = c;
    t.box.center = {x - ego_x, y, size.z() / 2};
    t.box.length = size.x();
    t.box.width = size.y();
    t.box.height = size.z();
    t.hits = t.age = 10;
    return t;
  };
  for (int i = 0; i < 40; ++i) {
    const double ego_x = i * 1.0;
    pipeline::FrameResult frame;
    frame.index = i;
    frame.stamp = pipeline::Timestamp(std::chrono::milliseconds(1000 + 100 * i));
    frame.ego.known = true;
    frame.ego.speed = 10;
    frame.ego.world_from_vehicle(0, 3) = ego_x;
    frame.tracks = {still(7, sensors::ObjectClass::kUnknown, 40, 0.5, {0.5, 0.4, 0.3}, ego_x),
                    still(8, sensors::ObjectClass::kUnknown, 48, -0.3, {0.4, 0.4, 0.3}, ego_x),
                    still(9, sensors::ObjectClass::kTruck, 48, -2.0, {8, 2.4, 3.2}, ego_x),
                    still(10, sensors::ObjectClass::kMisc, 30, 6, {0.5, 0.5, 0.3}, ego_x)};
    log.push_back(frame);
  }
  return log;
}

TEST(QueryCatalog, DebrisIsAQuery) {
  // debris: an object of unknown or misc class, 0.1-0.6 m high, 0.15-2 m across, lying still
  // (<= 0.5 m/s) in the 2.6 m corridor 2-50 m along the ego's path, and not within 1 m of
  // anything taller (then it is a piece of that).
  const auto log = DebrisLog();
  const Firings detector = DetectorFirings("debris", "debris_in_lane", log);
  const Firings query = QueryFirings(
      "(unknown or misc) and height >= 0.1 m and height <= 60 cm"
      " and length >= 0.15 m and width >= 0.15 m and length <= 2 m and width <= 2 m"
      " and speed <= 0.5 m/s and in ego path within 48 m"
      " and not near a (height > 0.6 m) within 0.999 m",
      log);
  ASSERT_FALSE(detector.empty());
  EXPECT_EQ(query, detector);
  std::set<int> ids;
  for (const auto& [frame, id] : query) ids.insert(id);
  EXPECT_EQ(ids, std::set<int>{7});
}

// The ego cruises at 15 m/s, brakes at 5 m/s^2 for 2 s, then cruises at 5 m/s.
std::vector<pipeline::FrameResult> BrakingLog() {
  std::vector<pipeline::FrameResult> log;
  double x = 0;
  for (int i = 0; i < 100; ++i) {
    const double t = i / 10.0;
    pipeline::FrameResult frame;
    frame.index = i;
    frame.stamp = pipeline::Timestamp(std::chrono::milliseconds(1000 + 100 * i));
    frame.ego.known = true;
    frame.ego.speed = t < 3 ? 15 : (t < 5 ? 15 - 5 * (t - 3) : 5);
    frame.ego.acceleration = (t >= 3 && t < 5) ? -5 : 0;
    frame.ego.world_from_vehicle(0, 3) = x;
    x += frame.ego.speed * 0.1;
    log.push_back(frame);
  }
  return log;
}

TEST(QueryCatalog, HardBrakingIsAnEgoQuery) {
  // harsh_ego's hard_braking: the ego decelerates at 3 m/s^2 or more while moving at 2 m/s or
  // more. The detector fits its deceleration over +-5 frames of speeds, the query reads the ego's
  // acceleration: the episodes agree to within that smoothing at their ends.
  const auto log = BrakingLog();
  const Firings detector = DetectorFirings("harsh_ego", "hard_braking", log);
  const Firings query = QueryFirings("ego: acceleration <= -3 m/s2 and speed >= 2 m/s", log);
  ASSERT_FALSE(detector.empty());
  ASSERT_FALSE(query.empty());
  EXPECT_EQ(query.begin()->first, 30);
  EXPECT_EQ(query.rbegin()->first, 49);
  EXPECT_LE(std::abs(detector.begin()->first - query.begin()->first), 5);
  EXPECT_LE(std::abs(detector.rbegin()->first - query.rbegin()->first), 5);
  for (const auto& [frame, id] : detector) EXPECT_EQ(id, kEgoId);
  // In the middle of the braking both fire on every frame.
  for (std::int64_t f = 36; f <= 44; ++f) {
    EXPECT_TRUE(detector.contains({f, kEgoId})) << f;
    EXPECT_TRUE(query.contains({f, kEgoId})) << f;
  }
}

}  // namespace
}  // namespace longtail::query
