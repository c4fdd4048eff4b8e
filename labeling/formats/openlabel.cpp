#include "labeling/formats/openlabel.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "labeling/bounded_json.h"
#include "labeling/formats/kitti_labels.h"
#include "sensors/atomic_file.h"

namespace longtail::labeling {
namespace {

using nlohmann::json;
using sensors::Box3D;
using sensors::IssueLog;

constexpr const char* kCuboidName = "box3d";
constexpr const char* kBboxName = "box2d";
constexpr const char* kEventValuePrefix = "value.";

// ---- writing -------------------------------------------------------------------------------

json Matrix4x4(const Eigen::Isometry3d& transform) {
  json values = json::array();
  const Eigen::Matrix4d m = transform.matrix();
  for (int row = 0; row < 4; ++row) {
    for (int col = 0; col < 4; ++col) values.push_back(m(row, col));
  }
  return {{"matrix4x4", values}};
}

// The exact inverse: KITTI's camera_from_vehicle (R_rect * Tr_velo_to_cam) is not quite
// orthonormal, so Isometry3d::inverse(), which transposes the rotation, would not round-trip it.
Eigen::Isometry3d Inverse(const Eigen::Isometry3d& transform) {
  return Eigen::Isometry3d(transform.matrix().inverse());
}

json Interval(std::int64_t first, std::int64_t last) {
  return {{"frame_start", first}, {"frame_end", last}};
}

// Closed intervals covering the ascending, distinct `frames`.
json Intervals(const std::vector<std::int64_t>& frames) {
  json intervals = json::array();
  for (std::size_t i = 0; i < frames.size();) {
    std::size_t j = i;
    while (j + 1 < frames.size() && frames[j + 1] == frames[j] + 1) ++j;
    intervals.push_back(Interval(frames[i], frames[j]));
    i = j + 1;
  }
  return intervals;
}

json Named(const std::string& name, json value) { return {{"name", name}, {"val", value}}; }

std::string TypeName(const ObjectLabel& object) {
  const bool source_name_valid =
      !object.type_name.empty() &&
      sensors::ParseObjectClass(object.type_name).value_or(sensors::ObjectClass::kUnknown) ==
          object.labeled.object_class;
  return source_name_valid ? object.type_name : std::string(ToString(object.labeled.object_class));
}

json CuboidValues(const Box3D& box) {
  const Eigen::Quaterniond q(Eigen::AngleAxisd(box.yaw, Eigen::Vector3d::UnitZ()));
  return {box.center.x(), box.center.y(), box.center.z(), q.x(),     q.y(),
          q.z(),          q.w(),          box.length,     box.width, box.height};
}

json ObjectData(const ObjectLabel& object) {
  json data;
  data["cuboid"] =
      json::array({{{"name", kCuboidName},
                    {"coordinate_system", kOpenLabelVehicleFrame},
                    {"val", CuboidValues(object.labeled.box)},
                    {"attributes", {{"num", {Named("score", object.labeled.score)}}}}}});
  if (object.image) {
    const Eigen::Vector4d& b = object.image->bbox;
    // OpenLABEL's bbox is centre x, centre y, width, height.
    data["bbox"] =
        json::array({{{"name", kBboxName},
                      {"coordinate_system", object.image->camera},
                      {"val", {(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]}}}});
    data["num"] = json::array(
        {Named("truncated", object.image->truncated), Named("occluded", object.image->occluded)});
  }
  return data;
}

json Streams(const sensors::Calibration& calibration) {
  json streams = json::object();
  streams["lidar"] = {{"type", "lidar"}, {"uri", ""}, {"description", "lidar, vehicle frame"}};
  for (const sensors::CameraModel& camera : calibration.cameras) {
    json matrix = json::array();
    for (int row = 0; row < 3; ++row) {
      for (int col = 0; col < 4; ++col) matrix.push_back(camera.projection(row, col));
    }
    // The schema names the matrix `camera_matrix`; VCD and the ASAM text `camera_matrix_3x4`:
    // both, so either kind of reader finds it. Rectified images: no distortion.
    streams[camera.name] = {{"type", "camera"},
                            {"uri", ""},
                            {"description", "rectified camera"},
                            {"stream_properties",
                             {{"intrinsics_pinhole",
                               {{"width_px", camera.width},
                                {"height_px", camera.height},
                                {"camera_matrix_3x4", matrix},
                                {"camera_matrix", matrix},
                                {"distortion_coeffs_1xN", {0.0, 0.0, 0.0, 0.0, 0.0}}}}}}};
  }
  return streams;
}

json CoordinateSystems(const sensors::Calibration& calibration) {
  json systems = json::object();
  json children = json::array({"lidar"});
  systems["lidar"] = {{"type", "sensor_cs"},
                      {"parent", kOpenLabelVehicleFrame},
                      {"children", json::array()},
                      {"pose_wrt_parent", Matrix4x4(calibration.vehicle_from_lidar)}};
  for (const sensors::CameraModel& camera : calibration.cameras) {
    children.push_back(camera.name);
    // pose_wrt_parent maps child coordinates to the parent's: vehicle_from_camera.
    systems[camera.name] = {{"type", "sensor_cs"},
                            {"parent", kOpenLabelVehicleFrame},
                            {"children", json::array()},
                            {"pose_wrt_parent", Matrix4x4(Inverse(camera.camera_from_vehicle))}};
  }
  systems[std::string(kOpenLabelVehicleFrame)] = {
      {"type", "local_cs"}, {"parent", ""}, {"children", children}};
  return systems;
}

json EventJson(const pipeline::Event& event) {
  json text = json::array({Named("reason", event.reason), Named("detector", event.detector),
                           Named("start_ns", std::to_string(sensors::ToNanos(event.start))),
                           Named("end_ns", std::to_string(sensors::ToNanos(event.end))),
                           Named("peak_ns", std::to_string(sensors::ToNanos(event.peak)))});
  // An episode: its frame interval, and the frame of its peak, where severity and values hold.
  json num =
      json::array({Named("detector_version", event.detector_version),
                   Named("severity", event.severity), Named("peak_frame", event.peak_frame)});
  for (const auto& [name, value] : event.values)
    num.push_back(Named(kEventValuePrefix + name, value));
  json event_data = {{"text", text}, {"num", num}};
  event_data["vec"] = json::array({Named("track_ids", event.track_ids)});
  return {{"name", event.detector + ":" + event.type},
          {"type", event.type},
          {"frame_intervals", json::array({Interval(event.first_frame, event.last_frame)})},
          {"event_data", event_data}};
}

// ---- reading -------------------------------------------------------------------------------

struct CoordinateSystem {
  std::string parent;
  Eigen::Isometry3d parent_from_this = Eigen::Isometry3d::Identity();
};

Eigen::Matrix3d EulerZyx(double rx, double ry, double rz) {
  return (Eigen::AngleAxisd(rz, Eigen::Vector3d::UnitZ()) *
          Eigen::AngleAxisd(ry, Eigen::Vector3d::UnitY()) *
          Eigen::AngleAxisd(rx, Eigen::Vector3d::UnitX()))
      .toRotationMatrix();
}

bool AllNumbers(const json& array, std::size_t count) {
  if (!array.is_array() || array.size() != count) return false;
  return std::all_of(array.begin(), array.end(),
                     [](const json& v) { return v.is_number() && std::isfinite(v.get<double>()); });
}

// A transform_data object: matrix4x4, quaternion + translation, or ZYX Euler + translation.
std::optional<Eigen::Isometry3d> ParseTransform(const json& data) {
  Eigen::Isometry3d transform = Eigen::Isometry3d::Identity();
  if (data.contains("matrix4x4")) {
    const json& m = data["matrix4x4"];
    if (!AllNumbers(m, 16)) return std::nullopt;
    Eigen::Matrix4d matrix;
    for (int i = 0; i < 16; ++i) matrix(i / 4, i % 4) = m[i].get<double>();
    transform.matrix() = matrix;
    return transform;
  }
  if (!data.contains("translation") || !AllNumbers(data["translation"], 3)) return std::nullopt;
  const json& t = data["translation"];
  transform.translation() =
      Eigen::Vector3d(t[0].get<double>(), t[1].get<double>(), t[2].get<double>());
  if (data.contains("quaternion") && AllNumbers(data["quaternion"], 4)) {
    const json& q = data["quaternion"];  // x, y, z, w
    Eigen::Quaterniond quaternion(q[3].get<double>(), q[0].get<double>(), q[1].get<double>(),
                                  q[2].get<double>());
    if (quaternion.norm() < 1e-9) return std::nullopt;
    transform.linear() = quaternion.normalized().toRotationMatrix();
    return transform;
  }
  if (data.contains("euler_angles") && AllNumbers(data["euler_angles"], 3) &&
      data.value("sequence", std::string("ZYX")) == "ZYX") {
    const json& e = data["euler_angles"];  // rz, ry, rx for the ZYX sequence
    transform.linear() = EulerZyx(e[2].get<double>(), e[1].get<double>(), e[0].get<double>());
    return transform;
  }
  return std::nullopt;
}

class Frames {
 public:
  Frames(const json& openlabel, const std::string& source, IssueLog& issues) {
    if (!openlabel.contains("coordinate_systems")) return;
    for (const auto& [name, system] : openlabel["coordinate_systems"].items()) {
      CoordinateSystem cs;
      cs.parent = system.value("parent", std::string());
      if (system.contains("pose_wrt_parent")) {
        const std::optional<Eigen::Isometry3d> pose = ParseTransform(system["pose_wrt_parent"]);
        if (!pose) {
          issues.Report(
              {source, 0, 0, "coordinate system '" + name + "': unusable pose_wrt_parent"});
          continue;
        }
        cs.parent_from_this = *pose;
      }
      systems_[name] = cs;
    }
  }

