// A hand-written recursive-descent parser: the grammar is small and the errors say exactly which
// word was expected where, which a generated parser would make harder.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numbers>
#include <sstream>
#include <string>

#include "pipeline/query/query.h"
#include "sensors/box3d.h"

namespace longtail::query {

QueryError::QueryError(int line, int column, const std::string& message)
    : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) +
                         ": " + message),
      line_(line),
      column_(column),
      message_(message) {}

namespace {

using sensors::ObjectClass;

struct Token {
  enum Kind { kWord, kNumber, kSymbol, kEnd } kind = kEnd;
  std::string text;  // words lower-cased
  double number = 0;
  int line = 1, column = 1;
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '/' || c == '^';
}

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  int line = 1, column = 1;
  std::size_t i = 0;
  auto advance = [&](std::size_t n) {
    for (std::size_t k = 0; k < n; ++k, ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
  };
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      advance(1);
    } else if (c == '#') {  // a comment runs to the end of the line
      while (i < text.size() && text[i] != '\n') advance(1);
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               ((c == '-' || c == '.') && i + 1 < text.size() &&
                std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
      std::size_t end = i + 1;
      while (end < text.size() &&
             (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) {
        ++end;
      }
      Token token{Token::kNumber, std::string(text.substr(i, end - i)), 0, line, column};
      try {
        token.number = std::stod(token.text);
      } catch (const std::exception&) {
        throw QueryError(line, column, "'" + token.text + "' is not a number");
      }
      tokens.push_back(token);
      advance(end - i);
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t end = i + 1;
      while (end < text.size() && IsWordChar(text[end])) ++end;
      std::string word(text.substr(i, end - i));
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      tokens.push_back({Token::kWord, word, 0, line, column});
      advance(end - i);
    } else if (c == '(' || c == ')' || c == ':' || c == '<' || c == '>') {
      std::string symbol(1, c);
      if ((c == '<' || c == '>') && i + 1 < text.size() && text[i + 1] == '=') symbol += '=';
      tokens.push_back({Token::kSymbol, symbol, 0, line, column});
      advance(symbol.size());
    } else {
      throw QueryError(line, column, std::string("unexpected character '") + c + "'");
    }
  }
  tokens.push_back({Token::kEnd, "", 0, line, column});
  return tokens;
}

std::uint32_t Bit(ObjectClass c) { return 1u << static_cast<int>(c); }

// Category words, singular; a trailing 's' is accepted too ("pedestrians").
const std::map<std::string, std::uint32_t>& Categories() {
  static const std::map<std::string, std::uint32_t> categories = {
      {"car", Bit(ObjectClass::kCar)},
      {"van", Bit(ObjectClass::kVan)},
      {"truck", Bit(ObjectClass::kTruck)},
      {"tram", Bit(ObjectClass::kTram)},
      {"vehicle", Bit(ObjectClass::kCar) | Bit(ObjectClass::kVan) | Bit(ObjectClass::kTruck) |
                      Bit(ObjectClass::kTram)},
      {"pedestrian", Bit(ObjectClass::kPedestrian)},
      {"person", Bit(ObjectClass::kPedestrian)},
      {"cyclist", Bit(ObjectClass::kCyclist)},
      {"bicycle", Bit(ObjectClass::kCyclist)},
      {"vru", Bit(ObjectClass::kPedestrian) | Bit(ObjectClass::kCyclist)},
      {"misc", Bit(ObjectClass::kMisc)},
      {"unknown", Bit(ObjectClass::kUnknown)},
      {"object", 0xffu},
      {"actor", 0xffu},
  };
  return categories;
}

struct Unit {
  double scale;
  std::string dimension;
};
const std::map<std::string, Unit>& Units() {
  static const std::map<std::string, Unit> units = {
      {"m", {1, "distance"}},
      {"km", {1000, "distance"}},
      {"cm", {0.01, "distance"}},
      {"ft", {0.3048, "distance"}},
      {"s", {1, "time"}},
      {"sec", {1, "time"}},
      {"ms", {0.001, "time"}},
      {"m/s", {1, "speed"}},
      {"km/h", {1 / 3.6, "speed"}},
      {"kph", {1 / 3.6, "speed"}},
      {"mph", {0.44704, "speed"}},
      {"m/s2", {1, "acceleration"}},
      {"m/s^2", {1, "acceleration"}},
      {"g", {9.80665, "acceleration"}},
      {"rad/s", {1, "angular rate"}},
      {"deg/s", {std::numbers::pi / 180, "angular rate"}},
  };
  return units;
}

// Flags that are one word.
const std::map<std::string, Flag>& SimpleFlags() {
  static const std::map<std::string, Flag> flags = {
      {"stationary", Flag::kStationary},     {"stopped", Flag::kStationary},
      {"accelerating", Flag::kAccelerating}, {"decelerating", Flag::kDecelerating},
      {"braking", Flag::kDecelerating},
  };
  return flags;
}

std::string UnitsOf(const std::string& dimension) {
  std::string list;
  for (const auto& [name, unit] : Units()) {
    if (unit.dimension != dimension) continue;
    list += (list.empty() ? "" : ", ") + name;
  }
  return list;
}

// Bounds on a query's size: the tree is walked recursively, and no sensible query comes near.
constexpr std::size_t kMaxNodes = 2000;
constexpr int kMaxDepth = 100;

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(Tokenize(text)) { query_.text = text; }

