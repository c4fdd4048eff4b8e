#include "labeling/queue/queue_report.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace longtail::labeling {
namespace {

using nlohmann::json;

bool Reviewed(const TaskDetail& t) {
  return t.final_verdict &&
         (t.summary.state == TaskState::kAccepted || t.summary.state == TaskState::kCorrected ||
          t.summary.state == TaskState::kRejected);
}

bool Accepted(const TaskDetail& t) { return *t.final_verdict != Verdict::kReject; }

std::string ReasonOf(const TaskDetail& t) {
  return t.final_reject_reason ? std::string(ToString(*t.final_reject_reason)) : "unspecified";
}

std::vector<DetectorPrecision> Precisions(const std::vector<TaskDetail>& tasks) {
  std::map<std::pair<std::string, std::string>, DetectorPrecision> by_key;
  for (const auto& t : tasks) {
    if (!Reviewed(t)) continue;
    for (const auto& e : t.events) {
      DetectorPrecision& p = by_key[{e.detector, e.type}];
      p.detector = e.detector;
      p.type = e.type;
      ++p.episodes;
      if (Accepted(t)) {
        ++p.accepted;
      } else {
        ++p.rejected;
        ++p.reject_reasons[ReasonOf(t)];
      }
    }
  }
  std::vector<DetectorPrecision> out;
  for (auto& [key, p] : by_key) {
    p.precision = static_cast<double>(p.accepted) / static_cast<double>(p.episodes);
    out.push_back(std::move(p));
  }
  return out;
}

double WrappedAngle(double a) { return std::abs(std::remainder(a, 2 * M_PI)); }

// Pairs each pre-labelled box with the reviewed box of the same track id, else the nearest one
// within 2 m; indexes into `before` and `after`, -1 for no partner.
std::vector<std::pair<int, int>> MatchBoxes(const std::vector<sensors::LabeledBox>& before,
                                            const std::vector<sensors::LabeledBox>& after) {
  std::vector<std::pair<int, int>> pairs;
  std::vector<bool> used(after.size(), false);
  for (std::size_t i = 0; i < before.size(); ++i) {
    int best = -1;
    double best_distance = 2.0;
    for (std::size_t j = 0; j < after.size(); ++j) {
      if (used[j]) continue;
      if (before[i].track_id >= 0 && before[i].track_id == after[j].track_id) {
        best = static_cast<int>(j);
        break;
      }
      const double d = (before[i].box.center - after[j].box.center).norm();
      if (d < best_distance) {
        best = static_cast<int>(j);
        best_distance = d;
      }
    }
    if (best >= 0) used[static_cast<std::size_t>(best)] = true;
    pairs.push_back({static_cast<int>(i), best});
  }
  for (std::size_t j = 0; j < after.size(); ++j) {
    if (!used[j]) pairs.push_back({-1, static_cast<int>(j)});
  }
  return pairs;
}

void CompareFrame(const std::vector<sensors::LabeledBox>& before,
                  const std::vector<sensors::LabeledBox>& after,
                  std::map<std::string, ClassQuality>& by_class) {
  constexpr double kSame = 1e-6;
  for (const auto& [i, j] : MatchBoxes(before, after)) {
    const auto& named =
        i >= 0 ? before[static_cast<std::size_t>(i)] : after[static_cast<std::size_t>(j)];
    ClassQuality& q = by_class[std::string(sensors::ToString(named.object_class))];
    if (i < 0) {
      ++q.added;
      continue;
    }
    ++q.prelabelled;
    if (j < 0) {
      ++q.deleted;
      continue;
    }
    const auto& a = before[static_cast<std::size_t>(i)].box;
    const auto& b = after[static_cast<std::size_t>(j)].box;
    const double shift = (a.center - b.center).norm();
    const double size =
        std::abs(a.length - b.length) + std::abs(a.width - b.width) + std::abs(a.height - b.height);
    const double yaw = WrappedAngle(a.yaw - b.yaw);
    const bool relabelled = before[static_cast<std::size_t>(i)].object_class !=
                            after[static_cast<std::size_t>(j)].object_class;
    if (relabelled) ++q.relabelled;
    if (shift > kSame || size > kSame || yaw > kSame) {
      ++q.moved;
      q.mean_center_shift_m += shift;  // sums until Qualities divides
      q.mean_size_change_m += size;
      q.mean_yaw_change_rad += yaw;
    } else if (!relabelled) {
      ++q.kept;
    }
  }
}

std::vector<ClassQuality> Qualities(const std::vector<TaskDetail>& tasks) {
  std::map<std::string, ClassQuality> by_class;
  for (const auto& t : tasks) {
    if (!Reviewed(t) || !Accepted(t)) continue;
    for (const auto& pre : t.prelabels) {
      const auto final_frame =
          std::find_if(t.final_labels.begin(), t.final_labels.end(),
                       [&](const FramePrelabels& f) { return f.frame_index == pre.frame_index; });
      if (final_frame == t.final_labels.end()) continue;
      CompareFrame(pre.boxes, final_frame->boxes, by_class);
    }
  }
  std::vector<ClassQuality> out;
  for (auto& [name, q] : by_class) {
    q.object_class = name;
    if (q.moved > 0) {
      const auto n = static_cast<double>(q.moved);
      q.mean_center_shift_m /= n;
      q.mean_size_change_m /= n;
      q.mean_yaw_change_rad /= n;
    }
    out.push_back(q);
  }
  return out;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

std::vector<ReviewerReport> Reviewers(const std::vector<TaskDetail>& tasks,
                                      const std::vector<ReviewerStats>& stats) {
  std::map<std::string, std::vector<double>> seconds;
  for (const auto& t : tasks) {
    for (const auto& r : t.reviews) {
      if (r.state != ClaimState::kSubmitted || !r.finished) continue;
      seconds[r.reviewer].push_back(std::chrono::duration<double>(*r.finished - r.claimed).count());
    }
  }
  std::vector<ReviewerReport> out;
  for (const auto& s : stats) {
    ReviewerReport r;
    r.reviewer = s.reviewer;
    r.reviews = s.submitted;
    r.median_s_per_task = Median(seconds[s.reviewer]);
    r.compared = s.compared;
    r.agreement_rate = s.agreement_rate;
    r.gold_checks = s.gold_compared;
    r.gold_agreement_rate = s.gold_agreement_rate;
    out.push_back(r);
  }
  return out;
}

std::vector<ThresholdSuggestion> Thresholds(const std::vector<TaskDetail>& tasks) {
  // detector -> value name -> (values on accepted episodes, values on rejected episodes)
  std::map<std::string, std::map<std::string, std::pair<std::vector<double>, std::vector<double>>>>
      values;
  for (const auto& t : tasks) {
    if (!Reviewed(t)) continue;
    for (const auto& e : t.events) {
      auto& named = values[e.detector];
      auto add = [&](const std::string& name, double v) {
        if (!std::isfinite(v)) return;
        auto& [accepted, rejected] = named[name];
        (Accepted(t) ? accepted : rejected).push_back(v);
      };
      add("severity", e.severity);
      for (const auto& [name, v] : e.values) add(name, v);
    }
  }
  std::vector<ThresholdSuggestion> out;
  for (const auto& [detector, named] : values) {
    for (const auto& [name, split] : named) {
      if (split.first.empty() || split.second.empty()) continue;
      ThresholdSuggestion s = SuggestThreshold(split.first, split.second);
      s.detector = detector;
      s.value = name;
      out.push_back(s);
    }
  }
  // Per detector, the numbers that separate best first.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.detector != b.detector) return a.detector < b.detector;
    return a.rejected_dropped * b.rejected > b.rejected_dropped * a.rejected;
  });
  return out;
}

}  // namespace

