#include "labeling/review/review_json.h"

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "labeling/bounded_json.h"
#include "labeling/queue/queue_json.h"
#include "pipeline/event_json.h"

namespace longtail::labeling::review {
namespace {

using nlohmann::json;

json ParseBody(const std::string& body) {
  json value;
  try {
    value = ParseBoundedJson(body);
  } catch (const JsonTooDeep& e) {
    throw RequestError(400, std::string("the request body is ") + e.what());
  } catch (const json::exception&) {
    throw RequestError(400, "the request body is not valid JSON");
  }
  if (!value.is_object()) throw RequestError(400, "the request body must be a JSON object");
  return value;
}

double FiniteNumber(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw RequestError(400, where + ": '" + key + "' is missing");
  if (!it->is_number()) throw RequestError(400, where + ": '" + key + "' must be a number");
  const double value = it->get<double>();
  if (!std::isfinite(value)) throw RequestError(400, where + ": '" + key + "' is not finite");
  return value;
}

std::int64_t Integer(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw RequestError(400, where + ": '" + key + "' is missing");
  if (!it->is_number_integer()) {
    throw RequestError(400, where + ": '" + key + "' must be an integer");
  }
  return it->get<std::int64_t>();
}

std::string Text(const json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw RequestError(400, where + ": '" + key + "' is missing");
  if (!it->is_string()) throw RequestError(400, where + ": '" + key + "' must be a string");
  return it->get<std::string>();
}

std::string ValidReviewer(const json& object) {
  const std::string name = Text(object, "reviewer", "request");
  if (name.empty() || name.size() > 100) {
    throw RequestError(400, "request: 'reviewer' must be 1 to 100 characters");
  }
  for (const unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      throw RequestError(400, "request: 'reviewer' holds a control character");
    }
  }
  return name;
}

json Matrix(const Eigen::MatrixXd& m) {
  // Row-major, the order people read matrices in.
  json values = json::array();
  for (int r = 0; r < m.rows(); ++r) {
    for (int c = 0; c < m.cols(); ++c) values.push_back(m(r, c));
  }
  return values;
}

std::int64_t Nanos(sensors::Timestamp t) { return sensors::ToNanos(t); }

}  // namespace

json BoxToJson(const sensors::LabeledBox& box) {
  return {{"x", box.box.center.x()},  {"y", box.box.center.y()},
          {"z", box.box.center.z()},  {"length", box.box.length},
          {"width", box.box.width},   {"height", box.box.height},
          {"yaw", box.box.yaw},       {"class", std::string(sensors::ToString(box.object_class))},
          {"track_id", box.track_id}, {"score", box.score}};
}

sensors::LabeledBox BoxFromJson(const json& value, const proto::ReviewServerOptions& options) {
  const std::string where = "box";
  if (!value.is_object()) throw RequestError(400, "box: must be a JSON object");
  sensors::LabeledBox box;
  box.box.center = {FiniteNumber(value, "x", where), FiniteNumber(value, "y", where),
                    FiniteNumber(value, "z", where)};
  if (box.box.center.norm() > options.max_center_distance_m()) {
    throw RequestError(400, "box: centre is more than " +
                                std::to_string(options.max_center_distance_m()) +
                                " m from the vehicle");
  }
  for (const char* key : {"length", "width", "height"}) {
    const double size = FiniteNumber(value, key, where);
    if (size <= 0 || size > options.max_box_size_m()) {
      throw RequestError(400, std::string("box: '") + key + "' must be in (0, " +
                                  std::to_string(options.max_box_size_m()) + "] m");
    }
  }
  box.box.length = value["length"].get<double>();
  box.box.width = value["width"].get<double>();
  box.box.height = value["height"].get<double>();
  box.box.yaw = sensors::WrapAngle(FiniteNumber(value, "yaw", where));
  const auto object_class = sensors::ParseObjectClass(Text(value, "class", where));
  if (!object_class) {
    throw RequestError(400, "box: unknown class '" + value["class"].get<std::string>() + "'");
  }
  box.object_class = *object_class;
  box.track_id = static_cast<int>(Integer(value, "track_id", where));
  if (box.track_id < -1) throw RequestError(400, "box: 'track_id' must be >= -1");
  if (value.contains("score")) {
    box.score = FiniteNumber(value, "score", where);
    if (box.score < 0 || box.score > 1) throw RequestError(400, "box: 'score' must be in [0, 1]");
  }
  return box;
}

json FramesToJson(const std::vector<FramePrelabels>& frames) {
  json out = json::array();
  for (const auto& frame : frames) {
    json boxes = json::array();
    for (const auto& box : frame.boxes) boxes.push_back(BoxToJson(box));
    out.push_back(
        {{"frame_index", frame.frame_index}, {"stamp_ns", Nanos(frame.stamp)}, {"boxes", boxes}});
  }
  return out;
}

