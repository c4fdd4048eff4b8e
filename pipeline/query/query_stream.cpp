#include "pipeline/query/query_stream.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/ego_path.h"
#include "pipeline/query/predicates.h"
#include "sensors/time.h"

namespace longtail::query {

using pipeline::FrameResult;
using pipeline::Track;

namespace {

// Half a 10 Hz frame: stamps this close count as "arrived" when judging look-ahead.
constexpr double kStampSlackS = 0.05;

// Nodes whose truth does not depend on the subject (they only look at the ego).
std::vector<bool> SubjectFree(const Query& query) {
  std::vector<bool> free(query.nodes.size(), false);
  // Children have lower indices than their parents: one pass in order settles every node.
  for (std::size_t i = 0; i < query.nodes.size(); ++i) {
    const Node& node = query.nodes[i];
    if (node.kind == NodeKind::kEgo) {
      free[i] = true;
    } else if (node.kind == NodeKind::kAnd || node.kind == NodeKind::kOr ||
               node.kind == NodeKind::kNot || node.kind == NodeKind::kForAtLeast ||
               node.kind == NodeKind::kWithinOf) {
      free[i] =
          std::all_of(node.children.begin(), node.children.end(), [&](int c) { return free[c]; });
    }
  }
  return free;
}

}  // namespace

struct QueryStream::Impl {
  Query query;
  QueryOptions options;
  std::vector<bool> subject_free;
  std::vector<FrameResult> frames;  // buffered, in time order
  std::vector<FrameState> states;   // one per buffered frame
  std::size_t next_to_judge = 0;    // position in `frames`

  Impl(Query q, QueryOptions o)
      : query(std::move(q)), options(std::move(o)), subject_free(SubjectFree(query)) {}

  PredicateContext Context(std::size_t pos) {
    return PredicateContext{frames, states, pos, options};
  }