ThresholdSuggestion SuggestThreshold(std::vector<double> accepted, std::vector<double> rejected) {
  std::sort(accepted.begin(), accepted.end());
  const std::size_t n = accepted.size();
  // May drop this many accepted episodes and still keep 95 %.
  const auto droppable = static_cast<std::size_t>(
      std::floor((1.0 - kKeepAcceptedShare) * static_cast<double>(n) + 1e-9));
  const double low = accepted[droppable];           // keep value >= low
  const double high = accepted[n - 1 - droppable];  // keep value <= high
  const auto count = [&](auto keep, const std::vector<double>& xs) {
    return static_cast<std::int64_t>(std::count_if(xs.begin(), xs.end(), keep));
  };
  const auto keep_above = [&](double v) { return v >= low; };
  const auto keep_below = [&](double v) { return v <= high; };
  const std::int64_t dropped_above = count([&](double v) { return !keep_above(v); }, rejected);
  const std::int64_t dropped_below = count([&](double v) { return !keep_below(v); }, rejected);
  ThresholdSuggestion s;
  s.keep_above = dropped_above >= dropped_below;
  s.threshold = s.keep_above ? low : high;
  s.accepted = static_cast<std::int64_t>(n);
  s.accepted_kept = s.keep_above ? count(keep_above, accepted) : count(keep_below, accepted);
  s.rejected = static_cast<std::int64_t>(rejected.size());
  s.rejected_dropped = s.keep_above ? dropped_above : dropped_below;
  return s;
}

