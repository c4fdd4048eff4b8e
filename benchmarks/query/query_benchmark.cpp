// Cost of a scenario query per frame with 100 tracks: the whole stream (buffer, evaluate, match)
// over a seeded synthetic sequence, divided by its frames.
#include <benchmark/benchmark.h>

#include <Eigen/Geometry>
#include <random>
#include <string>
#include <vector>

#include "pipeline/query/query.h"
#include "pipeline/query/query_stream.h"

namespace longtail::query {
namespace {

constexpr int kFrames = 300;
constexpr int kTracks = 100;

std::vector<pipeline::FrameResult> MakeSequence() {
  std::mt19937 random(42);
  std::uniform_real_distribution<double> ahead(-20, 50), aside(-15, 15), speed(-3, 3), unit(0, 1);
  const sensors::ObjectClass classes[] = {
      sensors::ObjectClass::kCar,     sensors::ObjectClass::kCar,
      sensors::ObjectClass::kTruck,   sensors::ObjectClass::kPedestrian,
      sensors::ObjectClass::kCyclist, sensors::ObjectClass::kUnknown};
  std::vector<pipeline::Track> tracks(kTracks);
  for (int i = 0; i < kTracks; ++i) {
    pipeline::Track& t = tracks[i];
    t.id = i;
    t.object_class = classes[i % 6];
    t.box.center = {ahead(random), aside(random), -0.9};
    const bool small = t.object_class == sensors::ObjectClass::kPedestrian ||
                       t.object_class == sensors::ObjectClass::kUnknown;
    t.box.length = small ? 0.6 : 4.5;
    t.box.width = small ? 0.6 : 1.8;
    t.box.height = 1.6;
    t.box.yaw = unit(random) * 6.28;
    t.velocity_world = {speed(random), speed(random)};
  }
  std::vector<pipeline::FrameResult> frames(kFrames);
  for (int f = 0; f < kFrames; ++f) {
    pipeline::FrameResult& frame = frames[f];
    frame.index = f;
    frame.stamp = sensors::FromNanos(1'000'000'000'000 + f * 100'000'000LL);
    frame.ego.known = true;
    frame.ego.speed = 10;
    frame.ego.world_from_vehicle(0, 3) = f * 1.0;
    for (pipeline::Track t : tracks) {
      // Every track keeps its place around the ego (wrapping), moving as its velocity says.
      t.box.center.x() = std::fmod(t.box.center.x() + f * 0.1 * t.velocity_world.x() + 20, 70) - 20;
      t.box.center.y() += f * 0.1 * t.velocity_world.y() * 0.1;
      t.velocity_vehicle = t.velocity_world;
      t.age = t.hits = f + 1;
      frame.tracks.push_back(t);
    }
  }
  return frames;
}

void BM_Query(benchmark::State& state, const std::string& text) {
  static const std::vector<pipeline::FrameResult> frames = MakeSequence();
  const Query query = ParseQuery(text);
  std::int64_t matches = 0;
  for (auto _ : state) {
    QueryStream stream(query);
    for (const auto& frame : frames) {
      for (const auto& judged : stream.Add(frame)) {
        matches += static_cast<std::int64_t>(judged.matches.size());
      }
    }
    for (const auto& judged : stream.Flush()) {
      matches += static_cast<std::int64_t>(judged.matches.size());
    }
  }
  const double frames_run = static_cast<double>(state.iterations()) * kFrames;
  state.counters["us_per_frame"] = benchmark::Counter(
      frames_run * 1e-6, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["matches_per_frame"] = static_cast<double>(matches) / frames_run;
}

BENCHMARK_CAPTURE(BM_Query, never, std::string("not anything"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Query, trolley, std::string("unknown and moving toward ego path"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Query, crossing_while_turning,
                  std::string("pedestrian and crossing ego path and ego turning left"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(
    BM_Query, stopped_in_lane,
    std::string("vehicle and stationary and in ego lane within 40 m for at least 2 s"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Query, bicycle_to_its_right,
                  std::string("vehicle and has bicycle to its right within 3 m"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Query, near_pedestrian_after_braking,
                  std::string("car and near a pedestrian within 2 m within 1 s of braking"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Query, ego_hard_braking, std::string("ego: acceleration < -4 m/s2"))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace longtail::query

BENCHMARK_MAIN();
