#include "tools/synth/ground_truth.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "sensors/atomic_file.h"
#include "sensors/kitti/kitti_label.h"

namespace longtail::tools::synth {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;  // keeps fields in the documented order when writing

constexpr std::string_view kFormat = "longtail-ground-truth";
constexpr int kVersion = 1;

// Looks up `key` in `object` and checks its type, naming the JSON path when either is wrong.
const json& Field(const json& object, const char* key, json::value_t type,
                  const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end()) throw std::runtime_error("missing field " + path + "." + key);
  const bool number_ok = type == json::value_t::number_float && it->is_number();
  const bool integer_ok = type == json::value_t::number_integer && it->is_number_integer();
  if (!number_ok && !integer_ok && it->type() != type) {
    throw std::runtime_error("field " + path + "." + key +
                             " has the wrong type: " + it->type_name());
  }
  return *it;
}

double Number(const json& object, const char* key, const std::string& path) {
  return Field(object, key, json::value_t::number_float, path).get<double>();
}
std::int64_t Integer(const json& object, const char* key, const std::string& path) {
  return Field(object, key, json::value_t::number_integer, path).get<std::int64_t>();
}
std::string Text(const json& object, const char* key, const std::string& path) {
  return Field(object, key, json::value_t::string, path).get<std::string>();
}

ordered_json BoxToJson(const sensors::LabeledBox& actor) {
  const sensors::Box3D& box = actor.box;
  return ordered_json{{"track_id", actor.track_id},
                      {"class", std::string(sensors::ToString(actor.object_class))},
                      {"center", {box.center.x(), box.center.y(), box.center.z()}},
                      {"length", box.length},
                      {"width", box.width},
                      {"height", box.height},
                      {"yaw", box.yaw}};
}

sensors::LabeledBox BoxFromJson(const json& object, const std::string& path) {
  sensors::LabeledBox actor;
  actor.track_id = static_cast<int>(Integer(object, "track_id", path));
  const std::string name = Text(object, "class", path);
  const auto object_class = sensors::ParseObjectClass(name);
  if (!object_class) throw std::runtime_error("unknown class '" + name + "' at " + path);
  actor.object_class = *object_class;
  const json& center = Field(object, "center", json::value_t::array, path);
  if (center.size() != 3 || !center[0].is_number() || !center[1].is_number() ||
      !center[2].is_number()) {
    throw std::runtime_error(path + ".center must hold three numbers");
  }
  actor.box.center = {center[0].get<double>(), center[1].get<double>(), center[2].get<double>()};
  actor.box.length = Number(object, "length", path);
  actor.box.width = Number(object, "width", path);
  actor.box.height = Number(object, "height", path);
  actor.box.yaw = Number(object, "yaw", path);
  return actor;
}

}  // namespace

std::string ToJson(const GroundTruth& truth) {
  ordered_json frames = ordered_json::array();
  for (const GroundTruthFrame& frame : truth.frames) {
    ordered_json actors = ordered_json::array();
    for (std::size_t k = 0; k < frame.actors.size(); ++k) {
      ordered_json actor = BoxToJson(frame.actors[k]);
      if (k < frame.lidar_points.size()) actor["lidar_points"] = frame.lidar_points[k];
      actors.push_back(std::move(actor));
    }
    frames.push_back(ordered_json{
        {"index", frame.index}, {"stamp_ns", sensors::ToNanos(frame.stamp)}, {"actors", actors}});
  }
  ordered_json events = ordered_json::array();
  for (const ExpectedEvent& event : truth.events) {
    events.push_back(ordered_json{{"type", event.type},
                                  {"first_frame", event.first_frame},
                                  {"last_frame", event.last_frame},
                                  {"start_ns", sensors::ToNanos(event.start)},
                                  {"end_ns", sensors::ToNanos(event.end)},
                                  {"track_ids", event.track_ids},
                                  {"description", event.description}});
  }
  const ordered_json document{{"format", kFormat},
                              {"version", kVersion},
                              {"scenario", truth.scenario},
                              {"seed", truth.seed},
                              {"hard_negative", truth.hard_negative},
                              {"frames", frames},
                              {"events", events}};
  return document.dump(1) + "\n";
}

