// Google Benchmark of the lidar path, one stage at a time, on a real 64-beam scan
// (../shared/data/lidar-scans-hdl64/000000.bin, or $LONGTAIL_SCAN). Prints; never asserts.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "pipeline/ego_motion/scan_registration.h"
#include "pipeline/perception/box_fitting.h"
#include "pipeline/perception/clustering.h"
#include "pipeline/perception/ground.h"
#include "pipeline/perception/perceive.h"
#include "pipeline/tracking/tracker.h"

namespace longtail::pipeline {
namespace {

sensors::Frame LoadScan() {
  const char* env = std::getenv("LONGTAIL_SCAN");
  const std::filesystem::path path =
      env ? env : std::filesystem::path(LONGTAIL_SHARED_DATA) / "lidar-scans-hdl64/000000.bin";
  sensors::Frame frame;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const auto bytes = static_cast<std::size_t>(in.tellg());
  frame.lidar.points.resize(bytes / sizeof(sensors::LidarPoint));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(frame.lidar.points.data()),
          static_cast<std::streamsize>(frame.lidar.points.size() * sizeof(sensors::LidarPoint)));
  return frame;
}

const sensors::Frame& Scan() {
  static const sensors::Frame frame = LoadScan();
  return frame;
}

std::vector<Eigen::Vector3f> Points() {
  std::vector<Eigen::Vector3f> points;
  for (const auto& p : Scan().lidar.points) {
    const float r2 = p.x * p.x + p.y * p.y + p.z * p.z;
    if (r2 >= 2.5f * 2.5f && r2 <= 80.f * 80.f) points.emplace_back(p.x, p.y, p.z);
  }
  return points;
}

void BM_StreamingPass(benchmark::State& state) {  // the calibration: one read of the scan
  for (auto _ : state) {
    float sum = 0;
    for (const auto& p : Scan().lidar.points) sum += p.x + p.y + p.z + p.intensity;
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_StreamingPass)->Unit(benchmark::kMillisecond);

void BM_Ground(benchmark::State& state) {
  const auto points = Points();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        SegmentGround(points, Eigen::Vector3d::Zero(), -1.73, 80, proto::GroundOptions()));
  }
}
BENCHMARK(BM_Ground)->Unit(benchmark::kMillisecond);

void BM_Clustering(benchmark::State& state) {
  const auto points = Points();
  const auto ground =
      SegmentGround(points, Eigen::Vector3d::Zero(), -1.73, 80, proto::GroundOptions());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ClusterPoints(points, ground.non_ground, ground, proto::ClusterOptions()));
  }
}
BENCHMARK(BM_Clustering)->Unit(benchmark::kMillisecond);

void BM_BoxFitting(benchmark::State& state) {
  const auto points = Points();
  const auto ground =
      SegmentGround(points, Eigen::Vector3d::Zero(), -1.73, 80, proto::GroundOptions());
  const Clusters clusters =
      ClusterPoints(points, ground.non_ground, ground, proto::ClusterOptions());
  std::vector<std::vector<Eigen::Vector3f>> gathered(clusters.size());
  for (int c = 0; c < clusters.size(); ++c) {
    for (int k = clusters.begin[c]; k < clusters.begin[c + 1]; ++k) {
      gathered[c].push_back(points[clusters.point_indices[k]]);
    }
  }
  for (auto _ : state) {
    for (const auto& cluster : gathered) {
      benchmark::DoNotOptimize(FitBox(cluster, -1.73, proto::BoxOptions()));
    }
  }
  state.counters["clusters"] = clusters.size();
}
BENCHMARK(BM_BoxFitting)->Unit(benchmark::kMillisecond);

void BM_Perceive(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Perceive(Scan(), proto::PerceptionOptions()));
}
BENCHMARK(BM_Perceive)->Unit(benchmark::kMillisecond);

void BM_ScanRegistration(benchmark::State& state) {
  const Perception perception = Perceive(Scan(), proto::PerceptionOptions());
  const PointGrid2D grid(perception.registration_points, 1.0, 60);
  Eigen::Isometry3d moved = Eigen::Isometry3d::Identity();
  moved.translation() << 0.8, 0.05, 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        RegisterScan(perception.registration_points, grid, moved, RegistrationOptions()));
  }
}
BENCHMARK(BM_ScanRegistration)->Unit(benchmark::kMillisecond);

void BM_Tracking100Objects(benchmark::State& state) {
  std::mt19937 random(42);
  std::uniform_real_distribution<double> position(-40, 40);
  std::vector<DetectedObject> objects(100);
  for (auto& object : objects) {
    object.box.center = {position(random), position(random), -1};
    object.box.length = 4, object.box.width = 1.7, object.box.height = 1.5;
    object.object_class = sensors::ObjectClass::kCar;
    object.class_confidence = 0.8;
  }
  Tracker tracker{proto::TrackerOptions()};
  EgoMotion still;
  still.known = true;
  double t = 0;
  for (auto _ : state) {
    t += 0.1;
    benchmark::DoNotOptimize(
        tracker.Update(sensors::Timestamp(sensors::FromSeconds(t)), objects, still));
  }
}
BENCHMARK(BM_Tracking100Objects)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace longtail::pipeline

BENCHMARK_MAIN();
