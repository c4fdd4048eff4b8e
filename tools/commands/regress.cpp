// `longtail regress SAMPLE_DIR --golden GOLDEN_DIR`: re-mine sample logs and fail when the events
// or pre-labels differ from the reviewed golden outputs.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "labeling/regression.h"
#include "labeling/tasks.h"
#include "pipeline/options.h"
#include "pipeline/runner.h"
#include "sensors/atomic_file.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

namespace fs = std::filesystem;

struct RegressOptions {
  std::string samples;
  std::string golden;
  std::string config;
  std::string tolerances;
  std::string junit;
  std::string json_report;
  int threads = 0;
  bool update = false;
};

// Every log under `root`: KITTI raw drives (folders with velodyne_points/data) and MCAP files.
std::vector<fs::path> FindLogs(const fs::path& root) {
  std::vector<fs::path> logs;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_directory() && fs::is_directory(it->path() / "velodyne_points" / "data")) {
      logs.push_back(it->path());
      it.disable_recursion_pending();
    } else if (it->is_regular_file() && it->path().extension() == ".mcap") {
      logs.push_back(it->path());
    }
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

labeling::RunRecord Mine(const fs::path& log, const pipeline::proto::RunOptions& options,
                         const std::string& options_hash) {
  sensors::IssueLog issues;
  const auto reader = sensors::OpenLog(log.string(), issues);
  labeling::RunRecord record;
  record.log_id = reader->info().log_id;
  record.options_hash = options_hash;
  pipeline::MineCallbacks callbacks;
  callbacks.on_frame = [&](const pipeline::FrameResult& frame) {
    const auto prelabels = labeling::PrelabelsOf(frame);
    record.prelabels.push_back({prelabels.frame_index, prelabels.boxes});
  };
  callbacks.on_window = [&](const pipeline::ReviewWindow& window,
                            std::span<const pipeline::FrameResult>) {
    record.events.insert(record.events.end(), window.events.begin(), window.events.end());
  };
  record.frames = pipeline::MineLog(*reader, options, callbacks).frames;
  return record;
}

int RunRegress(const RegressOptions& options) {
  pipeline::proto::RunOptions run_options;
  labeling::Tolerances tolerances;
  Rethrow<UsageError>([&] {
    if (!options.config.empty()) run_options = pipeline::LoadRunOptions(options.config);
    if (!options.tolerances.empty()) tolerances = labeling::LoadTolerances(options.tolerances);
  });
  if (options.threads > 0) run_options.mutable_runner()->set_threads(options.threads);
  run_options = pipeline::EffectiveOptions(run_options);
  const std::string options_hash = pipeline::OptionsHash(run_options);
  const auto logs = FindLogs(options.samples);
  if (logs.empty()) throw UsageError("no logs under " + options.samples);

  std::vector<std::string> log_ids;
  std::vector<labeling::Difference> differences;
  for (const fs::path& log : logs) {
    const labeling::RunRecord current = Mine(log, run_options, options_hash);
    log_ids.push_back(current.log_id);
    const fs::path golden_file = fs::path(options.golden) / (current.log_id + ".json");
    if (options.update) {
      fs::create_directories(options.golden);
      sensors::WriteFileAtomically(golden_file, labeling::ToJson(current).dump(1) + "\n");
      std::cout << "updated " << golden_file.string() << "\n";
      continue;
    }
    std::ifstream in(golden_file);
    if (!in) {
      differences.push_back(
          {current.log_id, "no_golden", golden_file.string() + " is missing (run with --update)"});
      continue;
    }
    try {
      const auto golden = labeling::RunRecordFromJson(nlohmann::json::parse(in));
      for (auto& d : labeling::Compare(golden, current, tolerances))
        differences.push_back(std::move(d));
    } catch (const std::exception& e) {
      differences.push_back({current.log_id, "bad_golden", golden_file.string() + ": " + e.what()});
    }
  }
  if (options.update) return kExitOk;

  std::printf("%-32s %-14s %s\n", "log", "difference", "what");
  for (const auto& d : differences)
    std::printf("%-32s %-14s %s\n", d.log_id.c_str(), d.kind.c_str(), d.what.c_str());
  std::printf("%zu logs, %zu differences: %s\n", log_ids.size(), differences.size(),
              differences.empty() ? "PASS" : "REGRESSION");
  if (!options.junit.empty())
    sensors::WriteFileAtomically(options.junit, labeling::JUnitXml(log_ids, differences));
  if (!options.json_report.empty()) {
    nlohmann::json report = {
        {"options_hash", options_hash}, {"logs", log_ids}, {"passed", differences.empty()}};
    report["differences"] = nlohmann::json::array();
    for (const auto& d : differences)
      report["differences"].push_back({{"log_id", d.log_id}, {"kind", d.kind}, {"what", d.what}});
    sensors::WriteFileAtomically(options.json_report, report.dump(2) + "\n");
  }
  return differences.empty() ? kExitOk : kExitFailure;
}

}  // namespace

void AddRegressCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<RegressOptions>();
  CLI::App* command = app.add_subcommand(
      "regress",
      "Re-mine every log under SAMPLE_DIR and compare its events (type, frame window, tracks) and\n"
      "pre-labels (matched by BEV IoU) with the golden outputs. Prints a diff table; exit 1 on "
      "any\n"
      "difference beyond the tolerances. --update rewrites the goldens after a reviewed change.");
  command
      ->add_option("samples", options->samples, "folder of sample logs (KITTI drives, MCAP files)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command
      ->add_option("--golden", options->golden,
                   "folder of golden outputs, one <log id>.json per log")
      ->required();
  command->add_option("--config", options->config, "run options (protobuf text format)")
      ->check(CLI::ExistingFile);
  command
      ->add_option(
          "--tolerances", options->tolerances,
          "JSON tolerances: severity, box_iou, center_m, size_m, yaw_rad, event_overlap_frames")
      ->check(CLI::ExistingFile);
  command->add_option("--junit", options->junit, "write a JUnit XML report here");
  command->add_option("--json", options->json_report, "write a JSON report here");
  command->add_option("--threads", options->threads, "worker threads (default: every core)");
  command->add_flag("--update", options->update, "rewrite the golden files from this run");
  command->callback([options, exit_code] { *exit_code = RunRegress(*options); });
}

}  // namespace longtail::tools
