// `longtail eval LOG... [--json]`: mine logs that carry the synthesiser's ground truth and score
// the events: recall and lead time per expected event type, precision per detector, and the false
// alarms on hard negatives. The stages are in evaluation/event_evaluation.h; the box metrics of
// perception are `longtail eval-boxes`.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "evaluation/event_evaluation.h"
#include "pipeline/detectors/evaluation.h"
#include "pipeline/detectors/track_import.h"
#include "pipeline/options.h"
#include "pipeline/runner.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"
#include "tools/synth/ground_truth.h"

namespace longtail::tools {
namespace {

struct EvalOptions {
  std::vector<std::string> logs;
  std::string config;
  double slack_s = 0.5;
  bool labels = false;
  bool json = false;
};

nlohmann::json ToJson(const pipeline::Tally& t) {
  return {{"expected", t.expected},
          {"found", t.found},
          {"recall", t.Recall()},
          {"detected", t.detected},
          {"true_positive", t.true_positive},
          {"precision", t.Precision()},
          {"same_actor", t.same_actor},
          {"type_precision", t.TypePrecision()},
          {"median_lead_time_s", t.MedianLeadTime()},
          {"median_window_lead_time_s", t.MedianWindowLeadTime()}};
}

evaluation::TruthFrames TruthFramesOf(const synth::GroundTruth& truth) {
  evaluation::TruthFrames out;
  for (const auto& frame : truth.frames) {
    out.stamps[frame.index] = frame.stamp;
    auto& boxes = out.actor_boxes[frame.index];
    for (const auto& actor : frame.actors) boxes.push_back({actor.track_id, actor.box});
  }
  return out;
}

std::vector<pipeline::ExpectedWindow> ExpectedWindowsOf(const synth::GroundTruth& truth,
                                                        const evaluation::TruthFrames& frames) {
  std::vector<pipeline::ExpectedWindow> windows;
  for (const auto& x : truth.events) {
    windows.push_back({x.type, x.first_frame, x.last_frame, x.start, x.end, x.track_ids, x.start});
  }
  return evaluation::WithCriticalMoments(std::move(windows), frames);
}

// Bring-your-own-perception path on the log's ground-truth label_02: what is missed here is the
// detectors' share; what is missed only with perception is perception's share.
std::vector<pipeline::ReviewWindow> DetectOnLabels(const std::string& path,
                                                   const synth::GroundTruth& truth,
                                                   const pipeline::proto::RunOptions& run,
                                                   evaluation::TrackActorTally& tally,
                                                   sensors::IssueLog& issues) {
  const std::filesystem::path log(path);
  const std::filesystem::path oxts = log / "oxts" / "data";
  pipeline::TrackListInput input = pipeline::LoadTrackList(
      log / "label_02.txt", log.parent_path(),
      std::filesystem::is_directory(oxts) ? oxts : std::filesystem::path(), 10.0, issues);
  // Labels carry no time: take the frames' stamps from the ground truth's first frame and mean
  // period, so that events and expected windows share one clock.
  if (!truth.frames.empty()) {
    input.start = truth.frames.front().stamp;
    const double span = sensors::ToSeconds(truth.frames.back().stamp - input.start);
    if (truth.frames.size() > 1 && span > 0) {
      input.frame_rate_hz = static_cast<double>(truth.frames.size() - 1) / span;
    }
  }
  const auto frames = pipeline::FrameResultsFromLabels(input);
  for (const auto& frame : frames) tally.Add(frame);
  return pipeline::DetectOffline(frames, run).windows;
}

std::vector<pipeline::ReviewWindow> MineWindows(const std::string& path,
                                                const pipeline::proto::RunOptions& run,
                                                evaluation::TrackActorTally& tally,
                                                sensors::IssueLog& issues) {
  std::vector<pipeline::ReviewWindow> detected;
  const auto reader = sensors::OpenLog(path, issues);
  pipeline::MineCallbacks callbacks;
  callbacks.on_window = [&](const pipeline::ReviewWindow& window,
                            std::span<const pipeline::FrameResult>) { detected.push_back(window); };
  callbacks.on_frame = [&](const pipeline::FrameResult& frame) { tally.Add(frame); };
  pipeline::MineLog(*reader, run, callbacks);
  return detected;
}

nlohmann::json ToJson(const std::string& path, const synth::GroundTruth& truth,
                      const pipeline::LogScore& score, const evaluation::LogVerdicts& verdicts,
                      std::size_t skipped_inputs) {
  nlohmann::json missed = nlohmann::json::array(), events = nlohmann::json::array();
  for (const auto& m : verdicts.missed) {
    missed.push_back({{"type", m.type}, {"first_frame", m.first_frame}});
  }
  for (const auto& e : verdicts.events) {
    events.push_back({{"detector", e.detector},
                      {"type", e.type},
                      {"first_frame", e.first_frame},
                      {"last_frame", e.last_frame},
                      {"actor", e.actor},
                      {"verdict", e.verdict},
                      {"reason", e.reason}});
  }
  return {{"path", path},
          {"scenario", truth.scenario},
          {"seed", truth.seed},
          {"hard_negative", truth.hard_negative},
          {"expected", score.expectations.size()},
          {"detected", score.detections.size()},
          {"missed", missed},
          {"false_alarms", verdicts.false_alarms},
          {"events", events},
          {"skipped_inputs", skipped_inputs}};
}

void PrintLog(const std::string& path, const synth::GroundTruth& truth,
              const pipeline::LogScore& score, const evaluation::LogVerdicts& verdicts) {
  std::printf("%s (%s, seed %llu%s): %zu expected, %zu missed, %zu events, %zu false alarms\n",
              path.c_str(), truth.scenario.c_str(), static_cast<unsigned long long>(truth.seed),
              truth.hard_negative ? ", hard negative" : "", score.expectations.size(),
              verdicts.missed.size(), score.detections.size(), verdicts.false_alarms);
  for (const auto& m : verdicts.missed) {
    std::printf("    MISSED %s from frame %lld\n", m.type.c_str(),
                static_cast<long long>(m.first_frame));
  }
  for (const auto& e : verdicts.events) {
    if (e.verdict != "false_alarm") continue;
    std::printf("    false alarm %s (%s): %s\n", e.type.c_str(),
                e.actor < 0 ? "no actor" : ("actor " + std::to_string(e.actor)).c_str(),
                e.reason.c_str());
  }
}

nlohmann::json ToJson(const pipeline::EvaluationSummary& summary,
                      const pipeline::proto::RunOptions& run, const EvalOptions& options,
                      const nlohmann::json& per_log) {
  nlohmann::json by_type = nlohmann::json::object(), by_detector = nlohmann::json::object();
  for (const auto& [type, tally] : summary.by_expected_type) by_type[type] = ToJson(tally);
  for (const auto& [name, tally] : summary.by_detector) by_detector[name] = ToJson(tally);
  return {{"options_hash", pipeline::OptionsHash(run)},
          {"slack_s", options.slack_s},
          {"logs", per_log},
          {"by_expected_type", by_type},
          {"by_detector", by_detector},
          {"overall", ToJson(summary.overall)},
          {"hard_negative_logs", summary.hard_negative_logs},
          {"hard_negative_events", summary.hard_negative_events},
          {"hard_negative_events_by_type", summary.hard_negative_events_by_type}};
}

void PrintSummary(const pipeline::EvaluationSummary& summary) {
  // Lead times count to the critical moment: from the first matching event, and from the start
  // of its review window (what the reviewer sees of the build-up).
  std::printf("\n%-24s %9s %7s %8s %12s %12s\n", "expected type", "expected", "found", "recall",
              "event lead s", "window lead s");
  for (const auto& [type, t] : summary.by_expected_type) {
    std::printf("%-24s %9d %7d %8.3f %12.2f %12.2f\n", type.c_str(), t.expected, t.found,
                t.Recall(), t.MedianLeadTime(), t.MedianWindowLeadTime());
  }
  std::printf("\n%-24s %9s %7s %10s %10s %10s\n", "detector", "events", "true", "same actor",
              "precision", "same type");
  for (const auto& [name, t] : summary.by_detector) {
    std::printf("%-24s %9d %7d %10d %10.3f %10.3f\n", name.c_str(), t.detected, t.true_positive,
                t.same_actor, t.Precision(), t.TypePrecision());
  }
  const pipeline::Tally& all = summary.overall;
  std::printf(
      "\noverall: recall %.3f (%d/%d), precision %.3f (%d/%d), of the expected type %.3f, "
      "median lead %.2f s (window %.2f s)\n",
      all.Recall(), all.found, all.expected, all.Precision(), all.true_positive + all.same_actor,
      all.detected, all.TypePrecision(), all.MedianLeadTime(), all.MedianWindowLeadTime());
  std::printf("hard negatives: %d logs, %d events (false alarms)", summary.hard_negative_logs,
              summary.hard_negative_events);
  const char* separator = ": ";
  for (const auto& [type, count] : summary.hard_negative_events_by_type) {
    std::printf("%s%s %d", separator, type.c_str(), count);
    separator = ", ";
  }
  std::printf("\n");
}

int RunEval(const EvalOptions& options) {
  pipeline::proto::RunOptions run;
  if (!options.config.empty()) run = pipeline::LoadRunOptions(options.config);
  if (options.labels) *run.mutable_detectors() = pipeline::ForTrackLists(run.detectors());
  run = pipeline::EffectiveOptions(run);

  std::vector<pipeline::LogScore> scores;
  nlohmann::json per_log = nlohmann::json::array();
  int exit_code = kExitOk;
  for (const std::string& path : options.logs) {
    const synth::GroundTruth truth = Rethrow<UsageError>(
        [&] { return synth::ReadGroundTruth(synth::GroundTruthPathForLog(path)); },
        path + ": no usable ground truth: ");
    const evaluation::TruthFrames frames = TruthFramesOf(truth);
    evaluation::TrackActorTally tally(frames.actor_boxes);
    sensors::IssueLog issues;
    std::vector<pipeline::ReviewWindow> detected;
    try {
      detected = options.labels ? DetectOnLabels(path, truth, run, tally, issues)
                                : MineWindows(path, run, tally, issues);
    } catch (const std::exception& e) {
      // A log that cannot be read is reported and the others are still scored.
      std::cerr << "longtail eval: " << path << ": " << e.what() << "\n";
      exit_code = kExitCorruptInput;
      continue;
    }
    // A window's context cannot reach before the log's first frame.
    for (auto& window : detected) {
      if (!truth.frames.empty()) window.start = std::max(window.start, truth.frames.front().stamp);
    }
    const auto actor_of_track = tally.ActorOfTrack();
    scores.push_back(pipeline::ScoreLog(ExpectedWindowsOf(truth, frames), detected, actor_of_track,
                                        truth.hard_negative,
                                        sensors::FromSeconds(options.slack_s)));
    const evaluation::LogVerdicts verdicts = evaluation::VerdictsOf(scores.back(), actor_of_track);
    per_log.push_back(ToJson(path, truth, scores.back(), verdicts, issues.count()));
    if (!options.json) PrintLog(path, truth, scores.back(), verdicts);
  }

  const pipeline::EvaluationSummary summary = pipeline::Summarize(scores);
  if (options.json) {
    std::cout << ToJson(summary, run, options, per_log).dump(2) << "\n";
  } else {
    PrintSummary(summary);
  }
  return exit_code;
}

}  // namespace
void AddEvalCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* command = app.add_subcommand(
      "eval",
      "Mine logs that carry the synthesiser's ground truth (ground_truth.json) and print event\n"
      "recall and median lead time per expected type, precision per detector, and the events "
      "raised\n"
      "on hard negatives. Exit codes: 0 ok, 2 usage (no ground truth), 3 a log could not be read.");
  command->add_option("logs", options->logs, "logs written by `longtail synth`")->required();
  command
      ->add_option("--config", options->config,
                   "run options in protobuf text format (pipeline/proto/run.proto)")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--slack", options->slack_s,
                   "an event within this of an expected window still matches it, s")
      ->default_val(0.5);
  command->add_flag("--labels", options->labels,
                    "run the detectors on each KITTI log's ground-truth label_02.txt (and oxts) "
                    "instead of perception, as `longtail detect` does");
  command->add_flag("--json", options->json, "print the scores as JSON (for CI)");
  command->callback([options, exit_code] { *exit_code = RunEval(*options); });
}

}  // namespace longtail::tools
