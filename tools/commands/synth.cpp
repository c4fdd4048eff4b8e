// `longtail synth SCENARIO.pbtxt -o OUT`: a scripted scenario in, a drive log with ground truth
// out.
#include <chrono>
#include <iostream>

#include "tools/commands/commands.h"
#include "tools/synth/synthesizer.h"

namespace longtail::tools {
namespace {

struct SynthOptions {
  std::string scenario;
  std::string output;
  std::uint64_t seed = 1;
  std::string format = "kitti";
  std::string drive = "0001";
};

int RunSynth(const SynthOptions& options) {
  synth::proto::Scenario scenario;
  try {
    scenario = synth::ReadScenario(options.scenario);
  } catch (const std::invalid_argument& e) {
    std::cerr << "longtail synth: " << e.what() << "\n";
    return kExitUsage;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const synth::Synthesizer synthesizer(scenario, options.seed);
    const auto log = synth::WriteSyntheticLog(
        synthesizer,
        {.directory = options.output, .format = options.format, .drive = options.drive});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << log.string() << "\n  scenario  " << scenario.name() << " (seed " << options.seed
              << ")\n  frames    " << synthesizer.frame_count() << " in " << seconds << " s ("
              << synthesizer.frame_count() / seconds << " frames/s)\n  truth     "
              << synth::GroundTruthPathForLog(log).string() << "\n";
    return kExitOk;
  } catch (const std::invalid_argument& e) {
    std::cerr << "longtail synth: " << options.scenario << ": " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "longtail synth: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace

void AddSynthCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<SynthOptions>();
  CLI::App* command = app.add_subcommand(
      "synth",
      "Synthesise a drive log from a scenario (protobuf text, tools/synth/scenario.proto): a\n"
      "simulated 64-beam lidar and camera, ego poses, and the ground truth (ground_truth.json:\n"
      "every actor's box per frame and the events a correct system must flag; label_02.txt).\n"
      "Ranges in the scenario are drawn from --seed; the same seed gives the same bytes.");
  command->add_option("scenario", options->scenario, "scenario file (.pbtxt)")->required();
  command->add_option("-o,--output", options->output, "output folder")->required();
  command->add_option("--seed", options->seed, "seed for every range and noise (default 1)");
  command->add_option("--format", options->format, "kitti (raw drive layout) or mcap")
      ->check(CLI::IsMember({"kitti", "mcap"}));
  command->add_option("--drive", options->drive, "KITTI drive number: DATE_drive_NNNN_sync");
  command->callback([options, exit_code] { *exit_code = RunSynth(*options); });
}

}  // namespace longtail::tools
