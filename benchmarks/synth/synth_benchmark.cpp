// Synthesis speed: frames per second of `longtail synth` for a 64-beam scan plus one camera image,
// and each part alone. Prints numbers; asserts nothing.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "tools/synth/camera.h"
#include "tools/synth/lidar.h"
#include "tools/synth/synthesizer.h"

namespace longtail::tools::synth {
namespace {

// The realism test's street (tools/synth/scenes/urban_street.pbtxt) for 10 s, with full-size
// sensors: 360 deg HDL-64E-like lidar (2170 x 64 rays) and a 1242 x 375 PNG camera.
proto::Scenario Street() {
  proto::Scenario scenario = ReadScenario(std::filesystem::path(LONGTAIL_SOURCE_DIR) / "tools" /
                                          "synth" / "scenes" / "urban_street.pbtxt");
  scenario.set_duration_s(10);
  return scenario;
}

void BM_SynthesizeFrame(benchmark::State& state) {
  const Synthesizer synthesizer(Street(), 1);
  std::int64_t index = 0;
  std::size_t points = 0;
  for (auto _ : state) {
    const SyntheticFrame frame = synthesizer.Synthesize(index++ % synthesizer.frame_count());
    points += frame.frame.lidar.points.size();
    benchmark::DoNotOptimize(frame.frame.cameras.front().image.data->size());
  }
  state.counters["frames/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["points/scan"] = double(points) / state.iterations();
}
BENCHMARK(BM_SynthesizeFrame)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_LidarScan(benchmark::State& state) {
  const Synthesizer synthesizer(Street(), 1);
  std::int64_t index = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        SimulateLidarScan(synthesizer.scene(), index++ % 100).scan.points.size());
  }
  state.counters["scans/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LidarScan)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CameraImage(benchmark::State& state) {
  const Synthesizer synthesizer(Street(), 1);
  const sensors::CameraModel& camera = synthesizer.calibration()->cameras.front();
  std::int64_t index = 0;
  for (auto _ : state) {
    const double t = double(index++ % 100) * 0.1;
    benchmark::DoNotOptimize(
        RenderCamera(synthesizer.scene(), camera, t, synthesizer.scene().FrameStamp(0), false)
            .image.data->size());
  }
  state.counters["images/s"] =
      benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CameraImage)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace longtail::tools::synth

BENCHMARK_MAIN();
