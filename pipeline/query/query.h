// Scenario queries: a small text language over the tracks and ego state of a log, e.g.
//   pedestrian and crossing ego path and ego turning left
//   vehicle and has bicycle to its right within 4 m for at least 1 s
//   ego: acceleration < -4 m/s2
// ParseQuery compiles the text once into a tree of nodes; QueryStream (query_stream.h) evaluates
// it frame by frame. The grammar and every predicate are documented in pipeline/query/README.md.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace longtail::query {

// A parse error: where (1-based line and column of the offending token) and what was expected.
class QueryError : public std::runtime_error {
 public:
  QueryError(int line, int column, const std::string& message);
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  int line_, column_;
  std::string message_;
};

enum class NodeKind {
  kTrue,      // `anything`: every subject
  kCategory,  // `vehicle`, `pedestrian`, ... (categories is a bit set of ObjectClass)
  kCompare,   // `speed < 0.5 m/s`: quantity, comparison, value (SI units)
  kFlag,      // `stationary`, `turning left`, `in ego path within 30 m`, ...
  kRelation,  // `in front of ego within 20 m`, `has bicycle to its right within 4 m`, `near a car`
  kHeading,   // `heading toward ego`, `heading same as a car`
  kAnd,
  kOr,
  kNot,
  kForAtLeast,  // child held over a continuous span of at least `seconds` that holds this frame
  kWithinOf,    // children[0] holds now and children[1] held within `seconds` before or after
  kEgo,         // `ego PREDICATE`: the child judged on the ego instead of the subject
};

enum class Quantity {
  kSpeed,
  kAcceleration,
  kYawRate,
  kDistanceToEgo,
  kTimeToCollision,
  kLength,  // of the box, along its heading
  kWidth,
  kHeight,
};
enum class Comparison { kLess, kLessEqual, kGreater, kGreaterEqual };
enum class Flag {
  kStationary,
  kMoving,
  kAccelerating,
  kDecelerating,
  kTurningLeft,
  kTurningRight,
  kTurning,
  kInEgoPath,
  kInEgoLane,
  kCrossingEgoPath,
  kTowardEgoPath,
};
enum class Direction { kFront, kBehind, kLeft, kRight, kNear };
enum class HeadingRelation { kToward, kAwayFrom, kSameAs, kOpposite, kAcross };

struct Node {
  NodeKind kind = NodeKind::kTrue;
  std::vector<int> children;     // indices into Query::nodes
  int line = 1, column = 1;      // where its text starts
  std::uint32_t categories = 0;  // kCategory: bit (1 << ObjectClass) per class
  Quantity quantity = Quantity::kSpeed;
  Comparison comparison = Comparison::kLess;
  double value = 0;  // kCompare, SI units (m, s, m/s, m/s^2, rad/s)
  Flag flag = Flag::kStationary;
  Direction direction = Direction::kNear;
  HeadingRelation heading = HeadingRelation::kSameAs;
  // kRelation/kHeading: the other party is the ego (no child) or an actor that satisfies
  // children[0]. kRelation with `inverse` (`has X to its right`): the other actor lies in that
  // direction of the subject, rather than the subject in that direction of the other.
  bool inverse = false;
  double distance_m = 0;  // kRelation, kFlag path predicates: the `within D m` limit
  double seconds = 0;     // kForAtLeast, kWithinOf
};

enum class Scope { kActors, kEgo };

// Predicates that estimate a rate (acceleration, turning) compare a track with itself this long
// ago; path predicates follow the ego's actual future positions this far ahead, s.
inline constexpr double kDerivativeLookbackS = 1.0;
inline constexpr double kPathLookaheadS = 3.0;

struct Query {
  std::string text;              // as given
  Scope scope = Scope::kActors;  // `ego:` prefix: the query judges the ego itself
  std::vector<Node> nodes;
  int root = 0;
  // How far around a judged frame the query looks: temporal operators and the predicates' own
  // needs (acceleration and turning look back, path predicates follow the ego's future poses), s.
  double lookback_s = 0, lookahead_s = 0;
};

// Parses and compiles `text`. Throws QueryError.
Query ParseQuery(std::string_view text);
// The query as text again, fully parenthesised (used by tests and for naming).
std::string ToText(const Query& query);

}  // namespace longtail::query