json SummaryToJson(const TaskSummary& s) {
  return {{"id", s.id},
          {"state", std::string(ToString(s.state))},
          {"log_id", s.log_id},
          {"log_path", s.log_path},
          {"log_format", s.log_format},
          {"detectors", s.detectors},
          {"first_frame", s.first_frame},
          {"peak_frame", s.peak_frame},
          {"episodes", s.episodes},
          {"last_frame", s.last_frame},
          {"start_ns", Nanos(s.start)},
          {"end_ns", Nanos(s.end)},
          {"severity", s.severity},
          {"required_reviews", s.required_reviews},
          {"submitted_reviews", s.submitted_reviews},
          {"live_claims", s.live_claims},
          {"skips", s.skips},
          {"needs_adjudication", s.needs_adjudication}};
}

json TaskToJson(const TaskDetail& task) {
  json events = json::array();
  for (const auto& e : task.events) events.push_back(e);
  json reviews = json::array();
  for (const auto& r : task.reviews) {
    json review = {{"claim_id", r.claim_id},
                   {"reviewer", r.reviewer},
                   {"state", std::string(ToString(r.state))},
                   {"claimed_ns", Nanos(r.claimed)},
                   {"lease_expires_ns", Nanos(r.lease_expires)},
                   {"comment", r.comment},
                   {"corrections", FramesToJson(r.corrections)}};
    if (r.verdict) review["verdict"] = std::string(ToString(*r.verdict));
    if (r.reject_reason) review["reject_reason"] = std::string(ToString(*r.reject_reason));
    reviews.push_back(review);
  }
  json out = {{"task", SummaryToJson(task.summary)},
              {"events", events},
              {"prelabels", FramesToJson(task.prelabels)},
              {"reviews", reviews},
              {"final_labels", FramesToJson(task.final_labels)}};
  if (task.final_verdict) out["final_verdict"] = std::string(ToString(*task.final_verdict));
  return out;
}

TaskDetail AsReviewersSeeIt(const TaskDetail& task) {
  if (!task.summary.gold) return task;
  TaskDetail shown = task;
  shown.reviews.clear();
  for (const auto& r : task.reviews) {
    if (r.gold_check && r.state == ClaimState::kClaimed) shown.reviews.push_back(r);
  }
  shown.summary.state = TaskState::kClaimed;
  shown.summary.submitted_reviews = 0;
  shown.summary.live_claims = static_cast<int>(shown.reviews.size());
  shown.summary.required_reviews = 1;
  shown.summary.gold = false;
  shown.disagreements.clear();
  shown.final_verdict.reset();
  shown.final_labels.clear();
  shown.final_reject_reason.reset();
  return shown;
}

json FrameToJson(std::int64_t task_id, const sensors::Frame& frame) {
  json cameras = json::array();
  const std::string base = "/api/tasks/" + std::to_string(task_id) + "/frames/" +
                           std::to_string(frame.index) + "/cameras/";
  if (frame.calibration) {
    for (const auto& model : frame.calibration->cameras) {
      for (const auto& image : frame.cameras) {
        if (image.image.camera != model.name || !image.image.data) continue;
        cameras.push_back({{"name", model.name},
                           {"width", model.width},
                           {"height", model.height},
                           {"projection", Matrix(model.projection)},
                           {"camera_from_vehicle", Matrix(model.camera_from_vehicle.matrix())},
                           {"format", image.image.format},
                           {"skew_ns", image.skew.count()},
                           {"image_url", base + model.name + "/image"}});
      }
    }
  }
  json out = {{"frame_index", frame.index},
              {"stamp_ns", Nanos(frame.lidar.stamp)},
              {"point_count", frame.lidar.points.size()},
              {"points_url", "/api/tasks/" + std::to_string(task_id) + "/frames/" +
                                 std::to_string(frame.index) + "/points"},
              {"cameras", cameras},
              {"ground_z", nullptr}};
  // The road under the lidar in the vehicle frame, from the log's own mounting height: where the
  // page stands a new box when the frame has none to go by.
  if (frame.calibration) {
    out["ground_z"] =
        frame.calibration->vehicle_from_lidar.translation().z() - frame.calibration->lidar_height_m;
  }
  return out;
}

