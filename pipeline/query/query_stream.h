// Evaluating a compiled query over a stream of frames. QueryStream keeps only the frames the
// query's look-back and look-ahead need (bounded memory), judges each frame once every frame it
// depends on has arrived, and memoises every node's truth per frame and subject so that temporal
// operators and relations do not re-evaluate their operands.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/proto/detectors.pb.h"
#include "pipeline/query/query.h"
#include "pipeline/types.h"

namespace longtail::query {

// The subject id of the ego in matches (tracks have their own ids, never negative).
inline constexpr int kEgoId = -1;

// The thresholds behind the predicates' words, with units. Defaults suit 10 Hz tracks.
struct QueryOptions {
  pipeline::proto::EgoBodyOptions ego_body;  // the ego's footprint (`ego` as a reference box)
  pipeline::proto::EgoPathOptions ego_path;  // the path the ego drives (future poses when known)
  double stationary_speed_mps = 0.5;         // `stationary` below, `moving` at or above
  double acceleration_threshold_mps2 = 1.0;  // `accelerating` above, `decelerating` below minus
  double turning_yaw_rate_radps = 0.1;       // `turning` at or above (about 6 deg/s)
  double turning_min_speed_mps = 1.0;        // slower tracks do not turn (their heading is noise)
  double path_half_width_m = 1.3;            // `in ego path`: the strip the ego sweeps
  double lane_half_width_m = 1.75;           // `in ego lane`: a 3.5 m lane about the path
  double crossing_speed_mps = 0.5;           // `crossing ego path`: speed across the path
  double crossing_horizon_s = 3.0;           // ... reaching the strip within this time
  double toward_path_speed_mps = 0.3;        // `moving toward ego path`: speed toward it
  double aside_margin_m = 2.0;  // front/behind/left/right: how far off the reference's axis
  double heading_tolerance_rad = 0.5236;  // `same as`, `toward`: within 30 deg
};

// A subject that satisfies the query at a frame, and the numbers that made it match.
struct Match {
  int subject = kEgoId;                  // track id, or kEgoId
  std::vector<int> related;              // other tracks that satisfied a relation, sorted
  std::map<std::string, double> values;  // by name with a unit suffix, e.g. "speed_mps"
};

struct FrameMatches {
  std::int64_t frame_index = 0;  // FrameResult::index
  pipeline::Timestamp stamp;
  std::vector<Match> matches;  // by subject id
};

class QueryStream {
 public:
  explicit QueryStream(Query query, QueryOptions options = {});
  ~QueryStream();
  QueryStream(QueryStream&&) noexcept;
  QueryStream& operator=(QueryStream&&) noexcept;
  // Frames in time order. Returns the frames judged now (in order): those whose look-ahead has
  // arrived.
  std::vector<FrameMatches> Add(const pipeline::FrameResult& frame);
  // Judges the frames still waiting for look-ahead (end of the log).
  std::vector<FrameMatches> Flush();
  // Frames held right now (for tests of bounded memory).
  std::size_t buffered_frames() const;
  const Query& query() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole log at once (tests, the AV2 scorer): one FrameMatches per frame.
std::vector<FrameMatches> RunQuery(const Query& query,
                                   const std::vector<pipeline::FrameResult>& frames,
                                   const QueryOptions& options = {});

// Joins a subject's matches on consecutive judged frames into one episode, an Event like a
// detector's: detector "query", type `name`, track ids the subject then related tracks, the
// numbers of its first frame. Queries carry no physical severity: every episode has severity 1.
class EpisodeJoiner {
 public:
  explicit EpisodeJoiner(std::string name) : name_(std::move(name)) {}
  std::vector<pipeline::Event> Add(const FrameMatches& frame);  // the episodes that closed
  std::vector<pipeline::Event> Flush();

 private:
  std::string name_;
  std::map<int, pipeline::Event> open_;  // by subject id
};

}  // namespace longtail::query
