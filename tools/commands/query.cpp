// `longtail query 'QUERY' LOG... | --tracks ... | --av2-log DIR`: ask logs a question in the
// scenario query language (pipeline/query/README.md) and print the matching episodes.
// `longtail query --av2 FIXTURE --prompts FILE`: one query per prompt of the AV2 scenario-mining
// fixture, written in the challenge's form and scored.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "evaluation/av2_scenario_mining.h"
#include "pipeline/detectors/track_import.h"
#include "pipeline/event_json.h"
#include "pipeline/options.h"
#include "pipeline/query/query_stream.h"
#include "pipeline/runner.h"
#include "sensors/issues_json.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"

namespace longtail::tools {
namespace {

struct QueryOptions {
  std::string text;
  std::string file;
  std::string name = "query";
  std::vector<std::string> logs;
  std::string tracks, calib, poses, timestamps;
  double rate_hz = 10;
  std::vector<std::string> av2_logs;
  std::string av2_fixture, prompts, output;
  bool no_roi = false;
  std::string config;
  bool json = false;
};

// What one source gave.
struct SourceResult {
  std::string source;
  std::int64_t frames = 0;
  std::vector<pipeline::Event> episodes;
  std::vector<sensors::DataIssue> issues;
  std::string error;
};

// Streams `frames_of` (which calls back once per frame) through the query and joins episodes.
template <typename Producer>
SourceResult RunOn(const std::string& source, const query::Query& compiled, const std::string& name,
                   Producer produce) {
  SourceResult result;
  result.source = source;
  query::QueryStream stream(compiled);
  query::EpisodeJoiner joiner(name);
  auto take = [&](const std::vector<query::FrameMatches>& judged) {
    for (const auto& frame : judged) {
      for (auto& e : joiner.Add(frame)) result.episodes.push_back(std::move(e));
    }
  };
  produce([&](const pipeline::FrameResult& frame) {
    ++result.frames;
    take(stream.Add(frame));
  });
  take(stream.Flush());
  for (auto& e : joiner.Flush()) result.episodes.push_back(std::move(e));
  std::stable_sort(
      result.episodes.begin(), result.episodes.end(), [](const auto& a, const auto& b) {
        return std::tie(a.first_frame, a.track_ids) < std::tie(b.first_frame, b.track_ids);
      });
  return result;
}

// The offending line of the query with a caret under the column.
std::string PointAt(const std::string& text, const query::QueryError& e) {
  std::istringstream lines(text);
  std::string line;
  for (int i = 0; i < e.line() && std::getline(lines, line); ++i) {
  }
  return "  " + line + "\n  " + std::string(std::max(0, e.column() - 1), ' ') + "^\n";
}

// The query in `text` (read from `file`, if any), or a usage error that points at where it went
// wrong.
query::Query ParseQueryText(const std::string& text, const std::string& file) {
  try {
    return query::ParseQuery(text);
  } catch (const query::QueryError& e) {
    throw UsageError((file.empty() ? "" : file + ": ") + e.what() + "\n" + PointAt(text, e));
  }
}

void PrintText(const std::string& canonical, const std::vector<SourceResult>& results) {
  std::cout << "query: " << canonical << "\n";
  for (const auto& r : results) {
    std::cout << r.source << ": " << r.frames << " frames, " << r.episodes.size() << " episodes\n";
    if (!r.error.empty()) std::cout << "  STOPPED: " << r.error << "\n";
    for (const auto& e : r.episodes) {
      std::cout << "  frames " << e.first_frame << "-" << e.last_frame << "  actors";
      if (e.track_ids.empty()) std::cout << " ego";
      for (const int id : e.track_ids) std::cout << " #" << id;
      std::cout << "  " << e.reason << "\n";
    }
    for (const auto& issue : r.issues) std::cout << "  skipped: " << ToString(issue) << "\n";
  }
}

nlohmann::json ToJson(const std::string& canonical, const std::vector<SourceResult>& results) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json episodes = nlohmann::json::array(), skipped = nlohmann::json::array();
    for (const auto& e : r.episodes) episodes.push_back(e);
    for (const auto& i : r.issues) {
      skipped.push_back(i);
    }
    sources.push_back({{"source", r.source},
                       {"frames", r.frames},
                       {"episodes", episodes},
                       {"error", r.error},
                       {"skipped", skipped}});
  }
  return {{"query", canonical}, {"sources", sources}};
}

