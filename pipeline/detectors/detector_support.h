// Small helpers the detectors share: building events and writing the numbers into reasons.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/detectors/detector.h"
#include "pipeline/proto/detectors.pb.h"
#include "pipeline/types.h"

namespace longtail::pipeline {

// An event that spans the one frame `frame`.
Event MakeFrameEvent(const FrameResult& frame, std::string_view detector, int version,
                     std::string_view type, double severity, std::vector<int> track_ids,
                     std::string reason, std::map<std::string, double> values);

// `value` with `decimals` digits after the point, e.g. Fixed(12.345, 1) == "12.3".
std::string Fixed(double value, int decimals = 1);
// "0.3 m left" / "1.7 m right": a signed offset to the left (m) as reasons say it.
std::string LeftOrRight(double offset_left_m);
// "Car #3", the way reasons name a track.
std::string Describe(const Track& track);
// The track with this id in `frame`, or nullptr.
const Track* FindTrack(const FrameResult& frame, int id);

// The ego's own footprint as a box in its vehicle frame.
sensors::Box3D EgoFootprint(const proto::EgoBodyOptions& body);
// Shortest distance between two boxes' footprints seen from above, m; 0 when they overlap.
double FootprintDistance(const sensors::Box3D& a, const sensors::Box3D& b);
// The ego's velocity over ground in its own axes, m/s: (speed, 0) when known, else zero (a log
// without ego motion is judged as if the ego stood still).
Eigen::Vector2d EgoVelocity(const EgoMotion& ego);
// Whether the track moves as its class can (else it is perception noise): a ground speed it can
// reach, and for a vehicle a direction of motion along its box's axis.
bool HasPlausibleMotion(const Track& track, const proto::TrackPlausibilityOptions& options);
// The earliest observation of track `id` in the up to `max_frames_back` frames before the judged
// one: the frame's position in window.frames and the track there.
struct PastObservation {
  std::size_t frame = 0;
  const Track* track = nullptr;
};
std::optional<PastObservation> EarliestObservation(const FrameWindow& window, int id,
                                                   int max_frames_back);
// For how many consecutive frames a condition has held on each track: a detector that asks for
// it on several frames in a row ignores a prediction from one noisy velocity.
class ConsecutiveFrames {
 public:
  // The condition holds on track `id` in the frame being judged: returns the run's length.
  int Hold(int id);
  // After each frame: a track on which the condition did not hold starts again from 0.
  void EndFrame();

 private:
  std::map<int, int> previous_, current_;  // run lengths by track id
};

// Median of `values`: the middle one, or the mean of the two middle ones (0 when empty).
double Median(std::vector<double> values);

}  // namespace longtail::pipeline
