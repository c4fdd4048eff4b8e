// `longtail inspect LOG`: what a log holds, without mining it.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "sensors/issues_json.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"
#include "tools/commands/topic_options.h"

namespace longtail::tools {
namespace {

struct InspectOptions {
  std::string log;
  bool json = false;
  sensors::LogOpenOptions open;
};

double RateHz(const sensors::StreamInfo& s) {
  const double span = sensors::ToSeconds(s.last - s.first);
  return s.count > 1 && span > 0 ? (s.count - 1) / span : 0.0;
}

nlohmann::json ToJson(const sensors::LogInfo& info, const sensors::IssueLog& issues) {
  nlohmann::json streams = nlohmann::json::array();
  for (const auto& s : info.streams) {
    streams.push_back({{"name", s.name},
                       {"kind", s.kind},
                       {"count", s.count},
                       {"first_ns", sensors::ToNanos(s.first)},
                       {"last_ns", sensors::ToNanos(s.last)},
                       {"duration_s", sensors::ToSeconds(s.last - s.first)},
                       {"rate_hz", RateHz(s)},
                       {"largest_gap_s", sensors::ToSeconds(s.largest_gap)}});
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& issue : issues.issues()) {
    problems.push_back(issue);
  }
  return {{"path", info.path},
          {"format", info.format},
          {"log_id", info.log_id},
          {"has_calibration", info.has_calibration},
          {"has_ego_pose", info.has_ego_pose},
          {"streams", streams},
          {"notes", info.notes},
          {"issues", problems}};
}

void PrintText(const sensors::LogInfo& info, const sensors::IssueLog& issues) {
  std::cout << info.path << "\n  format       " << info.format << "\n  log id       " << info.log_id
            << "\n  calibration  " << (info.has_calibration ? "found" : "absent")
            << "\n  ego pose     " << (info.has_ego_pose ? "present" : "absent") << "\n  streams\n";
  std::cout << "    " << std::left << std::setw(32) << "name" << std::setw(8) << "kind"
            << std::right << std::setw(8) << "count" << std::setw(12) << "duration s"
            << std::setw(10) << "rate Hz" << std::setw(14) << "largest gap s"
            << "\n";
  for (const auto& s : info.streams) {
    std::cout << "    " << std::left << std::setw(32) << s.name << std::setw(8) << s.kind
              << std::right << std::setw(8) << s.count << std::fixed << std::setprecision(3)
              << std::setw(12) << sensors::ToSeconds(s.last - s.first) << std::setprecision(2)
              << std::setw(10) << RateHz(s) << std::setprecision(3) << std::setw(14)
              << sensors::ToSeconds(s.largest_gap) << "\n";
  }
  for (const auto& note : info.notes) std::cout << "  note: " << note << "\n";
  for (const auto& issue : issues.issues()) std::cout << "  problem: " << ToString(issue) << "\n";
}

int RunInspect(const InspectOptions& options) {
  sensors::IssueLog issues;
  const auto reader = sensors::OpenLog(options.log, issues, options.open);
  if (options.json) {
    std::cout << ToJson(reader->info(), issues).dump(2) << "\n";
  } else {
    PrintText(reader->info(), issues);
  }
  return issues.count() == 0 ? kExitOk : kExitCorruptInput;
}

}  // namespace

void AddInspectCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* command = app.add_subcommand(
      "inspect",
      "Show what a log holds: format, streams with counts, duration, rates and gaps, whether\n"
      "calibration and ego pose are present, and any corrupt or missing files.\n"
      "Exit code 3 when the log has problems.");
  command->add_option("log", options->log, "a KITTI drive or benchmark folder, or an MCAP file")
      ->required();
  command->add_flag("--json", options->json, "print JSON instead of a table");
  AddTopicOptions(command, &options->open);
  command->callback([options, exit_code] { *exit_code = RunInspect(*options); });
}

}  // namespace longtail::tools