std::vector<SourceResult> RunSources(const QueryOptions& options, const query::Query& compiled,
                                     const pipeline::proto::RunOptions& run) {
  std::vector<SourceResult> results;
  for (const auto& path : options.logs) {
    sensors::IssueLog issues;
    std::string error;
    results.push_back(RunOn(path, compiled, options.name, [&](auto&& each) {
      try {
        const auto reader = sensors::OpenLog(path, issues);
        pipeline::MineCallbacks callbacks;
        callbacks.on_frame = each;
        pipeline::MineLog(*reader, run, callbacks);
      } catch (const sensors::LogError& e) {
        error = e.what();
      }
    }));
    results.back().error = error;
    results.back().issues = issues.issues();
  }
  if (!options.tracks.empty()) {
    sensors::IssueLog issues;
    const auto frames = pipeline::FrameResultsFromLabels(pipeline::LoadTrackList(
        options.tracks, options.calib, options.poses, options.timestamps, options.rate_hz, issues));
    results.push_back(RunOn(options.tracks, compiled, options.name, [&](auto&& each) {
      for (const auto& f : frames) each(f);
    }));
    results.back().issues = issues.issues();
  }
  for (const auto& dir : options.av2_logs) {
    sensors::IssueLog issues;
    const auto log = evaluation::av2::LoadAv2Log(dir, issues);
    results.push_back(RunOn(dir, compiled, options.name, [&](auto&& each) {
      for (const auto& f : log.frames) each(f);
    }));
    results.back().issues = issues.issues();
  }
  return results;
}