QueueReport BuildQueueReport(const std::vector<TaskDetail>& tasks,
                             const std::vector<ReviewerStats>& reviewers) {
  QueueReport report;
  report.tasks_reviewed = std::count_if(tasks.begin(), tasks.end(), Reviewed);
  report.detectors = Precisions(tasks);
  report.classes = Qualities(tasks);
  report.reviewers = Reviewers(tasks, reviewers);
  report.thresholds = Thresholds(tasks);
  return report;
}

json ReportToJson(const QueueReport& r) {
  json detectors = json::array(), classes = json::array(), reviewers = json::array(),
       thresholds = json::array();
  for (const auto& d : r.detectors) {
    detectors.push_back({{"detector", d.detector},
                         {"type", d.type},
                         {"episodes", d.episodes},
                         {"accepted", d.accepted},
                         {"rejected", d.rejected},
                         {"precision", d.precision},
                         {"reject_reasons", d.reject_reasons}});
  }
  for (const auto& c : r.classes) {
    classes.push_back({{"class", c.object_class},
                       {"prelabelled", c.prelabelled},
                       {"kept", c.kept},
                       {"deleted", c.deleted},
                       {"added", c.added},
                       {"moved", c.moved},
                       {"relabelled", c.relabelled},
                       {"mean_center_shift_m", c.mean_center_shift_m},
                       {"mean_size_change_m", c.mean_size_change_m},
                       {"mean_yaw_change_rad", c.mean_yaw_change_rad}});
  }
  for (const auto& v : r.reviewers) {
    reviewers.push_back({{"reviewer", v.reviewer},
                         {"reviews", v.reviews},
                         {"median_s_per_task", v.median_s_per_task},
                         {"compared", v.compared},
                         {"agreement_rate", v.agreement_rate},
                         {"gold_checks", v.gold_checks},
                         {"gold_agreement_rate", v.gold_agreement_rate}});
  }
  for (const auto& t : r.thresholds) {
    thresholds.push_back({{"detector", t.detector},
                          {"value", t.value},
                          {"keep", t.keep_above ? ">=" : "<="},
                          {"threshold", t.threshold},
                          {"accepted", t.accepted},
                          {"accepted_kept", t.accepted_kept},
                          {"rejected", t.rejected},
                          {"rejected_dropped", t.rejected_dropped}});
  }
  return {{"tasks_reviewed", r.tasks_reviewed},
          {"detectors", detectors},
          {"classes", classes},
          {"reviewers", reviewers},
          {"thresholds", thresholds}};
}

std::string ReportToText(const QueueReport& r) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2);
  out << r.tasks_reviewed << " reviewed tasks\n\nprecision by detector and type (episodes people "
      << "accepted; reasons for the rest)\n";
  for (const auto& d : r.detectors) {
    out << "  " << d.detector << " / " << d.type << ": " << d.accepted << "/" << d.episodes << " = "
        << d.precision;
    for (const auto& [reason, n] : d.reject_reasons) out << ", " << reason << " " << n;
    out << "\n";
  }
  out << "\npre-label quality by class (boxes: kept, deleted, added, moved; mean change of "
         "moved)\n";
  for (const auto& c : r.classes) {
    out << "  " << c.object_class << ": " << c.prelabelled << " pre-labelled, kept " << c.kept
        << ", deleted " << c.deleted << ", added " << c.added << ", moved " << c.moved
        << ", relabelled " << c.relabelled << "; centre " << c.mean_center_shift_m << " m, size "
        << c.mean_size_change_m << " m, yaw " << c.mean_yaw_change_rad << " rad\n";
  }
  out << "\nreviewers (median s per task, agreement with co-reviewers, with gold)\n";
  for (const auto& v : r.reviewers) {
    out << "  " << v.reviewer << ": " << v.reviews << " reviews, " << v.median_s_per_task
        << " s/task, agreement " << v.agreement_rate << " of " << v.compared << ", gold "
        << v.gold_agreement_rate << " of " << v.gold_checks << "\n";
  }
  out << "\nthresholds keeping " << static_cast<int>(kKeepAcceptedShare * 100)
      << " % of accepted episodes\n";
  for (const auto& t : r.thresholds) {
    out << "  " << t.detector << " " << t.value << (t.keep_above ? " >= " : " <= ")
        << std::setprecision(4) << t.threshold << std::setprecision(2) << ": keeps "
        << t.accepted_kept << "/" << t.accepted << " accepted, drops " << t.rejected_dropped << "/"
        << t.rejected << " rejected\n";
  }
  return out.str();
}

}  // namespace longtail::labeling