std::string PointsToBytes(const sensors::Frame& frame) {
  const Eigen::Isometry3f vehicle_from_lidar =
      frame.calibration ? frame.calibration->vehicle_from_lidar.cast<float>()
                        : Eigen::Isometry3f::Identity();
  std::vector<float> values;
  values.reserve(frame.lidar.points.size() * 4);
  for (const auto& p : frame.lidar.points) {
    const Eigen::Vector3f v = vehicle_from_lidar * Eigen::Vector3f(p.x, p.y, p.z);
    values.insert(values.end(), {v.x(), v.y(), v.z(), p.intensity});
  }
  std::string bytes(values.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

namespace {

std::string ReviewerOf(const json& value, const std::optional<std::string>& authenticated) {
  return authenticated ? *authenticated : ValidReviewer(value);
}

// The decision part of a submission or an adjudication: verdict, comment, reject reason and
// corrections, validated against the task.
Submission ParseDecision(const json& value, const TaskSummary& task,
                         const proto::ReviewServerOptions& options) {
  Submission s;
  const auto verdict = ParseVerdict(Text(value, "verdict", "request"));
  if (!verdict) {
    throw RequestError(400, "request: 'verdict' must be \"accept\", \"correct\" or \"reject\"");
  }
  s.verdict = *verdict;
  if (value.contains("comment")) s.comment = Text(value, "comment", "request");
  const json corrections = value.value("corrections", json::array());
  if (!corrections.is_array()) throw RequestError(400, "request: 'corrections' must be an array");
  if (s.verdict == Verdict::kAccept && !corrections.empty()) {
    throw RequestError(400, "request: an \"accept\" carries no corrections; use \"correct\"");
  }
  if (s.verdict == Verdict::kReject) {
    if (!corrections.empty())
      throw RequestError(400, "request: a \"reject\" carries no corrections");
    const std::string reason =
        value.contains("reject_reason") ? Text(value, "reject_reason", "request") : "";
    s.reject_reason = ParseRejectReason(reason);
    if (!s.reject_reason) {
      throw RequestError(400,
                         "request: a \"reject\" needs 'reject_reason': \"false_alarm\", "
                         "\"not_worth_review\", \"wrong_object\" or \"wrong_box\"");
    }
  }
  if (s.verdict == Verdict::kCorrect && corrections.empty()) {
    throw RequestError(400, "request: a \"correct\" needs at least one corrected frame");
  }
  std::set<std::int64_t> seen;
  for (const json& frame : corrections) {
    if (!frame.is_object()) throw RequestError(400, "correction: must be a JSON object");
    FramePrelabels out;
    out.frame_index = Integer(frame, "frame_index", "correction");
    const std::string where = "frame " + std::to_string(out.frame_index);
    if (out.frame_index < task.first_frame || out.frame_index > task.last_frame) {
      throw RequestError(400, where + " is outside the task's window [" +
                                  std::to_string(task.first_frame) + ", " +
                                  std::to_string(task.last_frame) + "]");
    }
    if (!seen.insert(out.frame_index).second) throw RequestError(400, where + " is listed twice");
    const auto boxes = frame.find("boxes");
    if (boxes == frame.end() || !boxes->is_array()) {
      throw RequestError(400, where + ": 'boxes' must be an array");
    }
    if (boxes->size() > static_cast<std::size_t>(options.max_boxes_per_frame())) {
      throw RequestError(
          400, where + ": more than " + std::to_string(options.max_boxes_per_frame()) + " boxes");
    }
    for (const json& box : *boxes) {
      try {
        out.boxes.push_back(BoxFromJson(box, options));
      } catch (const RequestError& e) {
        throw RequestError(400, where + ", " + e.what());
      }
    }
    if (frame.contains("stamp_ns")) {
      out.stamp = sensors::FromNanos(Integer(frame, "stamp_ns", where));
    }
    s.corrections.push_back(std::move(out));
  }
  return s;
}

}  // namespace

SubmitRequest ParseSubmit(const std::string& body, const TaskSummary& task,
                          const proto::ReviewServerOptions& options,
                          const std::optional<std::string>& authenticated) {
  const json value = ParseBody(body);
  SubmitRequest request;
  const std::int64_t claim_id = Integer(value, "claim_id", "request");
  const std::string reviewer = ReviewerOf(value, authenticated);
  request.submission = ParseDecision(value, task, options);
  request.submission.claim_id = claim_id;
  request.submission.reviewer = reviewer;
  return request;
}

Adjudication ParseAdjudication(const std::string& body, const TaskSummary& task,
                               const proto::ReviewServerOptions& options,
                               const std::optional<std::string>& authenticated) {
  const json value = ParseBody(body);
  const std::string adjudicator = ReviewerOf(value, authenticated);
  Submission s = ParseDecision(value, task, options);
  return {task.id,        adjudicator, s.verdict, std::move(s.corrections), std::move(s.comment),
          s.reject_reason};
}

ClaimRef ParseClaimRef(const std::string& body, const std::optional<std::string>& authenticated) {
  const json value = ParseBody(body);
  ClaimRef ref;
  ref.claim_id = Integer(value, "claim_id", "request");
  ref.reviewer = ReviewerOf(value, authenticated);
  if (value.contains("reason")) ref.reason = Text(value, "reason", "request");
  return ref;
}

std::string ParseReviewer(const std::string& body,
                          const std::optional<std::string>& authenticated) {
  if (authenticated) return *authenticated;
  return ValidReviewer(ParseBody(body));
}

}  // namespace longtail::labeling::review