  bool Eval(int node_index, std::size_t pos, int subject);
  bool EvalUncached(const Node& node, std::size_t pos, int subject);
  bool HeldFor(const Node& node, std::size_t pos, int subject);
  bool WithinOf(const Node& node, std::size_t pos, int subject);
  bool RelationHolds(const Node& node, std::size_t pos, int subject, int* partner);
  void Explain(int node_index, std::size_t pos, int subject, const std::string& prefix,
               Match& match);
  FrameMatches Judge(std::size_t pos);
  void Trim();
};

bool QueryStream::Impl::Eval(int node_index, std::size_t pos, int subject) {
  FrameState& state = states[pos];
  auto& memo = state.memo[node_index];
  if (memo.empty()) memo.assign(state.subjects.size(), -1);
  if (memo[subject] < 0) {
    memo[subject] = EvalUncached(query.nodes[node_index], pos, subject) ? 1 : 0;
  }
  return memo[subject] == 1;
}

bool QueryStream::Impl::EvalUncached(const Node& node, std::size_t pos, int subject) {
  switch (node.kind) {
    case NodeKind::kTrue:
      return true;
    case NodeKind::kAnd:
      return Eval(node.children[0], pos, subject) && Eval(node.children[1], pos, subject);
    case NodeKind::kOr:
      return Eval(node.children[0], pos, subject) || Eval(node.children[1], pos, subject);
    case NodeKind::kNot:
      return !Eval(node.children[0], pos, subject);
    case NodeKind::kEgo:
      return Eval(node.children[0], pos, 0);
    case NodeKind::kForAtLeast:
      return HeldFor(node, pos, subject);
    case NodeKind::kWithinOf:
      return WithinOf(node, pos, subject);
    case NodeKind::kRelation:
    case NodeKind::kHeading:
      return RelationHolds(node, pos, subject, nullptr);
    default:
      return AtomHolds(node, Context(pos), subject);
  }
}

// The child held on every frame of a continuous span through `pos` lasting at least
// node.seconds (from the span's first frame to its last); the subject must be seen throughout.
bool QueryStream::Impl::HeldFor(const Node& node, std::size_t pos, int subject) {
  const int child = node.children[0];
  const int id = states[pos].SubjectId(subject);
  auto holds = [&](std::size_t k) {
    const int s = subject_free[child] ? 0 : states[k].SubjectIndex(id);
    return s >= 0 && Eval(child, k, s);
  };
  if (!holds(pos)) return false;
  const pipeline::Timestamp now = frames[pos].stamp;
  std::size_t first = pos, last = pos;
  while (first > 0 && sensors::ToSeconds(now - frames[first].stamp) < node.seconds &&
         holds(first - 1)) {
    --first;
  }
  const double back_s = sensors::ToSeconds(now - frames[first].stamp);
  while (last + 1 < frames.size() &&
         back_s + sensors::ToSeconds(frames[last].stamp - now) < node.seconds && holds(last + 1)) {
    ++last;
  }
  return sensors::ToSeconds(frames[last].stamp - frames[first].stamp) >= node.seconds - 1e-6;
}

// children[0] holds now and children[1] held, for the same subject, on some frame within
// node.seconds before or after.
bool QueryStream::Impl::WithinOf(const Node& node, std::size_t pos, int subject) {
  if (!Eval(node.children[0], pos, subject)) return false;
  const int other = node.children[1];
  const int id = states[pos].SubjectId(subject);
  const pipeline::Timestamp now = frames[pos].stamp;
  for (std::size_t k = 0; k < frames.size(); ++k) {
    if (std::abs(sensors::ToSeconds(frames[k].stamp - now)) > node.seconds + 1e-6) continue;
    const int s = subject_free[other] ? 0 : states[k].SubjectIndex(id);
    if (s >= 0 && Eval(other, k, s)) return true;
  }
  return false;
}

// A relation or heading against the ego (no child) or against any other track that satisfies
// children[0]; `partner` receives the nearest such track's id.
bool QueryStream::Impl::RelationHolds(const Node& node, std::size_t pos, int subject,
                                      int* partner) {
  const PredicateContext context = Context(pos);
  if (node.children.empty()) {
    return subject != 0 && PairHolds(node, context, subject, 0);
  }
  FrameState& state = states[pos];
  auto& candidates = state.candidates[&node - query.nodes.data()];
  if (!candidates) {
    candidates.emplace();
    for (int other = 1; other < static_cast<int>(state.subjects.size()); ++other) {
      if (Eval(node.children[0], pos, other)) candidates->push_back(other);
    }
  }
  double nearest = std::numeric_limits<double>::infinity();
  for (const int other : *candidates) {
    if (other == subject || !WithinReach(node, context, subject, other)) continue;
    if (!PairHolds(node, context, subject, other)) continue;
    if (partner == nullptr) return true;
    const double d = (state.subjects[other].box.center - state.subjects[subject].box.center).norm();
    if (d < nearest) {
      nearest = d;
      *partner = state.subjects[other].id;
    }
  }
  return std::isfinite(nearest);
}

// The numbers behind a match: every quantity the query compares, path offsets, and the partner
// of each relation, at the judged frame.
void QueryStream::Impl::Explain(int node_index, std::size_t pos, int subject,
                                const std::string& prefix, Match& match) {
  const Node& node = query.nodes[node_index];
  switch (node.kind) {
    case NodeKind::kEgo:
      Explain(node.children[0], pos, 0, "ego_", match);
      return;
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
    case NodeKind::kForAtLeast:
    case NodeKind::kWithinOf:
      for (const int child : node.children) Explain(child, pos, subject, prefix, match);
      return;
    case NodeKind::kRelation:
    case NodeKind::kHeading: {
      int partner = kEgoId;
      if (!node.children.empty() && RelationHolds(node, pos, subject, &partner)) {
        match.related.push_back(partner);
      }
      return;
    }
    default:
      for (const auto& [name, value] : AtomValues(node, Context(pos), subject)) {
        match.values[prefix + name] = value;
      }
  }
}

FrameMatches QueryStream::Impl::Judge(std::size_t pos) {
  FrameMatches out;
  out.frame_index = frames[pos].index;
  out.stamp = frames[pos].stamp;
  const FrameState& state = states[pos];
  const int begin = query.scope == Scope::kEgo ? 0 : 1;
  const int end = query.scope == Scope::kEgo ? 1 : static_cast<int>(state.subjects.size());
  for (int subject = begin; subject < end; ++subject) {
    if (!Eval(query.root, pos, subject)) continue;
    Match match;
    match.subject = state.SubjectId(subject);
    Explain(query.root, pos, subject, "", match);
    std::sort(match.related.begin(), match.related.end());
    match.related.erase(std::unique(match.related.begin(), match.related.end()),
                        match.related.end());
    out.matches.push_back(std::move(match));
  }
  std::sort(out.matches.begin(), out.matches.end(),
            [](const Match& a, const Match& b) { return a.subject < b.subject; });
  return out;
}

// Drops the frames no later judgement can look back to.
void QueryStream::Impl::Trim() {
  if (next_to_judge >= frames.size()) return;
  const pipeline::Timestamp oldest_needed =
      frames[next_to_judge].stamp -
      std::chrono::duration_cast<pipeline::Duration>(
          std::chrono::duration<double>(query.lookback_s + kStampSlackS));
  std::size_t drop = 0;
  while (drop < next_to_judge && frames[drop].stamp < oldest_needed) ++drop;
  // Erase in batches: moving the buffer once per many frames keeps the cost per frame flat.
  if (drop == 0 || (drop < 64 && drop * 2 < frames.size())) return;
  frames.erase(frames.begin(), frames.begin() + static_cast<std::ptrdiff_t>(drop));
  states.erase(states.begin(), states.begin() + static_cast<std::ptrdiff_t>(drop));
  next_to_judge -= drop;
}

QueryStream::QueryStream(Query query, QueryOptions options)
    : impl_(std::make_unique<Impl>(std::move(query), std::move(options))) {}
QueryStream::~QueryStream() = default;
QueryStream::QueryStream(QueryStream&&) noexcept = default;
QueryStream& QueryStream::operator=(QueryStream&&) noexcept = default;

std::vector<FrameMatches> QueryStream::Add(const FrameResult& frame) {
  Impl& impl = *impl_;
  impl.frames.push_back(frame);
  impl.states.push_back(MakeFrameState(frame, impl.query.nodes.size(), impl.options));
  std::vector<FrameMatches> judged;
  const pipeline::Timestamp latest = frame.stamp;
  while (impl.next_to_judge < impl.frames.size() &&
         sensors::ToSeconds(latest - impl.frames[impl.next_to_judge].stamp) + kStampSlackS >=
             impl.query.lookahead_s) {
    judged.push_back(impl.Judge(impl.next_to_judge++));
  }
  impl.Trim();
  return judged;
}

std::vector<FrameMatches> QueryStream::Flush() {
  Impl& impl = *impl_;
  std::vector<FrameMatches> judged;
  while (impl.next_to_judge < impl.frames.size()) {
    judged.push_back(impl.Judge(impl.next_to_judge++));
  }
  impl.frames.clear();
  impl.states.clear();
  impl.next_to_judge = 0;
  return judged;
}

std::size_t QueryStream::buffered_frames() const { return impl_->frames.size(); }
const Query& QueryStream::query() const { return impl_->query; }

std::vector<FrameMatches> RunQuery(const Query& query, const std::vector<FrameResult>& frames,
                                   const QueryOptions& options) {
  QueryStream stream(query, options);
  std::vector<FrameMatches> out;
  for (const auto& frame : frames) {
    for (auto& judged : stream.Add(frame)) out.push_back(std::move(judged));
  }
  for (auto& judged : stream.Flush()) out.push_back(std::move(judged));
  return out;
}

std::vector<pipeline::Event> EpisodeJoiner::Add(const FrameMatches& frame) {
  std::vector<pipeline::Event> closed;
  std::map<int, const Match*> now;
  for (const auto& match : frame.matches) now[match.subject] = &match;
  for (auto it = open_.begin(); it != open_.end();) {
    if (now.contains(it->first)) {
      ++it;
      continue;
    }
    closed.push_back(std::move(it->second));
    it = open_.erase(it);
  }
  for (const auto& [subject, match] : now) {
    auto [it, fresh] = open_.try_emplace(subject);
    pipeline::Event& event = it->second;
    if (fresh) {
      event.detector = "query";
      event.type = name_;
      event.severity = 1.0;
      event.first_frame = event.peak_frame = frame.frame_index;
      event.start = event.peak = frame.stamp;
      if (subject != kEgoId) event.track_ids.push_back(subject);
      event.values = match->values;
      event.reason = name_ + ": " + (subject == kEgoId ? "ego" : "#" + std::to_string(subject));
      for (const auto& [key, value] : match->values) {
        event.reason += " " + key + "=" + pipeline::Fixed(value, 2);
      }
    }
    for (const int r : match->related) {
      if (std::find(event.track_ids.begin(), event.track_ids.end(), r) == event.track_ids.end()) {
        event.track_ids.push_back(r);
      }
    }
    event.last_frame = frame.frame_index;
    event.end = frame.stamp;
  }
  std::sort(closed.begin(), closed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first_frame, a.track_ids) < std::tie(b.first_frame, b.track_ids);
  });
  return closed;
}

std::vector<pipeline::Event> EpisodeJoiner::Flush() {
  std::vector<pipeline::Event> closed;
  for (auto& [subject, event] : open_) closed.push_back(std::move(event));
  open_.clear();
  std::sort(closed.begin(), closed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first_frame, a.track_ids) < std::tie(b.first_frame, b.track_ids);
  });
  return closed;
}

}  // namespace longtail::query
