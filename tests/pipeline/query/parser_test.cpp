#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "pipeline/query/query.h"

namespace longtail::query {
namespace {

struct RoundTrip {
  std::string text;
  std::string canonical;
};

TEST(QueryParser, ParsesEveryConstruct) {
  const std::vector<RoundTrip> cases = {
      {"anything", "anything"},
      {"pedestrians", "pedestrian"},
      {"Vehicle", "vehicle"},
      {"unknown", "unknown"},
      {"speed < 0.5 m/s", "speed < 0.5 m/s"},
      {"speed >= 36 km/h", "speed >= 10 m/s"},
      {"acceleration <= -4 m/s2", "acceleration <= -4 m/s2"},
      {"acceleration > 1 g", "acceleration > 9.80665 m/s2"},
      {"yaw rate > 0.2 rad/s", "yaw rate > 0.2 rad/s"},
      {"distance to ego < 10 m", "distance to ego < 10 m"},
      {"ttc < 3 s", "ttc < 3 s"},
      {"height <= 60 cm", "height <= 0.6 m"},
      {"length > 2 m and width < 1 m", "(length > 2 m and width < 1 m)"},
      {"time to collision < 1500 ms", "ttc < 1.5 s"},
      {"stationary", "stationary"},
      {"stopped", "stationary"},
      {"moving", "moving"},
      {"accelerating", "accelerating"},
      {"braking", "decelerating"},
      {"turning", "turning"},
      {"turning left", "turning left"},
      {"turning right", "turning right"},
      {"in ego path", "in ego path within 50 m"},
      {"in ego lane within 30 m", "in ego lane within 30 m"},
      {"crossing ego path within 40 m", "crossing ego path within 40 m"},
      {"moving toward ego path", "moving toward ego path within 50 m"},
      {"in front of ego within 20 m", "in front of ego within 20 m"},
      {"behind ego", "behind ego within 50 m"},
      {"left of a truck within 3 m", "left of a truck within 3 m"},
      {"right of ego within 4 m", "right of ego within 4 m"},
      {"near a pedestrian within 2 m", "near a pedestrian within 2 m"},
      {"has cyclist to its right within 4 m", "has bicycle to its right within 4 m"},
      {"has a car in front within 15 m", "has car in front within 15 m"},
      {"has an unknown nearby", "has unknown nearby within 5 m"},
      {"has truck behind", "has truck behind within 50 m"},
      {"heading toward ego", "heading toward ego"},
      {"heading away from a car", "heading away from a car"},
      {"heading same as ego", "heading same as ego"},
      {"heading opposite ego", "heading opposite ego"},
      {"heading across a (car and moving)", "heading across a (car and moving)"},
      {"car and stationary or pedestrian", "((car and stationary) or pedestrian)"},
      {"car and (stationary or pedestrian)", "(car and (stationary or pedestrian))"},
      {"not not moving", "(not (not moving))"},
      {"stationary for at least 2 s", "(stationary for at least 2 s)"},
      {"braking within 1 s of turning", "(decelerating within 1 s of turning)"},
      {"near ego within 3 m within 2 s of moving", "(near ego within 3 m within 2 s of moving)"},
      {"pedestrian and ego turning left", "(pedestrian and (ego turning left))"},
      {"ego: speed > 5 m/s", "ego: speed > 5 m/s"},
      {"actors: car", "car"},
      {"# a comment\ncar # and another\n and moving", "(car and moving)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ToText(ParseQuery(c.text)), c.canonical);
  }
}

TEST(QueryParser, CanonicalTextParsesToItself) {
  const std::string text =
      "vehicle and has bicycle to its right within 4 m for at least 1 s or ego: moving";
  // `ego:` only scopes at the start; in the middle it is an error, so use a valid one.
  const Query query = ParseQuery(
      "(vehicle and has bicycle to its right within 4 m for at least 1 s) or not stationary");
  EXPECT_EQ(ToText(ParseQuery(ToText(query))), ToText(query));
  EXPECT_THROW(ParseQuery(text), QueryError);
}

TEST(QueryParser, ScopeAndHorizons) {
  EXPECT_EQ(ParseQuery("ego: braking").scope, Scope::kEgo);
  EXPECT_EQ(ParseQuery("braking").scope, Scope::kActors);
  const Query plain = ParseQuery("car and stationary");
  EXPECT_EQ(plain.lookback_s, 0);
  EXPECT_EQ(plain.lookahead_s, 0);
  // Turning looks 1 s back; the temporal operator adds its span on both sides.
  const Query temporal = ParseQuery("turning left for at least 2 s");
  EXPECT_DOUBLE_EQ(temporal.lookback_s, 3);
  EXPECT_DOUBLE_EQ(temporal.lookahead_s, 2);
  // The ego path follows 3 s of future poses.
  const Query path = ParseQuery("in ego path within 1 s of braking");
  EXPECT_DOUBLE_EQ(path.lookahead_s, 4);
  EXPECT_DOUBLE_EQ(path.lookback_s, 2);
}

TEST(QueryParser, HugeOrDeeplyNestedQueriesAreErrorsNotCrashes) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "(";
  try {
    ParseQuery(deep + "car");
    ADD_FAILURE() << "no error";
  } catch (const QueryError& e) {
    EXPECT_NE(e.message().find("a less nested query"), std::string::npos) << e.what();
  }
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_THROW(ParseQuery(nots + "car"), QueryError);
  std::string chain = "car";
  for (int i = 0; i < 100000; ++i) chain += " and car";
  try {
    ParseQuery(chain);
    ADD_FAILURE() << "no error";
  } catch (const QueryError& e) {
    EXPECT_NE(e.message().find("a shorter query"), std::string::npos) << e.what();
  }
  // Well inside the bounds, a long query parses.
  std::string fine = "car";
  for (int i = 0; i < 300; ++i) fine += " or (truck and not stationary)";
  EXPECT_NO_THROW(ParseQuery(fine));
}

struct BadQuery {
  std::string text;
  int line, column;
  std::string message;  // a part of the message
};

TEST(QueryParser, ErrorsSayWhereAndWhatWasExpected) {
  const std::vector<BadQuery> cases = {
      {"", 1, 1, "expected a predicate or '(', found the end of the query"},
      {"car and", 1, 8, "expected a predicate or '('"},
      {"car moving", 1, 5, "expected 'and', 'or', 'for', 'within' or the end, found 'moving'"},
      {"flying", 1, 1, "expected a predicate (a category"},
      {"speed 5 m/s", 1, 7, "expected a comparison (<, <=, >, >=), found '5'"},
      {"speed < fast", 1, 9, "expected a number (a speed), found 'fast'"},
      {"speed < 5 m", 1, 11, "expected a speed unit (km/h, kph, m/s, mph) after 5, found 'm'"},
      {"speed < 5", 1, 10, "expected a speed unit"},
      {"stationary for at least 2 m", 1, 27, "expected a time unit (ms, s, sec) after 2"},
      {"stationary for 2 s", 1, 16, "expected 'at', found '2'"},
      {"stationary for at 2 s", 1, 19, "expected 'least'"},
      {"moving within 2 s turning", 1, 19, "expected 'of', found 'turning'"},
      {"(car and moving", 1, 16, "expected ')', found the end of the query"},
      {"car)", 1, 4, "found ')'"},
      {"in ego road", 1, 8, "expected 'path' or 'lane', found 'road'"},
      {"in front ego", 1, 10, "expected 'of', found 'ego'"},
      {"left of truck", 1, 9, "expected 'ego', 'a' or 'an', found 'truck'"},
      {"near ego within -2 m", 1, 17, "expected a positive distance"},
      {"has car above", 1, 9,
       "expected 'in front', 'behind', 'to its left', 'to its right' or 'nearby'"},
      {"has car to its back", 1, 16, "expected 'left' or 'right', found 'back'"},
      {"heading north", 1, 9, "expected 'toward', 'away from', 'same as', 'opposite' or 'across'"},
      {"heading away ego", 1, 14, "expected 'from', found 'ego'"},
      {"yaw > 1 rad/s", 1, 5, "expected 'rate', found '>'"},
      {"distance < 3 m", 1, 10, "expected 'to', found '<'"},
      {"time < 3 s", 1, 6, "expected 'to', found '<'"},
      {"car and\n  speed < 5 m/s and\n  @", 3, 3, "unexpected character '@'"},
      {"car and\n  crossing ego lane", 2, 16, "expected 'path', found 'lane'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      ParseQuery(c.text);
      ADD_FAILURE() << "no error";
    } catch (const QueryError& e) {
      EXPECT_EQ(e.line(), c.line) << e.what();
      EXPECT_EQ(e.column(), c.column) << e.what();
      EXPECT_NE(e.message().find(c.message), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("line " + std::to_string(c.line)), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace longtail::query

namespace longtail::query {
namespace {

// Every query the READMEs show parses: the repo README's worked queries (the second column of
// its "| question | query |" table) and the query README's example block.
TEST(QueryParser, TheReadmeQueriesParse) {
  std::ifstream readme(std::string(LONGTAIL_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(readme);
  std::string line;
  bool in_table = false;
  int parsed = 0;
  while (std::getline(readme, line)) {
    if (line.rfind("| question | query |", 0) == 0) in_table = true;
    if (!in_table) continue;
    if (line.empty() || line[0] != '|') break;
    const auto open = line.find('`'), close = line.rfind('`');
    if (open == std::string::npos || close <= open) continue;
    const std::string text = line.substr(open + 1, close - open - 1);
    SCOPED_TRACE(text);
    EXPECT_NO_THROW(ParseQuery(text));
    ++parsed;
  }
  EXPECT_EQ(parsed, 5);
  std::ifstream query_readme(std::string(LONGTAIL_SOURCE_DIR) + "/pipeline/query/README.md");
  bool in_block = false;
  int examples = 0;
  while (std::getline(query_readme, line)) {
    if (line == "```") {
      in_block = !in_block;
      continue;
    }
    if (!in_block) continue;
    SCOPED_TRACE(line);
    EXPECT_NO_THROW(ParseQuery(line));
    ++examples;
  }
  EXPECT_EQ(examples, 5);
}

}  // namespace
}  // namespace longtail::query
