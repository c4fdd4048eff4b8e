// `longtail bench SCANS`: per-stage time of the lidar path on one core, printed (never asserted).
#include <oneapi/tbb/global_control.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "pipeline/ego_motion/ego_motion.h"
#include "pipeline/perception/perceive.h"
#include "pipeline/tracking/tracker.h"
#include "sensors/kitti/kitti_files.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

namespace fs = std::filesystem;

struct BenchOptions {
  std::string scans;
  int repeat = 20;
  int objects = 100;
  bool json = false;
};

// CPU time of this thread, ms: the stage costs without the time slices other processes take on a
// shared machine (wall time is printed beside the total).
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Summary {
  double median = 0, p99 = 0;
  std::size_t samples = 0;
};

Summary Summarize(std::vector<double> values) {
  Summary s;
  s.samples = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.median = values[values.size() / 2];
  s.p99 = values[std::min(values.size() - 1, static_cast<std::size_t>(values.size() * 0.99))];
  return s;
}

// The machine's speed on this job's memory traffic: one streaming pass over the scan.
double CalibrationPassMs(const std::vector<sensors::LidarPoint>& points, float* sink) {
  const double start = ThreadCpuMs();
  float sum = 0;
  for (const sensors::LidarPoint& p : points) sum += p.x + p.y + p.z + p.intensity;
  // A volatile store before the clock read keeps the loop from being moved past it.
  volatile float keep = sum;
  *sink += keep;
  return ThreadCpuMs() - start;
}

// FNV-1a over the bytes of every output number: equal digests before and after a speed change
// say the outputs did not move by a single bit.
class OutputDigest {
 public:
  template <typename T>
  void Add(const T& value) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
    for (std::size_t i = 0; i < sizeof(T); ++i) hash_ = (hash_ ^ bytes[i]) * 1099511628211ULL;
  }
  void Add(const pipeline::Perception& perception) {
    Add(perception.num_points), Add(perception.num_ground_points);
    Add(perception.num_invalid_points);
    for (const pipeline::DetectedObject& o : perception.objects) {
      Add(o.box.center.x()), Add(o.box.center.y()), Add(o.box.center.z());
      Add(o.box.length), Add(o.box.width), Add(o.box.height), Add(o.box.yaw);
      Add(static_cast<int>(o.object_class)), Add(o.class_confidence), Add(o.num_points);
      Add(o.ground_z);
    }
    for (const Eigen::Vector3f& p : perception.registration_points)
      Add(p.x()), Add(p.y()), Add(p.z());
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 1469598103934665603ULL;
};

