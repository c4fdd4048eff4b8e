// `longtail eval-drives DIR`: the rare-event detectors scored on real drives given as tracks: the
// share of drive time a reviewer is handed, episodes per minute, the moments found and missed.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "evaluation/real_drives.h"
#include "pipeline/detectors/detector.h"
#include "pipeline/detectors/track_import.h"
#include "pipeline/options.h"
#include "sensors/issues_json.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

struct EvalDrivesOptions {
  std::string folder;
  std::vector<std::string> sequences;
  std::string config;
  bool json = false;
};

double Share(double part, double whole) { return whole > 0 ? part / whole : 0; }
double PerMinute(std::int64_t count, double seconds) {
  return seconds > 0 ? 60.0 * static_cast<double>(count) / seconds : 0;
}

// What a reviewer is handed, for a sequence or all of them.
template <typename Score>
nlohmann::json BudgetJson(const Score& s) {
  return {{"frames", s.frames},
          {"duration_s", s.duration_s},
          {"flagged_s", s.flagged_s},
          {"flagged_share", Share(s.flagged_s, s.duration_s)},
          {"windows", s.windows},
          {"windows_without_moment", s.windows_without_moment},
          {"episodes", s.episodes},
          {"episodes_per_minute", PerMinute(s.episodes, s.duration_s)},
          {"episodes_by_type", s.episodes_by_type}};
}

nlohmann::json ToJson(const evaluation::SequenceScore& s) {
  nlohmann::json moments = nlohmann::json::array();
  for (const auto& m : s.moments) {
    moments.push_back({{"kind", m.moment.kind},
                       {"actor_type", m.moment.actor_type},
                       {"actor_id", m.moment.actor_id},
                       {"first_frame", m.moment.first_frame},
                       {"critical_frame", m.moment.critical_frame},
                       {"label", m.moment.positive ? "positive" : "dontcare"},
                       {"found", m.found},
                       {"found_by", m.found_by},
                       {"lead_s", m.lead_s}});
  }
  nlohmann::json out = BudgetJson(s);
  out["sequence"] = s.sequence;
  out["moments"] = moments;
  return out;
}

std::string Percent(double share) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << 100 * share << " %";
  return out.str();
}

void PrintText(const std::vector<evaluation::SequenceScore>& scores,
               const evaluation::DriveSetSummary& total) {
  std::cout << std::fixed << std::setprecision(1);
  std::cout << "seq    frames  minutes  flagged  windows  empty  episodes/min  positives found\n";
  for (const auto& s : scores) {
    int positives = 0, found = 0;
    for (const auto& m : s.moments) {
      positives += m.moment.positive;
      found += m.moment.positive && m.found;
    }
    std::cout << std::left << std::setw(7) << s.sequence << std::right << std::setw(6) << s.frames
              << std::setw(9) << s.duration_s / 60 << std::setw(9)
              << Percent(Share(s.flagged_s, s.duration_s)) << std::setw(9) << s.windows
              << std::setw(7) << s.windows_without_moment << std::setw(14)
              << PerMinute(s.episodes, s.duration_s) << std::setw(11) << found << "/" << positives
              << "\n";
  }
  std::cout << "all    " << std::setw(6) << total.frames << std::setw(9) << total.duration_s / 60
            << std::setw(9) << Percent(Share(total.flagged_s, total.duration_s)) << std::setw(9)
            << total.windows << std::setw(7) << total.windows_without_moment << std::setw(14)
            << PerMinute(total.episodes, total.duration_s) << std::setw(11) << total.positives_found
            << "/" << total.positives << "\n";
  std::cout << "episodes by type:";
  for (const auto& [type, n] : total.episodes_by_type) std::cout << " " << type << " " << n;
  std::cout << "\nlargest flagged share without a positive moment: "
            << Percent(total.worst_share_without_positive) << " ("
            << total.worst_sequence_without_positive << ")\nmoments:\n";
  for (const auto& s : scores) {
    for (const auto& m : s.moments) {
      std::cout << "  " << s.sequence << " " << (m.moment.positive ? "positive" : "dontcare") << " "
                << m.moment.kind << " " << m.moment.actor_type << " #" << m.moment.actor_id
                << " critical frame " << m.moment.critical_frame << ": "
                << (m.found ? "found" : "missed");
      if (!m.found_by.empty()) {
        std::cout << " (" << m.found_by << ", lead " << std::setprecision(2) << m.lead_s
                  << std::setprecision(1) << " s)";
      }
      std::cout << "\n";
    }
  }
}

