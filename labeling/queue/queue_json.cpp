#include "labeling/queue/queue_json.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "labeling/bounded_json.h"
#include "pipeline/event_json.h"

namespace longtail::labeling::json {
namespace {

using nlohmann::json;

json Number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }
double ReadNumber(const json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

json BoxJson(const sensors::LabeledBox& labeled) {
  const sensors::Box3D& b = labeled.box;
  return json{{"x_m", Number(b.center.x())},
              {"y_m", Number(b.center.y())},
              {"z_m", Number(b.center.z())},
              {"length_m", Number(b.length)},
              {"width_m", Number(b.width)},
              {"height_m", Number(b.height)},
              {"yaw_rad", Number(b.yaw)},
              {"class", std::string(sensors::ToString(labeled.object_class))},
              {"track_id", labeled.track_id},
              {"score", Number(labeled.score)}};
}

sensors::LabeledBox BoxFrom(const json& j) {
  sensors::LabeledBox labeled;
  labeled.box.center = {ReadNumber(j.at("x_m")), ReadNumber(j.at("y_m")), ReadNumber(j.at("z_m"))};
  labeled.box.length = ReadNumber(j.at("length_m"));
  labeled.box.width = ReadNumber(j.at("width_m"));
  labeled.box.height = ReadNumber(j.at("height_m"));
  labeled.box.yaw = ReadNumber(j.at("yaw_rad"));
  labeled.object_class = sensors::ParseObjectClass(j.at("class").get<std::string>())
                             .value_or(sensors::ObjectClass::kUnknown);
  labeled.track_id = j.value("track_id", -1);
  labeled.score = j.contains("score") ? ReadNumber(j.at("score")) : 1.0;
  return labeled;
}

json BoxesJson(const std::vector<sensors::LabeledBox>& boxes) {
  json out = json::array();
  for (const auto& box : boxes) out.push_back(BoxJson(box));
  return out;
}

std::vector<sensors::LabeledBox> BoxesFrom(const json& j) {
  std::vector<sensors::LabeledBox> out;
  for (const auto& box : j) out.push_back(BoxFrom(box));
  return out;
}

json Parse(const std::string& text) {
  try {
    return ParseBoundedJson(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("bad JSON in the queue database: ") + e.what());
  }
}

}  // namespace

std::string EventsToJson(const std::vector<pipeline::Event>& events) {
  json out = json::array();
  for (const auto& e : events) out.push_back(e);
  return out.dump();
}

std::vector<pipeline::Event> EventsFromJson(const std::string& text) {
  std::vector<pipeline::Event> out;
  for (const auto& j : Parse(text)) out.push_back(j.get<pipeline::Event>());
  return out;
}

std::string BoxesToJson(const std::vector<sensors::LabeledBox>& boxes) {
  return BoxesJson(boxes).dump();
}

std::vector<sensors::LabeledBox> BoxesFromJson(const std::string& text) {
  return BoxesFrom(Parse(text));
}

std::string FramesToJson(const std::vector<FramePrelabels>& frames) {
  json out = json::array();
  for (const auto& f : frames) {
    out.push_back(json{{"frame_index", f.frame_index},
                       {"stamp_ns", sensors::ToNanos(f.stamp)},
                       {"boxes", BoxesJson(f.boxes)}});
  }
  return out.dump();
}

std::vector<FramePrelabels> FramesFromJson(const std::string& text) {
  std::vector<FramePrelabels> out;
  if (text.empty()) return out;
  for (const auto& j : Parse(text)) {
    FramePrelabels f;
    f.frame_index = j.at("frame_index").get<std::int64_t>();
    f.stamp = sensors::FromNanos(j.at("stamp_ns").get<std::int64_t>());
    f.boxes = BoxesFrom(j.at("boxes"));
    out.push_back(std::move(f));
  }
  return out;
}

std::string DisagreementsToJson(const std::vector<Disagreement>& disagreements) {
  json out = json::array();
  for (const auto& d : disagreements) {
    out.push_back(json{{"kind", d.kind},
                       {"reviewer_a", d.reviewer_a},
                       {"reviewer_b", d.reviewer_b},
                       {"frame_index", d.frame_index},
                       {"iou", Number(d.iou)},
                       {"detail", d.detail}});
  }
  return out.dump();
}

std::vector<Disagreement> DisagreementsFromJson(const std::string& text) {
  std::vector<Disagreement> out;
  if (text.empty()) return out;
  for (const auto& j : Parse(text)) {
    Disagreement d;
    d.kind = j.at("kind").get<std::string>();
    d.reviewer_a = j.at("reviewer_a").get<std::string>();
    d.reviewer_b = j.at("reviewer_b").get<std::string>();
    d.frame_index = j.at("frame_index").get<std::int64_t>();
    d.iou = ReadNumber(j.at("iou"));
    d.detail = j.at("detail").get<std::string>();
    out.push_back(std::move(d));
  }
  return out;
}

std::string Object(const std::vector<std::pair<std::string, std::string>>& fields) {
  json out = json::object();
  for (const auto& [key, value] : fields) out[key] = value;
  return out.dump();
}

nlohmann::json StatsToJson(const QueueStats& s) {
  return {{"backend", s.backend},
          {"schema_version", s.schema_version},
          {"tasks", s.tasks},
          {"queued", s.queued},
          {"claimed", s.claimed},
          {"submitted", s.submitted},
          {"accepted", s.accepted},
          {"corrected", s.corrected},
          {"rejected", s.rejected},
          {"skipped", s.skipped},
          {"needs_adjudication", s.needs_adjudication},
          {"live_claims", s.live_claims},
          {"expired_claims", s.expired_claims},
          {"mined_logs", s.mined_logs}};
}

}  // namespace longtail::labeling::json
