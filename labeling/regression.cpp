#include "labeling/regression.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <stdexcept>

#include "pipeline/event_json.h"

namespace longtail::labeling {
namespace {

using nlohmann::json;

// Rounded so that golden files do not churn on the last bits of a float.
double Round(double value, double step = 1e-4) { return std::round(value / step) * step; }

// An event in its one JSON form with its numbers rounded.
json GoldenEvent(const pipeline::Event& e) {
  json j = e;
  if (std::isfinite(e.severity)) j["severity"] = Round(e.severity);
  for (auto& [name, value] : j["values"].items()) {
    if (value.is_number()) value = Round(value.get<double>());
  }
  return j;
}

std::string Describe(const pipeline::Event& e) {
  char frames[64];
  std::snprintf(frames, sizeof(frames), " frames %lld-%lld", static_cast<long long>(e.first_frame),
                static_cast<long long>(e.last_frame));
  std::string tracks;
  for (int id : e.track_ids) tracks += (tracks.empty() ? " tracks " : ",") + std::to_string(id);
  return e.detector + "/" + e.type + frames + tracks + ": " + e.reason;
}

std::string Describe(std::int64_t frame, const sensors::LabeledBox& b) {
  char text[160];
  std::snprintf(text, sizeof(text), "frame %lld %s #%d at (%.2f, %.2f) %.1fx%.1fx%.1f m",
                static_cast<long long>(frame),
                std::string(sensors::ToString(b.object_class)).c_str(), b.track_id,
                b.box.center.x(), b.box.center.y(), b.box.length, b.box.width, b.box.height);
  return text;
}

std::int64_t Overlap(const pipeline::Event& a, const pipeline::Event& b) {
  return std::min(a.last_frame, b.last_frame) - std::max(a.first_frame, b.first_frame) + 1;
}

void CompareEvents(const RunRecord& golden, const RunRecord& current, const Tolerances& tol,
                   std::vector<Difference>& out) {
  std::vector<bool> used(current.events.size(), false);
  for (const auto& g : golden.events) {
    std::size_t best = current.events.size();
    std::int64_t best_overlap = 0;
    for (std::size_t i = 0; i < current.events.size(); ++i) {
      const auto& c = current.events[i];
      if (used[i] || c.detector != g.detector || c.type != g.type) continue;
      const std::int64_t overlap = Overlap(g, c);
      if (overlap >= tol.event_overlap_frames && overlap > best_overlap)
        best = i, best_overlap = overlap;
    }
    if (best == current.events.size()) {
      out.push_back({golden.log_id, "missing_event", Describe(g)});
      continue;
    }
    used[best] = true;
    const auto& c = current.events[best];
    if (std::abs(c.severity - g.severity) > tol.severity) {
      char text[96];
      std::snprintf(text, sizeof(text), " (severity %.2f -> %.2f)", g.severity, c.severity);
      out.push_back({golden.log_id, "changed_event", Describe(c) + text});
    }
  }
  for (std::size_t i = 0; i < current.events.size(); ++i) {
    if (!used[i]) out.push_back({golden.log_id, "new_event", Describe(current.events[i])});
  }
}

void CompareBoxes(const RunRecord& golden, const RunRecord& current, const Tolerances& tol,
                  std::vector<Difference>& out) {
  std::map<std::int64_t, const std::vector<sensors::LabeledBox>*> now;
  for (const auto& f : current.prelabels) now[f.frame] = &f.boxes;
  static const std::vector<sensors::LabeledBox> kNone;
  std::map<std::int64_t, bool> seen;
  for (const auto& f : golden.prelabels) {
    const auto it = now.find(f.frame);
    const auto& boxes = it == now.end() ? kNone : *it->second;
    seen[f.frame] = true;
    std::vector<bool> used(boxes.size(), false);
    for (const auto& g : f.boxes) {
      std::size_t best = boxes.size();
      double best_iou = tol.box_iou;
      for (std::size_t i = 0; i < boxes.size(); ++i) {
        const double iou = sensors::BevIoU(g.box, boxes[i].box);
        if (!used[i] && iou >= best_iou) best = i, best_iou = iou;
      }
      if (best == boxes.size()) {
        out.push_back({golden.log_id, "missing_box", Describe(f.frame, g)});
        continue;
      }
      used[best] = true;
      const auto& c = boxes[best];
      const double moved = (c.box.center - g.box.center).norm();
      const double resized =
          std::max({std::abs(c.box.length - g.box.length), std::abs(c.box.width - g.box.width),
                    std::abs(c.box.height - g.box.height)});
      double turned = std::abs(sensors::WrapAngle(c.box.yaw - g.box.yaw));
      turned = std::min(turned, std::numbers::pi - turned);
      if (moved > tol.center_m || resized > tol.size_m || turned > tol.yaw_rad ||
          c.object_class != g.object_class) {
        char text[160];
        std::snprintf(
            text, sizeof(text), " -> %s: centre moved %.2f m, size changed %.2f m, yaw %.2f rad",
            std::string(sensors::ToString(c.object_class)).c_str(), moved, resized, turned);
        out.push_back({golden.log_id, "moved_box", Describe(f.frame, g) + text});
      }
    }
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      if (!used[i]) out.push_back({golden.log_id, "new_box", Describe(f.frame, boxes[i])});
    }
  }
  for (const auto& f : current.prelabels) {
    if (seen.count(f.frame)) continue;
    for (const auto& b : f.boxes) out.push_back({golden.log_id, "new_box", Describe(f.frame, b)});
  }
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Tolerances LoadTolerances(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open tolerances file");
  Tolerances t;
  try {
    const json j = json::parse(in);
    for (const auto& [key, value] : j.items()) {
      double* field = key == "event_overlap_frames" ? &t.event_overlap_frames
                      : key == "severity"           ? &t.severity
                      : key == "box_iou"            ? &t.box_iou
                      : key == "center_m"           ? &t.center_m
                      : key == "size_m"             ? &t.size_m
                      : key == "yaw_rad"            ? &t.yaw_rad
                                                    : nullptr;
      if (!field) throw std::runtime_error("unknown tolerance '" + key + "'");
      *field = value.get<double>();
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return t;
}

std::vector<Difference> Compare(const RunRecord& golden, const RunRecord& current,
                                const Tolerances& tolerances) {
  std::vector<Difference> out;
  if (golden.frames != current.frames) {
    out.push_back({golden.log_id, "frames",
                   std::to_string(golden.frames) + " frames in the golden, " +
                       std::to_string(current.frames) + " now"});
  }
  CompareEvents(golden, current, tolerances, out);
  CompareBoxes(golden, current, tolerances, out);
  return out;
}

json ToJson(const RunRecord& r) {
  json events = json::array();
  for (const auto& e : r.events) events.push_back(GoldenEvent(e));
  json frames = json::array();
  for (const auto& f : r.prelabels) {
    json boxes = json::array();
    for (const auto& b : f.boxes) {
      boxes.push_back(
          {{"class", sensors::ToString(b.object_class)},
           {"track", b.track_id},
           {"score", Round(b.score, 1e-3)},
           {"center", {Round(b.box.center.x()), Round(b.box.center.y()), Round(b.box.center.z())}},
           {"size", {Round(b.box.length), Round(b.box.width), Round(b.box.height)}},
           {"yaw", Round(b.box.yaw)}});
    }
    frames.push_back({{"frame", f.frame}, {"boxes", boxes}});
  }
  return {{"log_id", r.log_id},
          {"options_hash", r.options_hash},
          {"frames", r.frames},
          {"events", events},
          {"prelabels", frames}};
}

RunRecord RunRecordFromJson(const json& j) {
  RunRecord r;
  r.log_id = j.at("log_id").get<std::string>();
  r.options_hash = j.at("options_hash").get<std::string>();
  r.frames = j.at("frames").get<std::int64_t>();
  for (const auto& e : j.at("events")) r.events.push_back(e.get<pipeline::Event>());
  for (const auto& f : j.at("prelabels")) {
    RunRecord::FrameBoxes frame{f.at("frame").get<std::int64_t>(), {}};
    for (const auto& b : f.at("boxes")) {
      sensors::LabeledBox box;
      box.object_class = sensors::ParseObjectClass(b.at("class").get<std::string>())
                             .value_or(sensors::ObjectClass::kUnknown);
      box.track_id = b.at("track").get<int>();
      box.score = b.at("score").get<double>();
      const auto c = b.at("center").get<std::vector<double>>();
      const auto s = b.at("size").get<std::vector<double>>();
      if (c.size() != 3 || s.size() != 3)
        throw std::runtime_error("box centre and size need 3 values");
      box.box = {{c[0], c[1], c[2]}, s[0], s[1], s[2], b.at("yaw").get<double>()};
      frame.boxes.push_back(box);
    }
    r.prelabels.push_back(std::move(frame));
  }
  return r;
}

std::string JUnitXml(const std::vector<std::string>& log_ids,
                     const std::vector<Difference>& differences) {
  std::map<std::string, std::vector<const Difference*>> by_log;
  for (const auto& d : differences) by_log[d.log_id].push_back(&d);
  int failures = 0;
  for (const auto& id : log_ids) failures += by_log.count(id) ? 1 : 0;
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"longtail regress\" tests=\"" +
      std::to_string(log_ids.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n";
  for (const auto& id : log_ids) {
    xml += "  <testcase classname=\"longtail.regress\" name=\"" + XmlEscape(id) + "\"";
    const auto it = by_log.find(id);
    if (it == by_log.end()) {
      xml += "/>\n";
      continue;
    }
    xml += ">\n    <failure message=\"" + std::to_string(it->second.size()) +
           " differences from the golden\">";
    for (const Difference* d : it->second) xml += XmlEscape(d->kind + ": " + d->what) + "\n";
    xml += "</failure>\n  </testcase>\n";
  }
  return xml + "</testsuite>\n";
}

}  // namespace longtail::labeling