int RunEvalDrives(const EvalDrivesOptions& options) {
  // A bad config or an unknown detector name is a usage error.
  const pipeline::proto::RunOptions run = Rethrow<UsageError>([&] {
    pipeline::proto::RunOptions loaded;
    if (!options.config.empty()) loaded = pipeline::LoadRunOptions(options.config);
    *loaded.mutable_detectors() = pipeline::ForTrackLists(loaded.detectors());
    loaded = pipeline::EffectiveOptions(loaded);
    pipeline::CreateDetectors(loaded.detectors());
    return loaded;
  });
  sensors::IssueLog issues;
  const std::vector<evaluation::SequenceScore> scores = Rethrow<CorruptInputError>(
      [&] { return evaluation::ScoreDriveFolder(options.folder, options.sequences, run, issues); });
  const evaluation::DriveSetSummary total = evaluation::Summarize(scores);
  if (options.json) {
    nlohmann::json sequences = nlohmann::json::array(), skipped = nlohmann::json::array();
    for (const auto& s : scores) sequences.push_back(ToJson(s));
    for (const auto& issue : issues.issues()) {
      skipped.push_back(issue);
    }
    nlohmann::json out = {{"folder", options.folder},
                          {"options_hash", pipeline::OptionsHash(run)},
                          {"min_severity", run.runner().min_severity()},
                          {"sequences", sequences},
                          {"overall", BudgetJson(total)},
                          {"skipped_inputs", issues.count()},
                          {"skipped", skipped}};
    out["overall"]["positives"] = total.positives;
    out["overall"]["positives_found"] = total.positives_found;
    out["overall"]["worst_share_without_positive"] = total.worst_share_without_positive;
    out["overall"]["worst_sequence_without_positive"] = total.worst_sequence_without_positive;
    std::cout << out.dump(2) << "\n";
  } else {
    PrintText(scores, total);
    if (issues.count() > 0) {
      std::cout << "skipped inputs " << issues.count() << "\n";
      for (const auto& issue : issues.issues()) std::cout << "  " << ToString(issue) << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddEvalDrivesCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<EvalDrivesOptions>();
  CLI::App* command = app.add_subcommand(
      "eval-drives",
      "Score the rare-event detectors on real drives given as tracks: a folder with label_02/,\n"
      "calib/, poses/ and timestamps/ (one NNNN.txt per sequence) and moments.tsv, laid out like\n"
      "../shared/data/kitti-tracking-tracks/. Prints per sequence and overall: the share of drive\n"
      "time inside review windows, episodes per minute, windows that hold no moment, and the\n"
      "positive moments found (an episode naming the actor; crossings and cut-ins at least 1 s\n"
      "before the critical frame). dontcare moments count neither way.\n"
      "Exit codes: 0 ok, 2 usage error, 3 unreadable folder, calibration or tracks.");
  command->add_option("DIR", options->folder, "the drives folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--sequences", options->sequences,
                      "only these sequences (e.g. --sequences 0001 0003); default all");
  command
      ->add_option("--config", options->config,
                   "run options in protobuf text format (pipeline/proto/run.proto)")
      ->check(CLI::ExistingFile);
  command->add_flag("--json", options->json, "print the scores as JSON");
  command->callback([options, exit_code] { *exit_code = RunEvalDrives(*options); });
}

}  // namespace longtail::tools
