// Scoring detected events against the events a log's ground truth expects (`longtail eval`):
// recall and lead time per expected type, precision per detector.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/types.h"

namespace longtail::pipeline {

// An event a correct system must flag, as the ground truth states it.
struct ExpectedWindow {
  std::string type;  // e.g. "object_in_corridor", "hard_brake", "lidar_dropout"
  std::int64_t first_frame = 0, last_frame = 0;  // inclusive
  Timestamp start, end;                          // the same window in time
};

// Whether a detected event counts for an expected type: the same type, the detector's name, or a
// known synonym (hard_brake ~ hard_braking; lidar_dropout ~ lidar_point_drop, lidar_empty,
// missing_frames; camera_freeze ~ camera_frozen; camera_exposure ~ camera_over/underexposed;
// vru ~ vru_in_path, vru_near_path; near_miss ~ low_ttc and the other way round).
bool CountsFor(std::string_view expected_type, const Event& event);

struct LogScore {
  struct Expectation {
    ExpectedWindow expected;
    bool found = false;
    double lead_time_s = 0;  // expected.end - start of the first matching event (found only)
    std::string detector;    // of that event
  };
  struct Detection {
    Event event;
    bool true_positive = false;  // counts for some expected window
    // Another type, but inside some expected window (widened by the slack): a secondary trigger of
    // the same critical moment (the braking ego of a cut-in), not a false alarm of the window.
    bool related = false;
  };
  bool hard_negative = false;
  std::vector<Expectation> expectations;
  std::vector<Detection> detections;
};

// A detected event matches an expected window when it counts for its type and their times overlap,
// the expected window widened by `slack` on both sides.
LogScore ScoreLog(const std::vector<ExpectedWindow>& expected, const std::vector<Event>& detected,
                  bool hard_negative, Duration slack);

struct Tally {
  int expected = 0, found = 0;          // expected windows, and those found
  int detected = 0, true_positive = 0;  // detected events, and those that match
  int related = 0;                      // of the others, those inside an expected window
  std::vector<double> lead_times_s;
  double Recall() const;     // found / expected (1 when nothing was expected)
  double Precision() const;  // true_positive / detected (1 when nothing was detected)
  // (true_positive + related) / detected: how many events lie in a flagged critical moment.
  double WindowPrecision() const;
  double MedianLeadTime() const;  // s; 0 when none
};

struct EvaluationSummary {
  std::map<std::string, Tally> by_expected_type;  // recall and lead time
  std::map<std::string, Tally> by_detector;       // precision
  Tally overall;
  int hard_negative_logs = 0;
  int hard_negative_events = 0;  // every event in a hard negative is a false alarm
};
EvaluationSummary Summarize(const std::vector<LogScore>& logs);

}  // namespace longtail::pipeline