  Query Parse() {
    if (Peek().text == "ego" && Peek(1).text == ":") {
      query_.scope = Scope::kEgo;
      pos_ += 2;
    } else if ((Peek().text == "actors" || Peek().text == "actor") && Peek(1).text == ":") {
      pos_ += 2;
    }
    query_.root = ParseOr();
    if (Peek().kind != Token::kEnd) Fail(Peek(), "'and', 'or', 'for', 'within' or the end");
    return std::move(query_);
  }

 private:
  const Token& Peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() { return tokens_[std::min(pos_++, tokens_.size() - 1)]; }
  bool Accept(const std::string& word) {
    if (Peek().kind == Token::kEnd || Peek().text != word) return false;
    ++pos_;
    return true;
  }
  [[noreturn]] void Fail(const Token& at, const std::string& expected) const {
    const std::string found = at.kind == Token::kEnd ? "the end of the query" : "'" + at.text + "'";
    throw QueryError(at.line, at.column, "expected " + expected + ", found " + found);
  }
  void Expect(const std::string& word) {
    if (!Accept(word)) Fail(Peek(), "'" + word + "'");
  }

  int Add(Node node, const Token& at) {
    if (query_.nodes.size() >= kMaxNodes) {
      Fail(at, "a shorter query (at most " + std::to_string(kMaxNodes) + " terms)");
    }
    node.line = at.line;
    node.column = at.column;
    query_.nodes.push_back(std::move(node));
    return static_cast<int>(query_.nodes.size()) - 1;
  }
  int Binary(NodeKind kind, int left, int right) {
    if (query_.nodes.size() >= kMaxNodes) {
      Fail(Peek(), "a shorter query (at most " + std::to_string(kMaxNodes) + " terms)");
    }
    Node node;
    node.kind = kind;
    node.children = {left, right};
    node.line = query_.nodes[left].line;
    node.column = query_.nodes[left].column;
    query_.nodes.push_back(node);
    return static_cast<int>(query_.nodes.size()) - 1;
  }

