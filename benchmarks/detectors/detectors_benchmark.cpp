// Cost of each detector per judged frame with 100 tracks, on a seeded synthetic sequence: the ego
// drives at 10 m/s with known poses (so path detectors follow the future poses), tracks of every
// class spread over +-40 m ahead and +-15 m aside, moving in random directions.
#include <benchmark/benchmark.h>

#include <Eigen/Geometry>
#include <random>
#include <vector>

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {
namespace {

constexpr int kFrames = 80;
constexpr int kTracks = 100;

std::vector<FrameResult> MakeSequence() {
  std::mt19937 random(42);
  std::uniform_real_distribution<double> ahead(-20, 50), aside(-15, 15), speed(-3, 3), unit(0, 1);
  const sensors::ObjectClass classes[] = {
      sensors::ObjectClass::kCar,     sensors::ObjectClass::kCar,
      sensors::ObjectClass::kTruck,   sensors::ObjectClass::kPedestrian,
      sensors::ObjectClass::kCyclist, sensors::ObjectClass::kUnknown};
  std::vector<Track> tracks(kTracks);
  for (int i = 0; i < kTracks; ++i) {
    Track& t = tracks[i];
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
    t.num_points = 50;
  }
  std::vector<FrameResult> frames(kFrames);
  for (int f = 0; f < kFrames; ++f) {
    FrameResult& frame = frames[f];
    frame.index = f;
    frame.stamp = sensors::FromNanos(1'000'000'000'000 + f * 100'000'000LL);
    frame.ego.known = true;
    frame.ego.speed = 10;
    Eigen::Matrix4d pose = Eigen::Matrix4d::Identity();
    pose(0, 3) = f * 1.0;
    frame.ego.world_from_vehicle = pose;
    frame.perception.num_points = 100000 + f;
    frame.camera_skews = {std::chrono::milliseconds(10)};
    ImageStats stats;
    stats.valid = true;
    stats.mean_brightness = 110;
    stats.sharpness = 100 + f;
    stats.hash = f;
    frame.camera_stats = {stats};
    for (Track t : tracks) {
      // World-frame motion seen from the moving ego.
      t.box.center.x() += f * 0.1 * t.velocity_world.x() - f * 1.0;
      t.box.center.y() += f * 0.1 * t.velocity_world.y();
      t.velocity_vehicle = t.velocity_world;
      t.age = t.hits = f + 1;
      frame.tracks.push_back(t);
    }
  }
  return frames;
}

void BM_Detector(benchmark::State& state, const std::string& name) {
  static const std::vector<FrameResult> frames = MakeSequence();
  auto detector = CreateDetector(name, proto::DetectorsOptions());
  const std::size_t first = 20, last = kFrames - 31;
  std::size_t current = first;
  std::int64_t events = 0;
  for (auto _ : state) {
    const auto fired = detector->Process({frames, current});
    events += static_cast<std::int64_t>(fired.size());
    benchmark::DoNotOptimize(fired.data());
    current = current == last ? first : current + 1;
  }
  state.counters["events_per_frame"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
  state.counters["tracks"] = kTracks;
}

void BM_AllDetectors(benchmark::State& state) {
  static const std::vector<FrameResult> frames = MakeSequence();
  auto detectors = CreateDetectors(proto::DetectorsOptions());
  const std::size_t first = 20, last = kFrames - 31;
  std::size_t current = first;
  for (auto _ : state) {
    for (auto& detector : detectors) {
      benchmark::DoNotOptimize(detector->Process({frames, current}).size());
    }
    current = current == last ? first : current + 1;
  }
  state.counters["tracks"] = kTracks;
}

int RegisterAll() {
  for (const std::string& name : DetectorNames()) {
    benchmark::RegisterBenchmark(("BM_Detector/" + name).c_str(), BM_Detector, name)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("BM_AllDetectors", BM_AllDetectors)->Unit(benchmark::kMicrosecond);
  return 0;
}
const int registered = RegisterAll();

}  // namespace
}  // namespace longtail::pipeline

BENCHMARK_MAIN();
