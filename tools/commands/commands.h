// The subcommands of `longtail`. Each Add*Command registers one subcommand on `app`; its callback
// stores the command's exit code in `*exit_code` when it finishes; a command that cannot go on
// throws (command_error.h) and `main` prints and maps the error.
#pragma once

#include <CLI/CLI.hpp>

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

}  // namespace longtail::tools