  // target_from_source when both are known and share a root; identity for the same name (or when
  // the file declares no coordinate systems at all: everything is in one frame).
  std::optional<Eigen::Isometry3d> TargetFrom(const std::string& target,
                                              const std::string& source) const {
    if (target == source || systems_.empty()) return Eigen::Isometry3d::Identity();
    const auto [root_a, root_from_target] = RootFrom(target);
    const auto [root_b, root_from_source] = RootFrom(source);
    if (root_a.empty() || root_a != root_b) return std::nullopt;
    return Inverse(root_from_target) * root_from_source;
  }

 private:
  std::pair<std::string, Eigen::Isometry3d> RootFrom(const std::string& name) const {
    Eigen::Isometry3d root_from_name = Eigen::Isometry3d::Identity();
    std::string current = name;
    for (std::size_t depth = 0; depth <= systems_.size(); ++depth) {
      const auto it = systems_.find(current);
      if (it == systems_.end()) return {"", root_from_name};
      if (it->second.parent.empty()) return {current, root_from_name};
      root_from_name = it->second.parent_from_this * root_from_name;
      current = it->second.parent;
    }
    return {"", root_from_name};  // a cycle
  }

  std::map<std::string, CoordinateSystem> systems_;
};

// A cuboid's 9 or 10 values, expressed in its coordinate system, as a box in the target frame.
std::optional<Box3D> CuboidToBox(const json& val, const Eigen::Isometry3d& target_from_cs) {
  if (!val.is_array() || (val.size() != 9 && val.size() != 10) || !AllNumbers(val, val.size())) {
    return std::nullopt;
  }
  std::vector<double> v;
  for (const json& x : val) v.push_back(x.get<double>());
  Eigen::Matrix3d rotation;
  Eigen::Vector3d size;
  if (v.size() == 10) {
    const Eigen::Quaterniond q(v[6], v[3], v[4], v[5]);
    if (q.norm() < 1e-9) return std::nullopt;
    rotation = q.normalized().toRotationMatrix();
    size = {v[7], v[8], v[9]};
  } else {
    rotation = EulerZyx(v[3], v[4], v[5]);
    size = {v[6], v[7], v[8]};
  }
  if ((size.array() < 0).any()) return std::nullopt;
  // The box's local axes in the target frame: the most vertical one carries the height; the local
  // x axis is the heading unless it is the vertical one.
  const Eigen::Matrix3d axes = target_from_cs.linear() * rotation;
  int up = 0;
  for (int i = 1; i < 3; ++i) {
    if (std::abs(axes(2, i)) > std::abs(axes(2, up))) up = i;
  }
  const int heading = up == 0 ? 1 : 0;
  const int across = 3 - up - heading;
  Box3D box;
  box.center = target_from_cs * Eigen::Vector3d(v[0], v[1], v[2]);
  box.length = size[heading];
  box.width = size[across];
  box.height = size[up];
  box.yaw = sensors::WrapAngle(std::atan2(axes(1, heading), axes(0, heading)));
  return box;
}

std::optional<double> NamedNumber(const json& data, const std::string& name) {
  if (!data.is_object() || !data.contains("num") || !data["num"].is_array()) return std::nullopt;
  for (const json& entry : data["num"]) {
    if (entry.value("name", std::string()) == name && entry.contains("val") &&
        entry["val"].is_number()) {
      return entry["val"].get<double>();
    }
  }
  return std::nullopt;
}

std::optional<std::string> NamedText(const json& data, const std::string& name) {
  if (!data.is_object() || !data.contains("text") || !data["text"].is_array()) return std::nullopt;
  for (const json& entry : data["text"]) {
    if (entry.value("name", std::string()) == name && entry.contains("val") &&
        entry["val"].is_string()) {
      return entry["val"].get<std::string>();
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<sensors::Timestamp> FrameStamp(const json& frame) {
  if (!frame.contains("frame_properties")) return std::nullopt;
  const json& properties = frame["frame_properties"];
  if (properties.contains("timestamp_ns") && properties["timestamp_ns"].is_string()) {
    if (auto ns = ParseInteger(properties["timestamp_ns"].get<std::string>())) {
      return sensors::FromNanos(*ns);
    }
  }
  if (properties.contains("timestamp") && properties["timestamp"].is_number()) {
    return sensors::Timestamp(sensors::FromSeconds(properties["timestamp"].get<double>()));
  }
  if (properties.contains("timestamp") && properties["timestamp"].is_string()) {
    return sensors::ParseKittiTimestamp(properties["timestamp"].get<std::string>());
  }
  return std::nullopt;
}

std::vector<sensors::CameraModel> ReadCameras(const json& openlabel, const Frames& frames,
                                              const std::string& vehicle_frame,
                                              const std::string& source, IssueLog& issues) {
  std::vector<sensors::CameraModel> cameras;
  if (!openlabel.contains("streams") || !openlabel["streams"].is_object()) return cameras;
  for (const auto& [name, stream] : openlabel["streams"].items()) {
    if (!stream.contains("stream_properties") ||
        !stream["stream_properties"].contains("intrinsics_pinhole")) {
      continue;
    }
    const json& pinhole = stream["stream_properties"]["intrinsics_pinhole"];
    const json& matrix = pinhole.contains("camera_matrix_3x4")
                             ? pinhole["camera_matrix_3x4"]
                             : pinhole.value("camera_matrix", json());
    const std::optional<Eigen::Isometry3d> vehicle_from_camera =
        frames.TargetFrom(vehicle_frame, name);
    if (!AllNumbers(matrix, 12) || !vehicle_from_camera) {
      issues.Report({source, 0, 0, "stream '" + name + "': no usable 3x4 camera matrix or pose"});
      continue;
    }
    sensors::CameraModel camera;
    camera.name = name;
    camera.width = pinhole.value("width_px", 0);
    camera.height = pinhole.value("height_px", 0);
    for (int i = 0; i < 12; ++i) camera.projection(i / 4, i % 4) = matrix[i].get<double>();
    camera.camera_from_vehicle = Inverse(*vehicle_from_camera);
    cameras.push_back(camera);
  }
  return cameras;
}

std::vector<pipeline::Event> ReadEvents(const json& openlabel) {
  std::vector<pipeline::Event> events;
  if (!openlabel.contains("events") || !openlabel["events"].is_object()) return events;
  std::map<std::int64_t, pipeline::Event> by_uid;  // keys are numeric uids: keep their order
  std::int64_t next_uid = 0;
  for (const auto& [uid, element] : openlabel["events"].items()) {
    pipeline::Event event;
    event.type = element.value("type", std::string());
    const json data = element.value("event_data", json::object());
    event.reason = NamedText(data, "reason").value_or("");
    event.detector = NamedText(data, "detector").value_or("");
    event.detector_version = static_cast<int>(NamedNumber(data, "detector_version").value_or(1));
    event.severity = NamedNumber(data, "severity").value_or(0);
    if (auto ns = ParseInteger(NamedText(data, "start_ns").value_or(""))) {
      event.start = sensors::FromNanos(*ns);
    }
    if (auto ns = ParseInteger(NamedText(data, "end_ns").value_or(""))) {
      event.end = sensors::FromNanos(*ns);
    }
    if (data.contains("num")) {
      for (const json& entry : data["num"]) {
        const std::string name = entry.value("name", std::string());
        if (name.rfind(kEventValuePrefix, 0) == 0 && entry.contains("val") &&
            entry["val"].is_number()) {
          event.values[name.substr(std::string_view(kEventValuePrefix).size())] =
              entry["val"].get<double>();
        }
      }
    }
    if (data.contains("vec")) {
      for (const json& entry : data["vec"]) {
        if (entry.value("name", std::string()) != "track_ids" || !entry.contains("val")) continue;
        for (const json& id : entry["val"]) {
          if (id.is_number_integer()) event.track_ids.push_back(id.get<int>());
        }
      }
    }
    const json intervals = element.value("frame_intervals", json::array());
    if (!intervals.empty()) {
      event.first_frame = intervals.front().value("frame_start", std::int64_t{0});
      event.last_frame = intervals.back().value("frame_end", event.first_frame);
    }
    event.peak_frame = static_cast<std::int64_t>(
        NamedNumber(data, "peak_frame").value_or(static_cast<double>(event.first_frame)));
    event.peak = event.start;
    if (auto ns = ParseInteger(NamedText(data, "peak_ns").value_or(""))) {
      event.peak = sensors::FromNanos(*ns);
    }
    by_uid[ParseInteger(uid).value_or(1'000'000'000 + next_uid++)] = event;
  }
  for (auto& [uid, event] : by_uid) events.push_back(std::move(event));
  return events;
}

// What the document's "objects" section says of one object: its type and the frames it is in.
struct ObjectSummary {
  std::string type;
  std::vector<std::int64_t> frames;
  bool has_image = false;
};

// The "frames" section, and what the "objects" and "frame_intervals" sections need from it.
struct FramesSection {
  json frames = json::object();
  std::map<int, ObjectSummary> objects;  // by object uid
  std::vector<std::int64_t> frame_indices;
};

FramesSection FormatFrames(const LabelSet& labels) {
  // Object uids: the track id when there is one, otherwise fresh numbers above every track id.
  int next_free_uid = 0;
  for (const LabeledFrame& frame : labels.frames) {
    for (const ObjectLabel& object : frame.objects) {
      next_free_uid = std::max(next_free_uid, object.labeled.track_id + 1);
    }
  }
  FramesSection section;
  for (const LabeledFrame& frame : labels.frames) {
    json frame_json = json::object();
    json frame_objects = json::object();
    for (const ObjectLabel& object : frame.objects) {
      const int uid = object.labeled.track_id >= 0 ? object.labeled.track_id : next_free_uid++;
      ObjectSummary& summary = section.objects[uid];
      if (summary.type.empty()) summary.type = TypeName(object);
      if (summary.frames.empty() || summary.frames.back() != frame.frame_index) {
        summary.frames.push_back(frame.frame_index);
      }
      summary.has_image = summary.has_image || object.image.has_value();
      frame_objects[std::to_string(uid)] = {{"object_data", ObjectData(object)}};
    }
    if (!frame_objects.empty()) frame_json["objects"] = frame_objects;
    if (frame.stamp) {
      frame_json["frame_properties"] = {
          {"timestamp", sensors::ToSeconds(frame.stamp->time_since_epoch())},
          {"timestamp_ns", std::to_string(sensors::ToNanos(*frame.stamp))}};
    }
    section.frames[std::to_string(frame.frame_index)] = frame_json;
    section.frame_indices.push_back(frame.frame_index);
  }
  std::sort(section.frame_indices.begin(), section.frame_indices.end());
  section.frame_indices.erase(
      std::unique(section.frame_indices.begin(), section.frame_indices.end()),
      section.frame_indices.end());
  return section;
}

// The "objects" section: each object's name, type, frames and which per-frame data it has.
json FormatObjects(std::map<int, ObjectSummary> objects) {
  json objects_json = json::object();
  for (auto& [uid, summary] : objects) {
    std::sort(summary.frames.begin(), summary.frames.end());
    const json intervals = Intervals(summary.frames);
    json pointers = {{kCuboidName,
                      {{"type", "cuboid"},
                       {"frame_intervals", intervals},
                       {"attribute_pointers", {{"score", "num"}}}}}};
    if (summary.has_image) {
      pointers[kBboxName] = {{"type", "bbox"}, {"frame_intervals", intervals}};
      pointers["truncated"] = {{"type", "num"}, {"frame_intervals", intervals}};
      pointers["occluded"] = {{"type", "num"}, {"frame_intervals", intervals}};
    }
    objects_json[std::to_string(uid)] = {{"name", summary.type + std::to_string(uid)},
                                         {"type", summary.type},
                                         {"frame_intervals", intervals},
                                         {"object_data_pointers", pointers}};
  }
  return objects_json;
}

// The "events" section, one element per event, and the "tags" section: one tag per detector and
// event type, so a reader can list what was mined without reading every event.
struct EventSections {
  json events = json::object();
  json tags = json::object();
};

EventSections FormatEvents(const LabelSet& labels) {
  EventSections sections;
  std::set<std::pair<std::string, std::string>> tagged;  // (detector, type)
  for (std::size_t i = 0; i < labels.events.size(); ++i) {
    const pipeline::Event& event = labels.events[i];
    sections.events[std::to_string(i)] = EventJson(event);
    if (!tagged.insert({event.detector, event.type}).second) continue;
    sections.tags[std::to_string(sections.tags.size())] = {
        {"type", event.type},
        {"tag_data",
         {{"text", {Named("detector", event.detector), Named("options_hash", labels.options_hash)}},
          {"num", {Named("detector_version", event.detector_version)}}}}};
  }
  return sections;
}

}  // namespace

std::string FormatOpenLabel(const LabelSet& labels) {
  FramesSection frames = FormatFrames(labels);
  json openlabel = {{"metadata",
                     {{"schema_version", "1.0.0"},
                      {"annotator", "longtail"},
                      {"name", labels.name},
                      {"comment",
                       "boxes in the vehicle frame (ISO 8855); cuboid sizes are "
                       "length, width, height in m"},
                      {"options_hash", labels.options_hash}}},
                    {"coordinate_systems", CoordinateSystems(labels.calibration)},
                    {"streams", Streams(labels.calibration)},
                    {"objects", FormatObjects(std::move(frames.objects))},
                    {"frames", frames.frames},
                    {"frame_intervals", Intervals(frames.frame_indices)}};
  if (!labels.events.empty()) {
    EventSections events = FormatEvents(labels);
    openlabel["events"] = std::move(events.events);
    openlabel["tags"] = std::move(events.tags);
  }
  return json{{"openlabel", openlabel}}.dump();
}

void WriteOpenLabel(const std::filesystem::path& file, const LabelSet& labels) {
  sensors::WriteFileAtomically(file, FormatOpenLabel(labels));
}

namespace {

// What reading one document's boxes needs: its coordinate systems, the frame boxes are wanted
// in, and where to report what cannot be read.
struct DocumentContext {
  const Frames& coordinate_frames;
  const std::string& vehicle_frame;
  const std::string& source;
  IssueLog& issues;
};

// The type of every object of the "objects" section, by uid.
std::map<std::string, std::string> ObjectTypes(const json& openlabel) {
  std::map<std::string, std::string> object_types;
  if (openlabel.contains("objects") && openlabel["objects"].is_object()) {
    for (const auto& [uid, object] : openlabel["objects"].items()) {
      object_types[uid] = object.value("type", std::string());
    }
  }
  return object_types;
}

// The object's 2D box in its camera's image (centre, width, height), when its data has one.
std::optional<ImageLabel> ReadImageBox(const json& data) {
  if (!data.contains("bbox") || !data["bbox"].is_array() || data["bbox"].empty() ||
      !AllNumbers(data["bbox"].front().value("val", json()), 4)) {
    return std::nullopt;
  }
  const json& bbox = data["bbox"].front();
  const json& v = bbox["val"];
  const double cx = v[0], cy = v[1], w = v[2], h = v[3];
  ImageLabel image;
  image.camera = bbox.value("coordinate_system", std::string());
  image.bbox = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
  image.truncated = NamedNumber(data, "truncated").value_or(0.0);
  image.occluded = static_cast<int>(NamedNumber(data, "occluded").value_or(3.0));
  return image;
}

// One object of frame `key`, its box moved to the vehicle frame. nullopt for DontCare regions and
// objects without a cuboid (skipped), and for cuboids that cannot be placed (reported).
std::optional<ObjectLabel> ReadObject(const std::string& key, const std::string& uid,
                                      const json& element, const std::string& type,
                                      const DocumentContext& context) {
  std::string lower = type;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lower == "dontcare") return std::nullopt;
  if (!element.is_object() || !element.contains("object_data")) return std::nullopt;
  const json& data = element["object_data"];
  if (!data.is_object() || !data.contains("cuboid") || !data["cuboid"].is_array() ||
      data["cuboid"].empty()) {
    return std::nullopt;
  }
  const json& cuboid = data["cuboid"].front();
  const std::string where = "frame " + key + ", object " + uid + ": ";
  const std::string& vehicle_frame = context.vehicle_frame;
  const std::string cs = cuboid.value("coordinate_system", vehicle_frame);
  const std::optional<Eigen::Isometry3d> vehicle_from_cs =
      context.coordinate_frames.TargetFrom(vehicle_frame, cs);
  if (!vehicle_from_cs) {
    context.issues.Report(
        {context.source, 0, 0,
         where + "coordinate system '" + cs + "' not connected to '" + vehicle_frame + "'"});
    return std::nullopt;
  }
  const std::optional<Box3D> box = CuboidToBox(cuboid.value("val", json()), *vehicle_from_cs);
  if (!box) {
    context.issues.Report(
        {context.source, 0, 0, where + "cuboid needs 9 or 10 finite values, sizes >= 0"});
    return std::nullopt;
  }
  ObjectLabel object;
  object.labeled.box = *box;
  object.type_name = type;
  object.labeled.object_class =
      sensors::ParseObjectClass(type).value_or(sensors::ObjectClass::kUnknown);
  const std::optional<std::int64_t> track = ParseInteger(uid);
  object.labeled.track_id =
      track && *track >= 0 && *track <= std::numeric_limits<int>::max() ? int(*track) : -1;
  object.labeled.score =
      NamedNumber(cuboid.value("attributes", json::object()), "score").value_or(1.0);
  object.image = ReadImageBox(data);
  return object;
}

// The "frames" section, in frame order; keys that are not frame numbers are reported.
std::vector<LabeledFrame> ReadFrames(const json& openlabel, const DocumentContext& context) {
  const std::map<std::string, std::string> object_types = ObjectTypes(openlabel);
  std::map<std::int64_t, LabeledFrame> frames;
  const json no_frames = json::object();
  const json& all_frames = openlabel.contains("frames") ? openlabel["frames"] : no_frames;
  for (const auto& [key, frame] : all_frames.items()) {
    const std::optional<std::int64_t> index = ParseInteger(key);
    if (!index || !frame.is_object()) {
      context.issues.Report({context.source, 0, 0, "frame '" + key + "': not a frame number"});
      continue;
    }
    LabeledFrame& labeled = frames[*index];
    labeled.frame_index = *index;
    labeled.stamp = FrameStamp(frame);
    if (!frame.contains("objects")) continue;
    for (const auto& [uid, element] : frame["objects"].items()) {
      const auto type = object_types.find(uid);
      std::optional<ObjectLabel> object = ReadObject(
          key, uid, element, type != object_types.end() ? type->second : std::string(), context);
      if (object) labeled.objects.push_back(std::move(*object));
    }
  }
  std::vector<LabeledFrame> in_order;
  for (auto& [index, frame] : frames) in_order.push_back(std::move(frame));
  return in_order;
}

LabelSet ParseDocument(const json& openlabel, const std::string& vehicle_frame,
                       const std::string& source, IssueLog& issues) {
  const Frames coordinate_frames(openlabel, source, issues);
  const DocumentContext context{coordinate_frames, vehicle_frame, source, issues};

  LabelSet labels;
  if (openlabel.contains("metadata")) {
    labels.name = openlabel["metadata"].value("name", std::string());
    labels.options_hash = openlabel["metadata"].value("options_hash", std::string());
  }
  labels.calibration.cameras =
      ReadCameras(openlabel, coordinate_frames, vehicle_frame, source, issues);
  labels.events = ReadEvents(openlabel);
  labels.frames = ReadFrames(openlabel, context);
  return labels;
}

}  // namespace

LabelSet ParseOpenLabel(std::string_view json_text, const std::string& vehicle_frame,
                        const std::string& source, IssueLog& issues) {
  json root;
  try {
    root = ParseBoundedJson(json_text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e99999
    throw FormatError(source + ": not JSON: " + e.what());
  } catch (const JsonTooDeep& e) {
    throw FormatError(source + ": " + e.what());
  }
  if (!root.is_object() || !root.contains("openlabel") || !root["openlabel"].is_object()) {
    throw FormatError(source + ": no \"openlabel\" object");
  }
  try {
    return ParseDocument(root["openlabel"], vehicle_frame, source, issues);
  } catch (const json::exception& e) {
    // An element of the wrong JSON type where the reader did not check (e.g. "metadata": 5):
    // the file does not follow the schema at all.
    throw FormatError(source + ": malformed OpenLABEL: " + e.what());
  }
}

LabelSet ReadOpenLabel(const std::filesystem::path& file, const std::string& vehicle_frame,
                       IssueLog& issues) {
  return ParseOpenLabel(ReadTextFile(file), vehicle_frame, file.string(), issues);
}

}  // namespace longtail::labeling
