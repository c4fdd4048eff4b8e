// Scoring detected events against the events a log's ground truth expects (`longtail eval`):
// recall and lead time per expected type, precision per detector.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/types.h"
#include "pipeline/windows.h"

namespace longtail::pipeline {

// An event a correct system must flag, as the ground truth states it.
struct ExpectedWindow {
  std::string type;  // e.g. "object_in_corridor", "hard_brake", "lidar_dropout"
  std::int64_t first_frame = 0, last_frame = 0;  // inclusive
  Timestamp start, end;                          // the same window in time
  std::vector<int> actor_ids;                    // the actors involved; empty for sensor faults
  Timestamp critical;  // the critical moment lead times count to (CriticalFrame)
};

// Boxes with identities in one frame: detected tracks or ground-truth actors (vehicle frame).
struct IdentifiedBox {
  int id = 0;
  Box3D box;
};
using BoxesByFrame = std::map<std::int64_t, std::vector<IdentifiedBox>>;  // by frame index

// Which ground-truth actor each track is: in every frame a track is matched to the nearest actor
// whose footprint lies within `max_distance_m` of its own; a track is that actor when it matches it
// in at least half of its frames. Tracks of clutter (walls, bushes, ghosts) match no actor.
std::map<int, int> MatchTracksToActors(const BoxesByFrame& tracks, const BoxesByFrame& actors,
                                       double max_distance_m = 1.0);

// The frame of an expected window's critical moment, from its actors' ground-truth boxes: the
// first frame in which one of them reaches the strip ahead of the ego (|y| <= half_width_m, x >= 0)
// when none was in it as the window opened (an incursion); else the frame in which one of them is
// nearest the ego (a braking car ahead, a car coming head-on); the window's first frame for events
// without actors (sensor faults, ego manoeuvres).
std::int64_t CriticalFrame(const ExpectedWindow& window, const BoxesByFrame& actors,
                           double half_width_m = 1.3);

// Whether a detected event counts for an expected type: the same type, the detector's name, or a
// known synonym (hard_brake ~ hard_braking; lidar_dropout ~ lidar_point_drop, lidar_empty,
// missing_frames; camera_freeze ~ camera_frozen; camera_exposure ~ camera_over/underexposed;
// vru ~ vru_in_path, vru_near_path; near_miss ~ low_ttc and the other way round).
bool CountsFor(std::string_view expected_type, const Event& event);

struct LogScore {
  struct Expectation {
    ExpectedWindow expected;
    bool found = false;
    double lead_time_s = 0;  // expected.critical - start of the first matching event (found only)
    // expected.critical - start of that event's review window: how much of the build-up the
    // reviewer sees (found only).
    double window_lead_time_s = 0;
    std::string detector;  // of that event
  };
  struct Detection {
    Event event;
    bool true_positive = false;  // counts for some expected window
    // Another type, but on an actor of an expected event inside its window (widened by the slack):
    // a second trigger of the same critical moment (low TTC to the child that runs into the road).
    // It points the reviewer at the right actor at the right time, so it is a true alarm too.
    bool same_actor = false;
  };
  bool hard_negative = false;
  std::vector<Expectation> expectations;
  std::vector<Detection> detections;
};

// Scores the events of a log's review windows. A detected event matches an expected window when it
// counts for its type, their times overlap (the expected window widened by `slack` on both sides)
// and, when both name objects, one of the event's tracks is one of the window's actors
// (`actor_of_track`, from MatchTracksToActors).
LogScore ScoreLog(const std::vector<ExpectedWindow>& expected,
                  const std::vector<ReviewWindow>& detected,
                  const std::map<int, int>& actor_of_track, bool hard_negative, Duration slack);

struct Tally {
  int expected = 0, found = 0;          // expected windows, and those found
  int detected = 0, true_positive = 0;  // detected events, and those that match
  int same_actor = 0;                   // of the others, those on an expected event's actor
  std::vector<double> lead_times_s, window_lead_times_s;
  double Recall() const;  // found / expected (1 when nothing was expected)
  // (true_positive + same_actor) / detected: events that point at a critical moment's actor or
  // fault (1 when nothing was detected).
  double Precision() const;
  double TypePrecision() const;         // true_positive / detected: also of the expected type
  double MedianLeadTime() const;        // s; 0 when none
  double MedianWindowLeadTime() const;  // s; 0 when none
};

struct EvaluationSummary {
  std::map<std::string, Tally> by_expected_type;  // recall and lead time
  std::map<std::string, Tally> by_detector;       // precision
  Tally overall;
  int hard_negative_logs = 0;
  int hard_negative_events = 0;  // every event in a hard negative is a false alarm
  std::map<std::string, int> hard_negative_events_by_type;
};
EvaluationSummary Summarize(const std::vector<LogScore>& logs);

}  // namespace longtail::pipeline
