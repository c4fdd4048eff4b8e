// `longtail`: one binary, one subcommand per job. The commands live in tools/commands/.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "tools/commands/commands.h"

namespace {

// "longtail queue claim": the program and the chain of subcommands the command line chose.
std::string CommandName(const CLI::App& app) {
  std::string name = "longtail";
  for (std::vector<CLI::App*> chosen = app.get_subcommands(); !chosen.empty();
       chosen = chosen.front()->get_subcommands()) {
    name += " " + chosen.front()->get_name();
  }
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  namespace tools = longtail::tools;
  CLI::App app{
      "longtail mines autonomous-driving drive logs for rare events, pre-labels them with 3D "
      "boxes\n"
      "and queues them for human review."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "longtail 0.1.0");
  int exit_code = tools::kExitOk;
  tools::AddMineCommand(app, &exit_code);
  tools::AddDetectCommand(app, &exit_code);
  tools::AddEvalCommand(app, &exit_code);
  tools::AddEvalDrivesCommand(app, &exit_code);
  tools::AddQueueCommand(app, &exit_code);
  tools::AddInspectCommand(app, &exit_code);
  tools::AddEvalBoxesCommand(app, &exit_code);
  tools::AddBenchCommand(app, &exit_code);
  tools::AddConvertCommand(app, &exit_code);
  tools::AddDoctorCommand(app, &exit_code);
  tools::AddRegressCommand(app, &exit_code);
  tools::AddExportCommand(app, &exit_code);
  tools::AddImportCommand(app, &exit_code);
  tools::AddReviewCommand(app, &exit_code);
  tools::AddReviewersCommand(app, &exit_code);
  tools::AddSynthCommand(app, &exit_code);
  tools::AddTrainClassifierCommand(app, &exit_code);
  tools::AddQueryCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? tools::kExitOk : tools::kExitUsage;
  } catch (...) {
    // Every command's errors end here: one message line and the exit code of its type.
    const tools::Failure failure = tools::FailureOf(std::current_exception());
    std::cerr << CommandName(app) << ": " << failure.message;
    return failure.exit_code;
  }
  return exit_code;
}