  int ParseOr() {
    int left = ParseAnd();
    while (Accept("or")) left = Binary(NodeKind::kOr, left, ParseAnd());
    return left;
  }
  int ParseAnd() {
    int left = ParseUnary();
    while (Accept("and")) left = Binary(NodeKind::kAnd, left, ParseUnary());
    return left;
  }
  // Counts nesting while a recursive rule runs.
  struct Nesting {
    explicit Nesting(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth) {
        parser.Fail(parser.Peek(),
                    "a less nested query (at most " + std::to_string(kMaxDepth) + " levels)");
      }
    }
    ~Nesting() { --parser.depth_; }
    Parser& parser;
  };

  int ParseUnary() {
    const Nesting nesting(*this);
    const Token& at = Peek();
    if (Accept("not")) {
      Node node;
      node.kind = NodeKind::kNot;
      node.children = {ParseUnary()};
      return Add(node, at);
    }
    return ParsePostfix();
  }
  int ParsePostfix() {
    int node = ParsePrimary();
    while (true) {
      const Token& at = Peek();
      if (Accept("for")) {
        Expect("at");
        Expect("least");
        Node temporal;
        temporal.kind = NodeKind::kForAtLeast;
        temporal.seconds = ParseMeasure("time");
        temporal.children = {node};
        node = Add(temporal, at);
      } else if (Peek().text == "within" && !IsDistanceAhead(1)) {
        Next();
        Node temporal;
        temporal.kind = NodeKind::kWithinOf;
        temporal.seconds = ParseMeasure("time");
        Expect("of");
        temporal.children = {node, ParsePrimary()};
        node = Add(temporal, at);
      } else {
        return node;
      }
    }
  }

  // Whether tokens from `ahead` on read "NUMBER distance-unit".
  bool IsDistanceAhead(std::size_t ahead) const {
    if (Peek(ahead).kind != Token::kNumber) return false;
    const auto unit = Units().find(Peek(ahead + 1).text);
    return unit != Units().end() && unit->second.dimension == "distance";
  }

  double ParseMeasure(const std::string& dimension) {
    const Token& number = Peek();
    if (number.kind != Token::kNumber) Fail(number, "a number (a " + dimension + ")");
    Next();
    const Token& unit_token = Peek();
    const auto unit = Units().find(unit_token.text);
    if (unit_token.kind != Token::kWord || unit == Units().end() ||
        unit->second.dimension != dimension) {
      Fail(unit_token,
           "a " + dimension + " unit (" + UnitsOf(dimension) + ") after " + number.text);
    }
    Next();
    return number.number * unit->second.scale;
  }

  // `within D m`, or `default_m` when absent.
  double ParseOptionalDistance(double default_m) {
    if (Peek().text == "within" && IsDistanceAhead(1)) {
      Next();
      const double d = ParseMeasure("distance");
      if (d <= 0) Fail(tokens_[pos_ - 2], "a positive distance");
      return d;
    }
    return default_m;
  }

  // The other party of a relation: `ego`, or `a`/`an` followed by what that actor must be.
  void ParseReference(Node& node) {
    if (Accept("ego")) return;
    if (!Accept("a") && !Accept("an")) Fail(Peek(), "'ego', 'a' or 'an'");
    node.children = {ParsePrimary()};
  }

  int ParsePrimary();
  int ParseCompare(const Token& at);
  int ParseRelation(const Token& at);
  int ParseHas(const Token& at);
  int ParseHeading(const Token& at);
  int ParseFlag(const Token& at, Flag flag, double default_distance_m);

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  Query query_;
};

