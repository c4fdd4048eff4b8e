// Argoverse 2 scenario mining with scenario queries: the fixture's files
// (../shared/data/av2-scenario-mining/, README there), a log's annotations as longtail frames,
// and a query's matches written in the challenge's form.
#pragma once

#include <Eigen/Geometry>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "evaluation/av2_metrics.h"
#include "pipeline/query/query_stream.h"
#include "pipeline/types.h"
#include "sensors/issues.h"

namespace longtail::evaluation::av2 {

// ground_truth.json / sample_predictions.json (or our own predictions): every sequence, with the
// objects' track_uuid when the file has it. Throws std::runtime_error naming the file and what is
// missing.
struct ScenarioFile {
  std::vector<ScenarioSequence> sequences;
  // (timestamp_ns, track_uuid) -> in_roi, from files that name their objects (the ground truth).
  std::map<std::pair<std::int64_t, std::string>, bool> in_roi_by_uuid;
};
ScenarioFile ReadScenarioFile(const std::filesystem::path& file);
void WriteScenarioFile(const std::filesystem::path& file,
                       const std::vector<ScenarioSequence>& sequences);

// AV2 category -> our class: vehicles by size, two-wheelers (ridden or not) as cyclists, static
// objects, animals and other devices as misc.
sensors::ObjectClass ClassOfAv2Category(const std::string& category);

// One log's annotations (annotations.csv, boxes in the ego frame at 10 Hz) and ego poses
// (city_SE3_egovehicle.csv) as the frames the query stream reads: velocities are least-squares
// slopes of city positions over up to 5 frames centred on each (the log is judged after the
// fact), the ego's speed, yaw rate and acceleration over 11. The EGO_VEHICLE pseudo-track is left
// out. Bad lines go to `issues` (file, byte offset); throws std::runtime_error when a file cannot
// be read.
struct Av2Log {
  std::string log_id;
  std::vector<pipeline::FrameResult> frames;
  std::vector<std::string> uuids;                // by our track id
  std::vector<Eigen::Isometry3d> city_from_ego;  // by frame
};
Av2Log LoadAv2Log(const std::filesystem::path& log_dir, sensors::IssueLog& issues);

// The matches of a query on `log` at the frames of `ground_truth` (same log), in the challenge's
// form: every annotated object, label 0 when it matched, score 1; in_roi taken from the ground
// truth's object of the same uuid (the same box), true when it has none.
ScenarioSequence ToScenarioSequence(const Av2Log& log, const std::string& prompt,
                                    const std::vector<query::FrameMatches>& matches,
                                    const ScenarioSequence& ground_truth,
                                    const ScenarioFile& ground_truth_file);

// One query per prompt, from a text file of blocks: a line `[prompt]`, then the query's lines
// (`#` comments allowed) up to the next block. Throws std::runtime_error naming the file and line.
struct PromptQuery {
  std::string prompt;
  std::string query;
  int line = 0;  // of the query's first line in the file
};
std::vector<PromptQuery> ReadPromptQueries(const std::filesystem::path& file);

// Runs each ground-truth sequence's prompt query on its log's tracks (`fixture`/<log_id>/) and
// scores the predictions. Throws std::runtime_error when a prompt has no query and
// query::QueryError (with the file's line added) when one does not parse.
struct PromptRun {
  std::vector<ScenarioSequence> predictions;
  Scores scores;
};
PromptRun RunPromptQueries(const std::filesystem::path& fixture,
                           const std::vector<PromptQuery>& queries, const MetricOptions& metrics,
                           const query::QueryOptions& options, sensors::IssueLog& issues);

}  // namespace longtail::evaluation::av2