GroundTruth ParseGroundTruth(std::string_view text) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e99999
    throw std::runtime_error(std::string("not JSON: ") + e.what());
  }
  if (!document.is_object()) throw std::runtime_error("the document is not a JSON object");
  const std::string format = Text(document, "format", "$");
  if (format != kFormat)
    throw std::runtime_error("format is '" + format + "', not " + std::string(kFormat));
  const std::int64_t version = Integer(document, "version", "$");
  if (version != kVersion) {
    throw std::runtime_error("version " + std::to_string(version) + " is not supported (only " +
                             std::to_string(kVersion) + ")");
  }
  GroundTruth truth;
  truth.scenario = Text(document, "scenario", "$");
  truth.seed = Field(document, "seed", json::value_t::number_integer, "$").get<std::uint64_t>();
  truth.hard_negative = Field(document, "hard_negative", json::value_t::boolean, "$").get<bool>();

  const json& frames = Field(document, "frames", json::value_t::array, "$");
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::string path = "$.frames[" + std::to_string(i) + "]";
    GroundTruthFrame frame;
    frame.index = Integer(frames[i], "index", path);
    frame.stamp = sensors::FromNanos(Integer(frames[i], "stamp_ns", path));
    const json& actors = Field(frames[i], "actors", json::value_t::array, path);
    for (std::size_t k = 0; k < actors.size(); ++k) {
      const std::string actor_path = path + ".actors[" + std::to_string(k) + "]";
      frame.actors.push_back(BoxFromJson(actors[k], actor_path));
      // All or none: a partial list would pair counts with the wrong actors.
      const bool has_points = actors[k].contains("lidar_points");
      const bool earlier_had_points = k == 0 ? has_points : !frame.lidar_points.empty();
      if (has_points != earlier_had_points) {
        throw std::runtime_error(actor_path +
                                 ": lidar_points must be given for every actor or none");
      }
      if (has_points) {
        frame.lidar_points.push_back(
            static_cast<int>(Integer(actors[k], "lidar_points", actor_path)));
      }
    }
    truth.frames.push_back(std::move(frame));
  }

  const json& events = Field(document, "events", json::value_t::array, "$");
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string path = "$.events[" + std::to_string(i) + "]";
    ExpectedEvent event;
    event.type = Text(events[i], "type", path);
    event.first_frame = Integer(events[i], "first_frame", path);
    event.last_frame = Integer(events[i], "last_frame", path);
    event.start = sensors::FromNanos(Integer(events[i], "start_ns", path));
    event.end = sensors::FromNanos(Integer(events[i], "end_ns", path));
    for (const json& id : Field(events[i], "track_ids", json::value_t::array, path)) {
      if (!id.is_number_integer()) throw std::runtime_error(path + ".track_ids must hold integers");
      event.track_ids.push_back(id.get<int>());
    }
    event.description = Text(events[i], "description", path);
    if (event.last_frame < event.first_frame) {
      throw std::runtime_error(path + " ends (frame " + std::to_string(event.last_frame) +
                               ") before it starts (frame " + std::to_string(event.first_frame) +
                               ")");
    }
    truth.events.push_back(std::move(event));
  }
  return truth;
}

void WriteGroundTruth(const GroundTruth& truth, const std::filesystem::path& file) {
  sensors::WriteFileAtomically(file, ToJson(truth));
}

GroundTruth ReadGroundTruth(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open ground truth");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return ParseGroundTruth(text.str());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
}

std::filesystem::path GroundTruthPathForLog(const std::filesystem::path& log) {
  if (std::filesystem::is_directory(log)) return log / "ground_truth.json";
  std::filesystem::path file = log;
  return file.replace_extension(".ground_truth.json");
}

std::string ToKittiTrackingLabels(const GroundTruth& truth, const sensors::CameraModel& camera) {
  std::string text;
  for (const GroundTruthFrame& frame : truth.frames) {
    for (const sensors::LabeledBox& actor : frame.actors) {
      sensors::KittiLabel label = sensors::BoxToKittiLabel(actor, camera);
      if (label.truncated >= 1.0) continue;  // wholly behind or beside the camera's view
      label.frame = static_cast<int>(frame.index);
      label.track_id = actor.track_id;
      text += sensors::FormatKittiLabel(label, /*tracking=*/true);
      text += '\n';
    }
  }
  return text;
}

}  // namespace longtail::tools::synth