// The scans to time: every .bin in a folder (sorted, so consecutive scans register), or one file.
std::vector<fs::path> FindScans(const std::string& scans) {
  std::vector<fs::path> files;
  if (fs::is_directory(scans)) {
    for (const auto& entry : fs::directory_iterator(scans)) {
      if (entry.path().extension() == ".bin") files.push_back(entry.path());
    }
  } else if (fs::is_regular_file(scans)) {
    files.push_back(scans);
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw UsageError("no .bin scans in " + scans);
  return files;
}

// Milliseconds per run, by stage name.
using StageSamples = std::map<std::string, std::vector<double>>;

// What timing the lidar path over the scans measured.
struct LidarPathTimes {
  StageSamples samples;
  std::vector<std::size_t> point_counts;   // one per scan read
  std::vector<std::size_t> object_counts;  // one per scan read (its first run)
  std::uint64_t outputs_digest = 0;
  std::vector<sensors::DataIssue> skipped;  // scans that could not be read
  float sink = 0;                           // keeps the calibration pass alive
};

// One run of the perception stage on a scan, with its thread CPU and wall time.
struct PerceiveRun {
  pipeline::TimedPerception timed;
  double cpu_ms = 0;
  double wall_ms = 0;
};

PerceiveRun TimePerceive(const sensors::Frame& frame,
                         const pipeline::proto::PerceptionOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  const double start = ThreadCpuMs();
  PerceiveRun run{pipeline::PerceiveWithTimes(frame, options)};
  run.cpu_ms = ThreadCpuMs() - start;
  run.wall_ms = Ms(std::chrono::steady_clock::now() - wall_start);
  return run;
}

// The stage samples one perceive run gives, under the names the report prints.
std::vector<std::pair<std::string, double>> StageSamplesOf(const PerceiveRun& run) {
  const pipeline::PerceptionTimes& t = run.timed.times;
  return {{"perceive (total)", run.cpu_ms},
          {"perceive (total, wall)", run.wall_ms},
          {"transform", t.transform_ms},
          {"ground", t.ground_ms},
          {"clustering", t.clustering_ms},
          {"boxes + classes", t.boxes_ms},
          {"classes (features + forest)", t.classes_ms},
          {"registration cloud", t.registration_ms},
          {"ground + clustering + boxes", t.ground_ms + t.clustering_ms + t.boxes_ms}};
}

// Each readable scan `repeat` times through the calibration pass and perception; ego motion once
// per scan, registering it against the previous file's scan (consecutive in a drive).
LidarPathTimes TimeLidarPath(const std::vector<fs::path>& files, int repeat) {
  const pipeline::proto::PerceptionOptions perception_options;
  pipeline::EgoMotionEstimator ego{pipeline::proto::EgoMotionOptions()};
  sensors::IssueLog issues;
  OutputDigest digest;
  LidarPathTimes times;
  for (const fs::path& file : files) {
    sensors::Frame frame;
    std::optional<std::vector<sensors::LidarPoint>> points =
        sensors::kitti::ReadVelodyneBin(file, issues);
    if (!points) continue;  // reported by the caller
    frame.lidar.points = std::move(*points);
    times.point_counts.push_back(frame.lidar.points.size());
    for (int r = 0; r < repeat; ++r) {
      times.samples["calibration pass"].push_back(
          CalibrationPassMs(frame.lidar.points, &times.sink));
      const PerceiveRun run = TimePerceive(frame, perception_options);
      for (const auto& [stage, ms] : StageSamplesOf(run)) times.samples[stage].push_back(ms);
      if (r != 0) continue;
      times.object_counts.push_back(run.timed.perception.objects.size());
      frame.lidar.stamp += sensors::FromSeconds(0.1 * times.point_counts.size());
      const double ego_start = ThreadCpuMs();
      const pipeline::EgoMotion motion = ego.Update(frame, run.timed.perception);
      digest.Add(run.timed.perception);
      digest.Add(motion.known);
      for (int i = 0; i < 16; ++i) digest.Add(motion.world_from_vehicle.data()[i]);
      times.samples["ego motion (lidar ICP)"].push_back(ThreadCpuMs() - ego_start);
    }
  }
  times.skipped = issues.issues();
  times.outputs_digest = digest.value();
  return times;
}

std::string TrackingStageName(int objects) {
  return "tracking (" + std::to_string(objects) + " objects)";
}

// `count` cars at seeded places, each with a seeded constant velocity (m/s).
struct MovingObjects {
  std::vector<pipeline::DetectedObject> objects;
  std::vector<Eigen::Vector2d> velocity;
};

MovingObjects SeededMovingObjects(int count) {
  std::mt19937 random(42);
  std::uniform_real_distribution<double> position(-40, 40), speed(-10, 10);
  MovingObjects moving{std::vector<pipeline::DetectedObject>(count),
                       std::vector<Eigen::Vector2d>(count)};
  for (int k = 0; k < count; ++k) {
    pipeline::DetectedObject& o = moving.objects[k];
    o.box.center = {position(random), position(random), -1};
    o.box.length = 4, o.box.width = 1.7, o.box.height = 1.5;
    o.object_class = sensors::ObjectClass::kCar;
    o.class_confidence = 0.8;
    o.num_points = 100;
    moving.velocity[k] = {speed(random), speed(random)};
  }
  return moving;
}

// Tracking `count` objects moving on straight lines, 200 frames at 10 Hz: ms per frame.
std::vector<double> TimeTracking(int count) {
  MovingObjects moving = SeededMovingObjects(count);
  pipeline::Tracker tracker{pipeline::proto::TrackerOptions()};
  pipeline::EgoMotion still;
  still.known = true;
  std::vector<double> samples;
  for (int frame = 0; frame < 200; ++frame) {
    for (int k = 0; k < count; ++k) {
      moving.objects[k].box.center.head<2>() += 0.1 * moving.velocity[k];
    }
    const double start = ThreadCpuMs();
    tracker.Update(sensors::Timestamp(sensors::FromSeconds(0.1 * frame)), moving.objects, still);
    samples.push_back(ThreadCpuMs() - start);
  }
  return samples;
}

struct StageRow {
  std::string name;
  Summary summary;
  double floors = 0;  // median over the calibration pass's median: a machine-independent cost
};

// What `longtail bench` prints, as JSON or as a table.
struct BenchReport {
  std::size_t scans = 0, skipped_scans = 0;
  std::size_t mean_points_per_scan = 0, mean_objects_per_scan = 0;
  int repeat = 0;
  std::uint64_t outputs_digest = 0;
  std::vector<StageRow> stages;  // in the order printed
};

BenchReport MakeReport(const LidarPathTimes& times, std::vector<double> tracking, std::size_t files,
                       const BenchOptions& options) {
  StageSamples samples = times.samples;
  samples[TrackingStageName(options.objects)] = std::move(tracking);
  const std::vector<std::string> order = {"calibration pass",
                                          "transform",
                                          "ground",
                                          "clustering",
                                          "boxes + classes",
                                          "classes (features + forest)",
                                          "registration cloud",
                                          "ground + clustering + boxes",
                                          "perceive (total)",
                                          "perceive (total, wall)",
                                          "ego motion (lidar ICP)",
                                          TrackingStageName(options.objects)};
  BenchReport report;
  report.scans = times.point_counts.size();
  report.skipped_scans = files - report.scans;
  std::size_t total_points = 0, total_objects = 0;
  for (std::size_t n : times.point_counts) total_points += n;
  for (std::size_t n : times.object_counts) total_objects += n;
  report.mean_points_per_scan = total_points / report.scans;
  report.mean_objects_per_scan = total_objects / report.scans;
  report.repeat = options.repeat;
  report.outputs_digest = times.outputs_digest;
  const double calibration_ms = Summarize(samples["calibration pass"]).median;
  for (const std::string& name : order) {
    const Summary s = Summarize(samples[name]);
    report.stages.push_back({name, s, calibration_ms > 0 ? s.median / calibration_ms : 0.0});
  }
  return report;
}

std::string ReportJson(const BenchReport& report) {
  nlohmann::json stages = nlohmann::json::object();
  for (const StageRow& row : report.stages) {
    stages[row.name] = {{"median_ms", row.summary.median},
                        {"p99_ms", row.summary.p99},
                        {"floors", row.floors},
                        {"samples", row.summary.samples}};
  }
  return nlohmann::json{{"scans", report.scans},
                        {"skipped_scans", report.skipped_scans},
                        {"mean_points_per_scan", report.mean_points_per_scan},
                        {"mean_objects_per_scan", report.mean_objects_per_scan},
                        {"threads", 1},
                        {"outputs_digest", report.outputs_digest},
                        {"stages", stages}}
      .dump(2);
}

void PrintTable(const BenchReport& report, std::ostream& out) {
  out << report.scans << " scans, " << report.mean_points_per_scan << " points and "
      << report.mean_objects_per_scan << " objects per scan on average, " << report.repeat
      << " runs each, one core; CPU ms of the benchmark thread\n";
  out << std::left << std::setw(28) << "stage" << std::right << std::setw(12) << "median ms"
      << std::setw(10) << "p99 ms" << std::setw(8) << "floors" << std::setw(9) << "samples\n";
  for (const StageRow& row : report.stages) {
    out << std::left << std::setw(28) << row.name << std::right << std::fixed
        << std::setprecision(3) << std::setw(12) << row.summary.median << std::setw(10)
        << row.summary.p99 << std::setprecision(1) << std::setw(8) << row.floors << std::setw(8)
        << row.summary.samples << "\n";
  }
  out << "outputs digest " << std::hex << report.outputs_digest << std::dec
      << " (objects, counts, registration cloud, ego motion; equal digest = same output)\n";
  out << "(floors: median ms / the calibration pass's median ms, comparable across machines)\n";
  out << "(end-to-end frames/s on a drive: `longtail mine DRIVE --queue q.db --json`)\n";
}

int RunBench(const BenchOptions& options) {
  // One core: the numbers are per-core costs, comparable with the issue's anchors.
  tbb::global_control one_core(tbb::global_control::max_allowed_parallelism, 1);
  const std::vector<fs::path> files = FindScans(options.scans);
  const LidarPathTimes times = TimeLidarPath(files, options.repeat);
  for (const sensors::DataIssue& issue : times.skipped) {
    std::cerr << "longtail bench: skipped " << sensors::ToString(issue) << "\n";
  }
  if (times.point_counts.empty()) {
    throw CorruptInputError("none of the " + std::to_string(files.size()) + " scans could be read");
  }
  const BenchReport report =
      MakeReport(times, TimeTracking(options.objects), files.size(), options);
  if (options.json) {
    std::cout << ReportJson(report) << "\n";
  } else {
    PrintTable(report, std::cout);
  }
  return times.sink == 12345.678f ? kExitOk : kExitOk;  // `sink` keeps the calibration pass alive
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* command = app.add_subcommand(
      "bench",
      "Time each perception stage on one core over KITTI .bin scans (median and p99 ms per\n"
      "scan), beside a calibration pass (one streaming read of the scan) so numbers compare\n"
      "across machines; also tracking with many objects and lidar ego motion. Prints, never\n"
      "asserts.");
  command->add_option("scans", options->scans, "a folder of KITTI .bin scans, or one .bin file")
      ->required();
  command->add_option("--repeat", options->repeat, "runs per scan")->capture_default_str();
  command->add_option("--objects", options->objects, "objects in the tracking benchmark")
      ->capture_default_str();
  command->add_flag("--json", options->json, "print JSON instead of a table");
  command->callback([options, exit_code] { *exit_code = RunBench(*options); });
}

}  // namespace longtail::tools
