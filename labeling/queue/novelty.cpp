#include "labeling/queue/novelty.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace longtail::labeling {
namespace {

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<double> FirstValue(const pipeline::Event& event, const std::string& suffix) {
  for (const auto& [name, value] : event.values) {
    if (EndsWith(name, suffix) && std::isfinite(value)) return value;
  }
  return std::nullopt;
}

// Both missing: alike; one missing: unlike; else closer is more alike on a `scale` length.
double Closeness(const std::optional<double>& a, const std::optional<double>& b, double scale) {
  if (!a && !b) return 1;
  if (!a || !b) return 0;
  return std::exp(-std::abs(*a - *b) / scale);
}

}  // namespace

std::vector<EpisodeFeatures> FeaturesOf(const std::vector<pipeline::Event>& events,
                                        const std::vector<FramePrelabels>& frames) {
  std::vector<EpisodeFeatures> out;
  for (const auto& event : events) {
    EpisodeFeatures f;
    f.type = event.type;
    for (const auto& frame : frames) {
      if (frame.frame_index != event.peak_frame) continue;
      for (const auto& box : frame.boxes) {
        if (std::find(event.track_ids.begin(), event.track_ids.end(), box.track_id) !=
            event.track_ids.end()) {
          f.classes.insert(std::string(sensors::ToString(box.object_class)));
        }
      }
    }
    f.speed_mps = FirstValue(event, "speed_mps");
    f.distance_m = FirstValue(event, "distance_m");
    out.push_back(std::move(f));
  }
  return out;
}

std::string FeaturesToJson(const std::vector<EpisodeFeatures>& features) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : features) {
    nlohmann::json item = {{"type", f.type}, {"classes", f.classes}};
    if (f.speed_mps) item["speed_mps"] = *f.speed_mps;
    if (f.distance_m) item["distance_m"] = *f.distance_m;
    out.push_back(item);
  }
  return out.dump();
}

std::vector<EpisodeFeatures> FeaturesFromJson(const std::string& text) {
  std::vector<EpisodeFeatures> out;
  if (text.empty()) return out;
  for (const auto& item : nlohmann::json::parse(text)) {
    EpisodeFeatures f;
    f.type = item.value("type", "");
    for (const auto& c : item.value("classes", nlohmann::json::array())) {
      f.classes.insert(c.get<std::string>());
    }
    if (item.contains("speed_mps")) f.speed_mps = item.at("speed_mps").get<double>();
    if (item.contains("distance_m")) f.distance_m = item.at("distance_m").get<double>();
    out.push_back(std::move(f));
  }
  return out;
}

double Similarity(const EpisodeFeatures& a, const EpisodeFeatures& b) {
  double classes = 1;
  if (!a.classes.empty() || !b.classes.empty()) {
    std::size_t shared = 0;
    for (const auto& c : a.classes) shared += b.classes.count(c);
    classes = static_cast<double>(shared) /
              static_cast<double>(a.classes.size() + b.classes.size() - shared);
  }
  return 0.4 * (a.type == b.type ? 1 : 0) + 0.3 * classes +
         0.15 * Closeness(a.speed_mps, b.speed_mps, 3.0) +
         0.15 * Closeness(a.distance_m, b.distance_m, 10.0);
}

double Novelty(const std::vector<EpisodeFeatures>& task,
               const std::vector<EpisodeFeatures>& accepted) {
  if (accepted.empty() || task.empty()) return 1;  // no evidence that it repeats anything
  double novelty = 0;
  for (const auto& episode : task) {
    double best = 0;
    for (const auto& seen : accepted) best = std::max(best, Similarity(episode, seen));
    novelty = std::max(novelty, 1 - best);
  }
  return novelty;
}

double NoveltyPriority(double severity, double novelty) { return severity * (0.1 + 0.9 * novelty); }

}  // namespace longtail::labeling
