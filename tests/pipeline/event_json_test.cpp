#include "pipeline/event_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace longtail::pipeline {
namespace {

Event AnEpisode() {
  Event e;
  e.detector = "low_ttc";
  e.detector_version = 3;
  e.type = "low_ttc";
  e.severity = 0.9252;
  e.first_frame = 4, e.peak_frame = 9, e.last_frame = 14;
  e.start = sensors::FromNanos(1'000'000'000), e.peak = sensors::FromNanos(1'500'000'000);
  e.end = sensors::FromNanos(2'000'000'000);
  e.track_ids = {82, 7};
  e.reason = "Car #82: time to collision 0.22 s";
  e.values = {{"ttc_s", 0.22}, {"gap_m", std::numeric_limits<double>::infinity()}};
  return e;
}

TEST(EventJson, WritesTheQueueKeysAndNullForNonFiniteNumbers) {
  const nlohmann::json j = AnEpisode();
  EXPECT_EQ(j.at("detector_version"), 3);
  EXPECT_FALSE(j.contains("version"));
  EXPECT_EQ(j.at("peak_ns"), 1'500'000'000);
  EXPECT_TRUE(j.at("values").at("gap_m").is_null());
  EXPECT_EQ(j.at("track_ids"), nlohmann::json({82, 7}));
}

TEST(EventJson, RoundTripsEveryField) {
  const Event e = AnEpisode();
  const Event back = nlohmann::json(e).get<Event>();
  EXPECT_EQ(back.detector, e.detector);
  EXPECT_EQ(back.detector_version, 3);
  EXPECT_EQ(back.severity, e.severity);
  EXPECT_EQ(back.first_frame, 4);
  EXPECT_EQ(back.peak_frame, 9);
  EXPECT_EQ(back.last_frame, 14);
  EXPECT_EQ(back.start, e.start);
  EXPECT_EQ(back.peak, e.peak);
  EXPECT_EQ(back.end, e.end);
  EXPECT_EQ(back.track_ids, e.track_ids);
  EXPECT_EQ(back.reason, e.reason);
  EXPECT_EQ(back.values.at("ttc_s"), 0.22);
  EXPECT_TRUE(std::isnan(back.values.at("gap_m")));  // null reads back as not a number
}

TEST(EventJson, ReadsOldGoldensWithVersionAndNoTimes) {
  const auto j = nlohmann::json::parse(R"({"detector": "ego_corridor", "version": 2,
      "type": "object_in_corridor", "severity": 1.0, "first_frame": 1, "last_frame": 14,
      "track_ids": [82], "reason": "Car #82 in the ego corridor"})");
  const Event e = j.get<Event>();
  EXPECT_EQ(e.detector_version, 2);
  EXPECT_EQ(e.peak_frame, 1);  // no peak: the first frame
  EXPECT_EQ(sensors::ToNanos(e.start), 0);
  EXPECT_TRUE(e.values.empty());
}

TEST(EventJson, RejectsAnEventWithoutItsDetector) {
  const auto j = nlohmann::json::parse(R"({"detector_version": 1, "type": "x", "severity": 1,
      "first_frame": 0, "last_frame": 0, "track_ids": [], "reason": ""})");
  EXPECT_THROW(j.get<Event>(), nlohmann::json::exception);
}

}  // namespace
}  // namespace longtail::pipeline
