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
  const synth::proto::Scenario scenario = Rethrow<UsageError, std::invalid_argument>(
      [&] { return synth::ReadScenario(options.scenario); });
  const auto start = std::chrono::steady_clock::now();
  // A scenario the synthesiser cannot build is a usage error; failing to write the log, a runtime
  // failure.
  const auto [frame_count, log] = Rethrow<RuntimeFailure>([&] {
    return Rethrow<UsageError, std::invalid_argument>(
        [&] {
          const synth::Synthesizer synthesizer(scenario, options.seed);
          return std::make_pair(synthesizer.frame_count(),
                                synth::WriteSyntheticLog(synthesizer, {.directory = options.output,
                                                                       .format = options.format,
                                                                       .drive = options.drive}));
        },
        options.scenario + ": ");
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << log.string() << "\n  scenario  " << scenario.name() << " (seed " << options.seed
            << ")\n  frames    " << frame_count << " in " << seconds << " s ("
            << frame_count / seconds << " frames/s)\n  truth     "
            << synth::GroundTruthPathForLog(log).string() << "\n";
  return kExitOk;
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
