// `longtail doctor FILE`: checks a log end to end. For MCAP: every CRC, the summary and its
// indexes against the data, message times against their chunks. For other formats: reads every
// frame (the readers validate calibration, timestamps and every file as they go) and lists what
// they reported. Exit code 3 when anything is wrong.
#include <iostream>
#include <nlohmann/json.hpp>

#include "sensors/issues_json.h"
#include "sensors/log_reader.h"
#include "sensors/mcap/mcap_doctor.h"
#include "sensors/mcap/mcap_log_reader.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

struct DoctorOptions {
  std::string log;
  bool json = false;
};

void Print(const DoctorOptions& options, const std::string& summary,
           const std::vector<sensors::DataIssue>& problems, const std::vector<std::string>& notes) {
  if (options.json) {
    nlohmann::json out{{"path", options.log}, {"healthy", problems.empty()}, {"summary", summary}};
    out["notes"] = notes;
    out["problems"] = nlohmann::json::array();
    for (const auto& p : problems) out["problems"].push_back(p);
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << options.log << ": " << (problems.empty() ? "healthy" : "PROBLEMS") << "\n  "
            << summary << "\n";
  for (const auto& note : notes) std::cout << "  note: " << note << "\n";
  for (const auto& p : problems) std::cout << "  problem: " << ToString(p) << "\n";
}

int RunDoctor(const DoctorOptions& options) {
  if (sensors::LooksLikeMcap(options.log)) {
    const sensors::mcap::McapCheck check = sensors::mcap::CheckMcapFile(options.log);
    std::string compression;
    for (const auto& [name, count] : check.stream.chunks_by_compression) {
      compression += (compression.empty() ? "" : ", ") + std::to_string(count) + " " +
                     (name.empty() ? "uncompressed" : name);
    }
    const std::string summary = "mcap: " + std::to_string(check.messages) + " messages in " +
                                std::to_string(check.chunks) + " chunks (" +
                                (compression.empty() ? "none" : compression) + "), " +
                                std::to_string(check.stream.crc_failures) + " CRC failures, " +
                                (check.stream.trailing_magic_ok ? "closed" : "NOT closed");
    Print(options, summary, check.problems, check.notes);
    return check.healthy() ? kExitOk : kExitCorruptInput;
  }
  sensors::IssueLog issues;
  const auto reader = sensors::OpenLog(options.log, issues);
  std::int64_t frames = 0;
  while (reader->Next()) ++frames;
  // The readers check calibration (finite, orthonormal), timestamps (readable, in order) and
  // every file's size and completeness as they go: their reports are the problems.
  if (frames == 0) issues.Report({options.log, 0, 0, "no frame could be read"});
  Print(options, reader->info().format + ": " + std::to_string(frames) + " frames read",
        issues.issues(), reader->info().notes);
  return issues.count() == 0 ? kExitOk : kExitCorruptInput;
}

}  // namespace

void AddDoctorCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<DoctorOptions>();
  CLI::App* command = app.add_subcommand(
      "doctor",
      "Check a log end to end: for MCAP every CRC, the summary, chunk and message indexes and\n"
      "message times; for other formats every frame. Exit code 3 when anything is wrong.");
  command->add_option("log", options->log, "an MCAP file or a KITTI folder")->required();
  command->add_flag("--json", options->json, "print JSON instead of text");
  command->callback([options, exit_code] { *exit_code = RunDoctor(*options); });
}

}  // namespace longtail::tools
