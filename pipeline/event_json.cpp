#include "pipeline/event_json.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace longtail::pipeline {
namespace {

using nlohmann::json;

json Number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }
double ReadNumber(const json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

}  // namespace

void to_json(json& j, const Event& e) {
  json values = json::object();
  for (const auto& [name, value] : e.values) values[name] = Number(value);
  j = json{{"detector", e.detector},
           {"detector_version", e.detector_version},
           {"type", e.type},
           {"severity", Number(e.severity)},
           {"first_frame", e.first_frame},
           {"peak_frame", e.peak_frame},
           {"last_frame", e.last_frame},
           {"start_ns", sensors::ToNanos(e.start)},
           {"peak_ns", sensors::ToNanos(e.peak)},
           {"end_ns", sensors::ToNanos(e.end)},
           {"track_ids", e.track_ids},
           {"reason", e.reason},
           {"values", values}};
}

void from_json(const json& j, Event& e) {
  e.detector = j.at("detector").get<std::string>();
  e.detector_version =
      (j.contains("detector_version") ? j.at("detector_version") : j.at("version")).get<int>();
  e.type = j.at("type").get<std::string>();
  e.severity = ReadNumber(j.at("severity"));
  e.first_frame = j.at("first_frame").get<std::int64_t>();
  e.last_frame = j.at("last_frame").get<std::int64_t>();
  e.start = sensors::FromNanos(j.value("start_ns", std::int64_t{0}));
  e.end = sensors::FromNanos(j.value("end_ns", std::int64_t{0}));
  // Queues written before episodes had no peak: their events were single firings or merged runs
  // whose numbers were those of the first frame.
  e.peak_frame = j.value("peak_frame", e.first_frame);
  e.peak = sensors::FromNanos(j.value("peak_ns", sensors::ToNanos(e.start)));
  e.track_ids = j.at("track_ids").get<std::vector<int>>();
  e.reason = j.at("reason").get<std::string>();
  e.values.clear();
  if (j.contains("values")) {
    for (const auto& [name, value] : j.at("values").items()) e.values[name] = ReadNumber(value);
  }
}

}  // namespace longtail::pipeline
