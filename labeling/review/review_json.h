// The review API's JSON: what the server sends the page and the validation of what it receives.
// Pure functions, so every malformed input has a unit test without a socket.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "labeling/queue/review_queue.h"
#include "labeling/review/review_options.pb.h"
#include "sensors/frame.h"

namespace longtail::labeling::review {

// A request the server refuses, with the HTTP status to answer (400 malformed, 404 unknown,
// 409 conflicting with the task's state, 413 too large) and a message for the reviewer.
class RequestError : public std::runtime_error {
 public:
  RequestError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// {"x","y","z" (m, vehicle frame), "length","width","height" (m), "yaw" (rad), "class",
//  "track_id", "score"}
nlohmann::json BoxToJson(const sensors::LabeledBox& box);
// Throws RequestError(400) naming the field when a value is missing, not finite, out of range
// (sizes in (0, max_box_size_m], centre within max_center_distance_m) or of an unknown class.
sensors::LabeledBox BoxFromJson(const nlohmann::json& value,
                                const proto::ReviewServerOptions& options);

nlohmann::json FramesToJson(const std::vector<FramePrelabels>& frames);
nlohmann::json SummaryToJson(const TaskSummary& summary);
// The task without its corrections' boxes duplicated: summary, events, pre-labels, reviews.
nlohmann::json TaskToJson(const TaskDetail& task);

// A gold task as a reviewer checking it sees it: like a fresh task with only the live gold-check
// claims, no earlier reviews, verdict or final labels, so nothing gives the check away. Any other
// task unchanged.
TaskDetail AsReviewersSeeIt(const TaskDetail& task);

// Frame metadata: stamp, point count, calibration with the cameras that have an image in this
// frame, and `ground_z`, the road height under the lidar in the vehicle frame (m; null without a
// calibration). Points are served separately in the vehicle frame, images as their encoded bytes.
nlohmann::json FrameToJson(std::int64_t task_id, const sensors::Frame& frame);

// The lidar points moved into the vehicle frame, as x, y, z, intensity float32 quadruples
// (little-endian, 16 bytes a point): what a WebGL buffer takes without conversion.
std::string PointsToBytes(const sensors::Frame& frame);

// A parsed, validated POST /api/tasks/{id}/submit body.
struct SubmitRequest {
  Submission submission;
};
// Validates the body against the task: verdict known; "accept" without corrections; "correct"
// with at least one frame, each inside the task's window and listed once, each with at most
// max_boxes_per_frame valid boxes; "reject" with a known 'reject_reason' (false_alarm,
// not_worth_review, wrong_object, wrong_box; 'comment' optional). Throws RequestError(400).
// With an `authenticated` reviewer (the server has accounts) that name is the reviewer and any
// 'reviewer' in the body is ignored; without one the body must name the reviewer.
SubmitRequest ParseSubmit(const std::string& body, const TaskSummary& task,
                          const proto::ReviewServerOptions& options,
                          const std::optional<std::string>& authenticated = std::nullopt);
// A POST /api/tasks/{id}/adjudicate body: as a submission without a claim id ('verdict',
// 'corrections', 'comment', 'reject_reason'), the adjudicator named as the reviewer is above.
// Throws RequestError(400).
Adjudication ParseAdjudication(const std::string& body, const TaskSummary& task,
                               const proto::ReviewServerOptions& options,
                               const std::optional<std::string>& authenticated = std::nullopt);

// {"claim_id": N, "reviewer": "name"} bodies (heartbeat, release, skip). Throws RequestError(400).
struct ClaimRef {
  std::int64_t claim_id = 0;
  std::string reviewer;
  std::string reason;  // skip only, may be empty
};
ClaimRef ParseClaimRef(const std::string& body,
                       const std::optional<std::string>& authenticated = std::nullopt);
// {"reviewer": "name"}; the name is 1..100 printable characters. Throws RequestError(400).
std::string ParseReviewer(const std::string& body,
                          const std::optional<std::string>& authenticated = std::nullopt);

}  // namespace longtail::labeling::review
