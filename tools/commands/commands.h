// The subcommands of `longtail`. Each Add*Command registers one subcommand on `app`; its callback
// stores the command's exit code in `*exit_code` when it finishes; a command that cannot go on
// throws (command_error.h) and `main` prints and maps the error.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "tools/commands/command_error.h"

namespace longtail::tools {

void AddMineCommand(CLI::App& app, int* exit_code);
void AddDetectCommand(CLI::App& app, int* exit_code);
void AddEvalCommand(CLI::App& app, int* exit_code);
void AddEvalDrivesCommand(CLI::App& app, int* exit_code);
void AddQueueCommand(CLI::App& app, int* exit_code);
void AddInspectCommand(CLI::App& app, int* exit_code);
void AddEvalBoxesCommand(CLI::App& app, int* exit_code);
void AddBenchCommand(CLI::App& app, int* exit_code);
void AddConvertCommand(CLI::App& app, int* exit_code);
void AddDoctorCommand(CLI::App& app, int* exit_code);
void AddRegressCommand(CLI::App& app, int* exit_code);
void AddExportCommand(CLI::App& app, int* exit_code);
void AddImportCommand(CLI::App& app, int* exit_code);
void AddReviewCommand(CLI::App& app, int* exit_code);
void AddReviewersCommand(CLI::App& app, int* exit_code);
void AddSynthCommand(CLI::App& app, int* exit_code);
void AddTrainClassifierCommand(CLI::App& app, int* exit_code);
void AddQueryCommand(CLI::App& app, int* exit_code);

// A subcommand of `parent` that works on a review queue: required `--queue`, `--json`, and a
// callback that runs `run(*options)` for the exit code (queue errors and task conflicts are exit
// code 1, mapped in `main`).
template <typename Options, typename Run>
CLI::App* AddQueueSubcommand(CLI::App* parent, const std::shared_ptr<Options>& options,
                             int* exit_code, const std::string& name, const std::string& help,
                             Run run) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->add_option("--queue", options->queue, "review queue: a SQLite file or a postgresql:// URL")
      ->required();
  sub->add_flag("--json", options->json, "print JSON");
  sub->callback([options, exit_code, run] { *exit_code = run(*options); });
  return sub;
}

}  // namespace longtail::tools