int RunAv2(const QueryOptions& options) {
  namespace av2 = evaluation::av2;
  sensors::IssueLog issues;
  // A prompt that does not parse is a usage error; anything else that stops the run, bad input.
  const av2::PromptRun run = Rethrow<CorruptInputError>([&] {
    const auto queries = Rethrow<UsageError, query::QueryError>(
        [&] { return av2::ReadPromptQueries(options.prompts); }, options.prompts + ": ");
    av2::PromptRun prompt_run =
        av2::RunPromptQueries(options.av2_fixture, queries, {50, !options.no_roi}, {}, issues);
    if (!options.output.empty()) av2::WriteScenarioFile(options.output, prompt_run.predictions);
    return prompt_run;
  });
  if (options.json) {
    nlohmann::json prompts = nlohmann::json::array();
    for (const auto& p : run.scores.by_prompt) {
      prompts.push_back({{"prompt", p.prompt},
                         {"hota_temporal", p.hota_temporal},
                         {"hota_track", p.hota_track},
                         {"timestamp_balanced_accuracy", p.timestamp_ba},
                         {"log_balanced_accuracy", p.log_ba},
                         {"timestamps",
                          {{"tp", p.timestamps.tp},
                           {"fp", p.timestamps.fp},
                           {"tn", p.timestamps.tn},
                           {"fn", p.timestamps.fn}}}});
    }
    std::cout << nlohmann::json{{"roi_filter", !options.no_roi},
                                {"hota_temporal", run.scores.hota_temporal},
                                {"hota_track", run.scores.hota_track},
                                {"timestamp_balanced_accuracy", run.scores.timestamp_ba},
                                {"log_balanced_accuracy", run.scores.log_ba},
                                {"by_prompt", prompts},
                                {"skipped_inputs", issues.count()}}
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  std::cout << std::fixed << std::setprecision(3) << "AV2 scenario mining, "
            << (options.no_roi ? "no ROI filter" : "ROI filter on") << "\n";
  for (const auto& p : run.scores.by_prompt) {
    std::cout << "  " << std::left << std::setw(40) << p.prompt << " HOTA-Temporal "
              << p.hota_temporal << "  HOTA-Track " << p.hota_track << "  timestamp BA "
              << p.timestamp_ba << " (TP " << p.timestamps.tp << " FP " << p.timestamps.fp << " TN "
              << p.timestamps.tn << " FN " << p.timestamps.fn << ")  log BA " << p.log_ba << "\n";
  }
  std::cout << "  mean: HOTA-Temporal " << run.scores.hota_temporal << "  HOTA-Track "
            << run.scores.hota_track << "  timestamp BA " << run.scores.timestamp_ba << "  log BA "
            << run.scores.log_ba << "\n";
  return kExitOk;
}

int RunQueryCommand(const QueryOptions& options) {
  if (!options.av2_fixture.empty()) return RunAv2(options);
  std::string text = options.text;
  if (!options.file.empty()) {
    std::ifstream in(options.file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const query::Query compiled = ParseQueryText(text, options.file);
  pipeline::proto::RunOptions run;
  if (!options.config.empty()) run = pipeline::LoadRunOptions(options.config);
  run = pipeline::EffectiveOptions(run);
  const std::vector<SourceResult> results =
      Rethrow<CorruptInputError>([&] { return RunSources(options, compiled, run); });
  const std::string canonical = query::ToText(compiled);
  if (options.json) {
    std::cout << ToJson(canonical, results).dump(2) << "\n";
  } else {
    PrintText(canonical, results);
  }
  for (const auto& r : results) {
    if (!r.error.empty()) return kExitCorruptInput;
  }
  return kExitOk;
}

}  // namespace

void AddQueryCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<QueryOptions>();
  CLI::App* command = app.add_subcommand(
      "query",
      "Ask logs a question in the scenario query language (pipeline/query/README.md), e.g.\n"
      "  longtail query 'unknown and moving toward ego path' --tracks label_02/0013.txt ...\n"
      "and print each matching episode: its actors, first and last frame and the numbers that\n"
      "made it match. With --av2 FIXTURE --prompts FILE: one query per prompt of the AV2\n"
      "scenario-mining fixture, scored with its metrics.\n"
      "Exit codes: 0 ok, 2 usage error (a query that does not parse), 3 unreadable input.");
  command->add_option("query", options->text, "the query text");
  command->add_option("--file,-f", options->file, "read the query from this file")
      ->check(CLI::ExistingFile);
  command->add_option("--name", options->name, "the episodes' type (default: query)");
  command->add_option("logs", options->logs, "logs to run through perception (as `mine` reads)")
      ->check(CLI::ExistingPath);
  command->add_option("--tracks", options->tracks, "KITTI tracking label_02 file, as `detect`")
      ->check(CLI::ExistingFile);
  command->add_option("--calib", options->calib, "calibration for --tracks")
      ->check(CLI::ExistingPath);
  command->add_option("--poses", options->poses, "ego poses for --tracks")
      ->check(CLI::ExistingPath);
  command->add_option("--timestamps", options->timestamps, "frame times for --tracks")
      ->check(CLI::ExistingFile);
  command->add_option("--rate", options->rate_hz, "frame rate of --tracks, Hz")
      ->default_val(10.0)
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--av2-log", options->av2_logs,
                   "an Argoverse 2 log folder with annotations.csv and city_SE3_egovehicle.csv")
      ->check(CLI::ExistingDirectory);
  command
      ->add_option("--av2", options->av2_fixture,
                   "the AV2 scenario-mining fixture (../shared/data/av2-scenario-mining)")
      ->check(CLI::ExistingDirectory);
  command
      ->add_option("--prompts", options->prompts,
                   "with --av2: '[prompt]' lines each followed by its query "
                   "(evaluation/av2_prompt_queries.txt)")
      ->check(CLI::ExistingFile);
  command->add_option("-o,--output", options->output,
                      "with --av2: write the predictions in the challenge's form (JSON)");
  command->add_flag("--no-roi", options->no_roi, "with --av2: score without the map ROI filter");
  command->add_option("--config", options->config, "run options for --log (perception)")
      ->check(CLI::ExistingFile);
  command->add_flag("--json", options->json, "print JSON");
  command->callback([options, exit_code] {
    // With --file every positional argument is a log.
    if (!options->file.empty() && !options->text.empty()) {
      options->logs.insert(options->logs.begin(), options->text);
      options->text.clear();
    }
    const bool av2 = !options->av2_fixture.empty();
    if (av2 != !options->prompts.empty()) {
      throw CLI::ValidationError("--av2 and --prompts go together");
    }
    if (!av2 && options->text.empty() == options->file.empty()) {
      throw CLI::ValidationError("give the query as text or with --file (one of them)");
    }
    if (!av2 && options->logs.empty() && options->tracks.empty() && options->av2_logs.empty()) {
      throw CLI::ValidationError("give LOG..., --tracks or --av2-log");
    }
    if (!options->tracks.empty() && options->calib.empty()) {
      throw CLI::ValidationError("--tracks needs --calib");
    }
    *exit_code = RunQueryCommand(*options);
  });
}

}  // namespace longtail::tools