int Parser::ParsePrimary() {
  const Nesting nesting(*this);
  const Token& at = Peek();
  if (at.kind != Token::kWord && at.text != "(") Fail(at, "a predicate or '('");
  if (Accept("(")) {
    const int inner = ParseOr();
    Expect(")");
    return inner;
  }
  const std::string word = at.text;
  if (word == "anything" || word == "true") {
    Next();
    return Add(Node{}, at);
  }
  if (word == "ego") {
    Next();
    Node node;
    node.kind = NodeKind::kEgo;
    node.children = {ParsePrimary()};
    return Add(node, at);
  }
  std::string singular = word;
  if (!Categories().contains(singular) && singular.size() > 1 && singular.back() == 's') {
    singular.pop_back();
  }
  if (const auto category = Categories().find(singular); category != Categories().end()) {
    Next();
    Node node;
    node.kind = NodeKind::kCategory;
    node.categories = category->second;
    return Add(node, at);
  }
  if (word == "speed" || word == "acceleration" || word == "yaw" || word == "distance" ||
      word == "ttc" || word == "time" || word == "length" || word == "width" || word == "height") {
    return ParseCompare(at);
  }
  if (const auto flag = SimpleFlags().find(word); flag != SimpleFlags().end()) {
    Next();
    return ParseFlag(at, flag->second, 0);
  }
  if (word == "moving") {
    Next();
    if (Accept("toward") || Accept("towards")) {
      Expect("ego");
      Expect("path");
      return ParseFlag(at, Flag::kTowardEgoPath, 50);
    }
    return ParseFlag(at, Flag::kMoving, 0);
  }
  if (word == "turning") {
    Next();
    if (Accept("left")) return ParseFlag(at, Flag::kTurningLeft, 0);
    if (Accept("right")) return ParseFlag(at, Flag::kTurningRight, 0);
    return ParseFlag(at, Flag::kTurning, 0);
  }
  if (word == "crossing") {
    Next();
    Expect("ego");
    Expect("path");
    return ParseFlag(at, Flag::kCrossingEgoPath, 50);
  }
  if (word == "in" && Peek(1).text == "ego") {
    pos_ += 2;
    if (Accept("path")) return ParseFlag(at, Flag::kInEgoPath, 50);
    if (Accept("lane")) return ParseFlag(at, Flag::kInEgoLane, 50);
    Fail(Peek(), "'path' or 'lane'");
  }
  if (word == "in" || word == "behind" || word == "left" || word == "right" || word == "near") {
    return ParseRelation(at);
  }
  if (word == "has") return ParseHas(at);
  if (word == "heading") return ParseHeading(at);
  Fail(at,
       "a predicate (a category, speed, stationary, moving, turning, in, behind, left, right, "
       "near, has, heading, crossing, ego, not or '(')");
}

int Parser::ParseCompare(const Token& at) {
  Node node;
  node.kind = NodeKind::kCompare;
  std::string dimension;
  const std::string word = Next().text;
  if (word == "speed") {
    node.quantity = Quantity::kSpeed;
    dimension = "speed";
  } else if (word == "acceleration") {
    node.quantity = Quantity::kAcceleration;
    dimension = "acceleration";
  } else if (word == "yaw") {
    Expect("rate");
    node.quantity = Quantity::kYawRate;
    dimension = "angular rate";
  } else if (word == "distance") {
    Expect("to");
    Expect("ego");
    node.quantity = Quantity::kDistanceToEgo;
    dimension = "distance";
  } else if (word == "length" || word == "width" || word == "height") {
    node.quantity = word == "length"  ? Quantity::kLength
                    : word == "width" ? Quantity::kWidth
                                      : Quantity::kHeight;
    dimension = "distance";
  } else {  // ttc, time to collision
    if (word == "time") {
      Expect("to");
      Expect("collision");
    }
    node.quantity = Quantity::kTimeToCollision;
    dimension = "time";
  }
  const Token& op = Peek();
  if (op.text == "<") {
    node.comparison = Comparison::kLess;
  } else if (op.text == "<=") {
    node.comparison = Comparison::kLessEqual;
  } else if (op.text == ">") {
    node.comparison = Comparison::kGreater;
  } else if (op.text == ">=") {
    node.comparison = Comparison::kGreaterEqual;
  } else {
    Fail(op, "a comparison (<, <=, >, >=)");
  }
  Next();
  node.value = ParseMeasure(dimension);
  return Add(node, at);
}

int Parser::ParseFlag(const Token& at, Flag flag, double default_distance_m) {
  Node node;
  node.kind = NodeKind::kFlag;
  node.flag = flag;
  if (default_distance_m > 0) node.distance_m = ParseOptionalDistance(default_distance_m);
  return Add(node, at);
}

