// The rare-event detectors scored on real drives: how much of the drive a reviewer is handed, and
// whether the moments that matter are in it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/detectors/track_import.h"
#include "pipeline/proto/run.pb.h"
#include "pipeline/types.h"
#include "sensors/issues.h"

namespace longtail::evaluation {

// One line of moments.tsv: a moment in a drive that a reviewer should see (positive) or that is
// borderline (dontcare: it counts neither way).
struct Moment {
  std::string sequence;    // "0013"
  std::string kind;        // vru_crossing, cut_in, vru_close_pass, vru_in_path
  std::string actor_type;  // KITTI type of the actor
  int actor_id = -1;       // track id in label_02
  std::int64_t first_frame = 0, critical_frame = 0;
  bool positive = false;
  std::string note;
};

// The tab-separated moments file (a header line, then seq kind actor_type actor_id first_frame
// critical_frame label note). Bad lines go to `issues`; throws std::runtime_error when the file
// cannot be opened.
std::vector<Moment> ReadMoments(const std::filesystem::path& file, sensors::IssueLog& issues);

// Whether a moment was found, and how early.
struct MomentResult {
  Moment moment;
  bool found = false;
  // s from the first firing of the earliest episode naming the actor around the moment to the
  // critical frame (positive: before it).
  double lead_s = 0;
  std::string found_by;  // that episode's type; empty when none names the actor
};

struct SequenceScore {
  std::string sequence;
  std::int64_t frames = 0;
  double duration_s = 0;  // first to last frame plus one frame period
  double flagged_s = 0;   // union of the review windows within the drive
  std::int64_t windows = 0;
  std::int64_t windows_without_moment = 0;  // holding neither a positive nor a dontcare moment
  std::map<std::string, std::int64_t> episodes_by_type;
  std::int64_t episodes = 0;
  std::vector<MomentResult> moments;  // positive and dontcare, in file order
};

// Moments of these kinds count as found only with at least `min_lead_s` of lead: a reviewer must
// see the build-up of a crossing or a cut-in, not only its end.
inline constexpr double kMinLeadS = 1.0;
bool NeedsLead(const std::string& kind);

// Scores one sequence: `frames` give the stamps, `detection` the episodes and windows.
SequenceScore ScoreSequence(const std::string& sequence,
                            const std::vector<pipeline::FrameResult>& frames,
                            const pipeline::OfflineDetection& detection,
                            const std::vector<Moment>& moments);

// Every sequence of a drives folder (label_02/NNNN.txt with calib/, poses/ and timestamps/ files
// of the same name, and moments.tsv beside them), or only those named in `only`. Bad lines go to
// `issues`; throws std::runtime_error when a folder or a sequence's calibration cannot be used.
std::vector<SequenceScore> ScoreDriveFolder(const std::filesystem::path& folder,
                                            const std::vector<std::string>& only,
                                            const pipeline::proto::RunOptions& options,
                                            sensors::IssueLog& issues);

// Totals over sequences.
struct DriveSetSummary {
  std::int64_t sequences = 0, frames = 0, windows = 0, windows_without_moment = 0;
  double duration_s = 0, flagged_s = 0;
  std::int64_t episodes = 0;
  std::map<std::string, std::int64_t> episodes_by_type;
  std::int64_t positives = 0, positives_found = 0;
  // The largest flagged share of a sequence with no positive moment, [0,1].
  double worst_share_without_positive = 0;
  std::string worst_sequence_without_positive;
};
DriveSetSummary Summarize(const std::vector<SequenceScore>& sequences);

}  // namespace longtail::evaluation
