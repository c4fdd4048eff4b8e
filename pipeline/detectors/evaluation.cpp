#include "pipeline/detectors/evaluation.h"

#include <algorithm>
#include <array>
#include <optional>

namespace longtail::pipeline {
namespace {

// Expected types the synthesiser's ground truth uses whose detector events have other names.
struct Synonym {
  std::string_view expected;
  std::string_view detected;
};
constexpr std::array kSynonyms = {
    Synonym{"hard_brake", "hard_braking"},
    Synonym{"lidar_dropout", "lidar_point_drop"},
    Synonym{"lidar_dropout", "lidar_empty"},
    Synonym{"lidar_dropout", "missing_frames"},
    Synonym{"camera_freeze", "camera_frozen"},
    Synonym{"camera_exposure", "camera_overexposed"},
    Synonym{"camera_exposure", "camera_underexposed"},
    Synonym{"vru", "vru_in_path"},
    Synonym{"vru", "vru_near_path"},
    Synonym{"vru_in_path", "vru_near_path"},
    Synonym{"near_miss", "low_ttc"},
    Synonym{"low_ttc", "near_miss"},
    Synonym{"debris", "debris_in_lane"},
    Synonym{"incursion", "roadway_incursion"},
};

}  // namespace

bool CountsFor(std::string_view expected_type, const Event& event) {
  if (event.type == expected_type || event.detector == expected_type) return true;
  return std::any_of(kSynonyms.begin(), kSynonyms.end(), [&](const Synonym& s) {
    return s.expected == expected_type && s.detected == event.type;
  });
}

LogScore ScoreLog(const std::vector<ExpectedWindow>& expected, const std::vector<Event>& detected,
                  bool hard_negative, Duration slack) {
  LogScore score;
  score.hard_negative = hard_negative;
  const auto matches = [&](const ExpectedWindow& x, const Event& e) {
    return CountsFor(x.type, e) && e.start <= x.end + slack && e.end >= x.start - slack;
  };
  for (const ExpectedWindow& x : expected) {
    LogScore::Expectation expectation;
    expectation.expected = x;
    std::optional<Timestamp> first;
    for (const Event& e : detected) {
      if (!matches(x, e) || (first && e.start >= *first)) continue;
      first = e.start;
      expectation.detector = e.detector;
    }
    if (first) {
      expectation.found = true;
      expectation.lead_time_s = sensors::ToSeconds(x.end - *first);
    }
    score.expectations.push_back(std::move(expectation));
  }
  for (const Event& e : detected) {
    const bool hit =
        !hard_negative && std::any_of(expected.begin(), expected.end(),
                                      [&](const ExpectedWindow& x) { return matches(x, e); });
    const bool related =
        !hit && !hard_negative &&
        std::any_of(expected.begin(), expected.end(), [&](const ExpectedWindow& x) {
          return e.start <= x.end + slack && e.end >= x.start - slack;
        });
    score.detections.push_back({e, hit, related});
  }
  return score;
}

double Tally::Recall() const { return expected == 0 ? 1.0 : double(found) / expected; }
double Tally::Precision() const { return detected == 0 ? 1.0 : double(true_positive) / detected; }
double Tally::WindowPrecision() const {
  return detected == 0 ? 1.0 : double(true_positive + related) / detected;
}
double Tally::MedianLeadTime() const {
  if (lead_times_s.empty()) return 0;
  std::vector<double> sorted = lead_times_s;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

EvaluationSummary Summarize(const std::vector<LogScore>& logs) {
  EvaluationSummary summary;
  for (const LogScore& log : logs) {
    if (log.hard_negative) {
      ++summary.hard_negative_logs;
      summary.hard_negative_events += static_cast<int>(log.detections.size());
    }
    for (const auto& x : log.expectations) {
      for (Tally* tally : {&summary.by_expected_type[x.expected.type], &summary.overall}) {
        ++tally->expected;
        if (!x.found) continue;
        ++tally->found;
        tally->lead_times_s.push_back(x.lead_time_s);
      }
    }
    for (const auto& d : log.detections) {
      for (Tally* tally : {&summary.by_detector[d.event.detector], &summary.overall}) {
        ++tally->detected;
        tally->true_positive += d.true_positive;
        tally->related += d.related;
      }
    }
  }
  return summary;
}

}  // namespace longtail::pipeline