// `in front of REF`, `behind REF`, `left of REF`, `right of REF`, `near REF`, each with an
// optional `within D m`.
int Parser::ParseRelation(const Token& at) {
  Node node;
  node.kind = NodeKind::kRelation;
  const std::string word = Next().text;
  double default_m = 10;
  if (word == "in") {
    Expect("front");
    Expect("of");
    node.direction = Direction::kFront;
    default_m = 50;
  } else if (word == "behind") {
    node.direction = Direction::kBehind;
    default_m = 50;
  } else if (word == "near") {
    node.direction = Direction::kNear;
    default_m = 5;
  } else {
    node.direction = word == "left" ? Direction::kLeft : Direction::kRight;
    Expect("of");
  }
  ParseReference(node);
  node.distance_m = ParseOptionalDistance(default_m);
  return Add(node, at);
}

// `has [a] TARGET in front | behind | to its left | to its right | nearby [within D m]`.
int Parser::ParseHas(const Token& at) {
  Next();
  Node node;
  node.kind = NodeKind::kRelation;
  node.inverse = true;
  if (!Accept("a")) Accept("an");
  node.children = {ParsePrimary()};
  double default_m = 10;
  if (Accept("in")) {
    Expect("front");
    node.direction = Direction::kFront;
    default_m = 50;
  } else if (Accept("behind")) {
    node.direction = Direction::kBehind;
    default_m = 50;
  } else if (Accept("nearby") || Accept("near")) {
    node.direction = Direction::kNear;
    default_m = 5;
  } else if (Accept("to")) {
    Expect("its");
    if (Accept("left")) {
      node.direction = Direction::kLeft;
    } else if (Accept("right")) {
      node.direction = Direction::kRight;
    } else {
      Fail(Peek(), "'left' or 'right'");
    }
  } else {
    Fail(Peek(), "'in front', 'behind', 'to its left', 'to its right' or 'nearby'");
  }
  node.distance_m = ParseOptionalDistance(default_m);
  return Add(node, at);
}

// `heading toward | away from | same as | opposite | across REF`.
int Parser::ParseHeading(const Token& at) {
  Next();
  Node node;
  node.kind = NodeKind::kHeading;
  if (Accept("toward") || Accept("towards")) {
    node.heading = HeadingRelation::kToward;
  } else if (Accept("away")) {
    Expect("from");
    node.heading = HeadingRelation::kAwayFrom;
  } else if (Accept("same")) {
    Expect("as");
    node.heading = HeadingRelation::kSameAs;
  } else if (Accept("opposite")) {
    Accept("to");
    node.heading = HeadingRelation::kOpposite;
  } else if (Accept("across")) {
    node.heading = HeadingRelation::kAcross;
  } else {
    Fail(Peek(), "'toward', 'away from', 'same as', 'opposite' or 'across'");
  }
  ParseReference(node);
  return Add(node, at);
}

struct Horizon {
  double back = 0, ahead = 0;
};

Horizon HorizonOf(const Query& query, int index) {
  const Node& node = query.nodes[index];
  Horizon h;
  for (const int child : node.children) {
    const Horizon c = HorizonOf(query, child);
    h.back = std::max(h.back, c.back);
    h.ahead = std::max(h.ahead, c.ahead);
  }
  const bool derivative =
      (node.kind == NodeKind::kCompare &&
       (node.quantity == Quantity::kAcceleration || node.quantity == Quantity::kYawRate)) ||
      (node.kind == NodeKind::kFlag &&
       (node.flag == Flag::kAccelerating || node.flag == Flag::kDecelerating ||
        node.flag == Flag::kTurning || node.flag == Flag::kTurningLeft ||
        node.flag == Flag::kTurningRight));
  if (derivative) h.back = std::max(h.back, kDerivativeLookbackS);
  const bool path = node.kind == NodeKind::kFlag &&
                    (node.flag == Flag::kInEgoPath || node.flag == Flag::kInEgoLane ||
                     node.flag == Flag::kCrossingEgoPath || node.flag == Flag::kTowardEgoPath);
  if (path) h.ahead = std::max(h.ahead, kPathLookaheadS);
  if (node.kind == NodeKind::kForAtLeast || node.kind == NodeKind::kWithinOf) {
    h.back += node.seconds;
    h.ahead += node.seconds;
  }
  return h;
}

}  // namespace

