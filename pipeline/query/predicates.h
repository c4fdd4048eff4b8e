// The atomic predicates and the pairwise relations of the query language, on one frame of the
// stream. Internal to pipeline/query: query_stream.cpp composes them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/detectors/ego_path.h"
#include "pipeline/query/query.h"
#include "pipeline/query/query_stream.h"
#include "pipeline/types.h"

namespace longtail::query {

// What the evaluator keeps per buffered frame.
struct FrameState {
  // Subject 0 is the ego as a pseudo-track (id kEgoId, its footprint, its velocity); then the
  // frame's tracks in their order.
  std::vector<pipeline::Track> subjects;
  std::vector<std::pair<int, int>> index_by_id;  // (track id, subject index), sorted by id
  std::vector<std::vector<std::int8_t>> memo;    // per node, per subject: -1 unknown, 0, 1
  std::optional<pipeline::EgoPath> path;         // computed on first use
  // Per relation node: the subjects that satisfy what its other party must be (computed on first
  // use), so that a relation looks at those few rather than at every pair.
  std::vector<std::optional<std::vector<int>>> candidates;

  int SubjectId(int subject) const { return subjects[subject].id; }
  // The subject index of track `id` in this frame, -1 when absent (kEgoId gives 0).
  int SubjectIndex(int id) const;
};

FrameState MakeFrameState(const pipeline::FrameResult& frame, std::size_t num_nodes,
                          const QueryOptions& options);

// The buffered frames around the one being evaluated.
struct PredicateContext {
  const std::vector<pipeline::FrameResult>& frames;
  std::vector<FrameState>& states;
  std::size_t pos;
  const QueryOptions& options;
};

// kCategory, kCompare and kFlag nodes on subject `subject` of frame ctx.pos.
bool AtomHolds(const Node& node, const PredicateContext& ctx, int subject);
// The numbers an atom looked at, by name with a unit suffix.
std::map<std::string, double> AtomValues(const Node& node, const PredicateContext& ctx,
                                         int subject);
// Whether `other` can possibly be within the relation's distance of `subject` (a cheap bound on
// the centres' distance that the exact geometry never exceeds).
bool WithinReach(const Node& node, const PredicateContext& ctx, int subject, int other);
// The geometry of a kRelation or kHeading node between `subject` and `other` (subject indices;
// 0 = the ego), not what `other` must be.
bool PairHolds(const Node& node, const PredicateContext& ctx, int subject, int other);

}  // namespace longtail::query