Query ParseQuery(std::string_view text) {
  Query query = Parser(text).Parse();
  const Horizon horizon = HorizonOf(query, query.root);
  query.lookback_s = horizon.back;
  query.lookahead_s = horizon.ahead;
  return query;
}

namespace {

std::string NumberText(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string ReferenceText(const Query& query, const Node& node);

std::string NodeText(const Query& query, int index) {
  const Node& node = query.nodes[index];
  auto child = [&](int i) { return NodeText(query, node.children[i]); };
  static const char* kFlags[] = {"stationary",
                                 "moving",
                                 "accelerating",
                                 "decelerating",
                                 "turning left",
                                 "turning right",
                                 "turning",
                                 "in ego path",
                                 "in ego lane",
                                 "crossing ego path",
                                 "moving toward ego path"};
  static const char* kQuantities[] = {"speed", "acceleration", "yaw rate", "distance to ego",
                                      "ttc",   "length",       "width",    "height"};
  static const char* kUnits[] = {"m/s", "m/s2", "rad/s", "m", "s", "m", "m", "m"};
  static const char* kComparisons[] = {"<", "<=", ">", ">="};
  static const char* kHeadings[] = {"toward", "away from", "same as", "opposite", "across"};
  switch (node.kind) {
    case NodeKind::kTrue:
      return "anything";
    case NodeKind::kCategory: {
      for (const auto& [name, bits] : Categories()) {
        if (bits == node.categories) return name;
      }
      return "category";
    }
    case NodeKind::kCompare: {
      const int q = static_cast<int>(node.quantity);
      return std::string(kQuantities[q]) + " " + kComparisons[static_cast<int>(node.comparison)] +
             " " + NumberText(node.value) + " " + kUnits[q];
    }
    case NodeKind::kFlag: {
      std::string text = kFlags[static_cast<int>(node.flag)];
      if (node.distance_m > 0) text += " within " + NumberText(node.distance_m) + " m";
      return text;
    }
    case NodeKind::kRelation: {
      static const char* kDirections[] = {"in front of", "behind", "left of", "right of", "near"};
      static const char* kInverse[] = {"in front", "behind", "to its left", "to its right",
                                       "nearby"};
      const int d = static_cast<int>(node.direction);
      const std::string within = " within " + NumberText(node.distance_m) + " m";
      if (node.inverse) return "has " + child(0) + " " + kInverse[d] + within;
      return std::string(kDirections[d]) + " " + ReferenceText(query, node) + within;
    }
    case NodeKind::kHeading:
      return std::string("heading ") + kHeadings[static_cast<int>(node.heading)] + " " +
             ReferenceText(query, node);
    case NodeKind::kAnd:
      return "(" + child(0) + " and " + child(1) + ")";
    case NodeKind::kOr:
      return "(" + child(0) + " or " + child(1) + ")";
    case NodeKind::kNot:
      return "(not " + child(0) + ")";
    case NodeKind::kForAtLeast:
      return "(" + child(0) + " for at least " + NumberText(node.seconds) + " s)";
    case NodeKind::kWithinOf:
      return "(" + child(0) + " within " + NumberText(node.seconds) + " s of " + child(1) + ")";
    case NodeKind::kEgo:
      return "(ego " + child(0) + ")";
  }
  return "";
}

std::string ReferenceText(const Query& query, const Node& node) {
  return node.children.empty() ? "ego" : "a " + NodeText(query, node.children[0]);
}

}  // namespace

std::string ToText(const Query& query) {
  return (query.scope == Scope::kEgo ? "ego: " : "") + NodeText(query, query.root);
}

}  // namespace longtail::query
