#include "pipeline/detectors/low_ttc.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

#include "pipeline/detectors/detector_support.h"
#include "pipeline/detectors/hindsight.h"
#include "pipeline/detectors/severity.h"

namespace longtail::pipeline {
namespace {

using Polygon = std::vector<Eigen::Vector2d>;

double Cross(const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  return a.x() * b.y() - a.y() * b.x();
}

std::array<Eigen::Vector2d, 4> Footprint(const sensors::Box3D& box) {
  const auto corners = sensors::Corners(box);
  return {corners[0].head<2>(), corners[1].head<2>(), corners[2].head<2>(), corners[3].head<2>()};
}

// Convex hull, counter-clockwise (Andrew's monotone chain).
Polygon ConvexHull(std::vector<Eigen::Vector2d> points) {
  std::sort(points.begin(), points.end(), [](const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
  });
  Polygon hull(2 * points.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    while (k >= 2 && Cross(hull[k - 1] - hull[k - 2], points[i] - hull[k - 2]) <= 0) --k;
    hull[k++] = points[i];
  }
  for (std::size_t i = points.size() - 1, lower = k + 1; i-- > 0;) {
    while (k >= lower && Cross(hull[k - 1] - hull[k - 2], points[i] - hull[k - 2]) <= 0) --k;
    hull[k++] = points[i];
  }
  hull.resize(k - 1);
  return hull;
}

// Closest point parameter of `p` on segment a-b, in [0, 1].
double Project(const Eigen::Vector2d& p, const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
  const Eigen::Vector2d ab = b - a;
  const double length2 = ab.squaredNorm();
  return length2 > 0 ? std::clamp((p - a).dot(ab) / length2, 0.0, 1.0) : 0.0;
}

struct Encounter {
  std::optional<double> contact_time;  // s, first touch within the horizon
  double min_distance = 0;             // m, over [0, horizon]
  double min_time = 0;                 // s, when
};

// The object's footprint moves by velocity * t relative to the ego's. The distance between the two
// is the distance from the point velocity * t to the Minkowski difference D = ego - object, a
// convex polygon: contact is the segment entering D (Cyrus-Beck clipping), and the closest
// approach of a segment that misses D lies at a segment end or a vertex of D.
Encounter Predict(const sensors::Box3D& ego, const sensors::Box3D& object,
                  const Eigen::Vector2d& velocity, double horizon) {
  std::vector<Eigen::Vector2d> sums;
  sums.reserve(16);
  const auto e = Footprint(ego), o = Footprint(object);
  for (const auto& a : e) {
    for (const auto& b : o) sums.push_back(a - b);
  }
  const Polygon d = ConvexHull(std::move(sums));
  const Eigen::Vector2d end = velocity * horizon;

  double enter = 0, leave = horizon;
  for (std::size_t i = 0; i < d.size() && enter <= leave; ++i) {
    const Eigen::Vector2d edge = d[(i + 1) % d.size()] - d[i];
    // Inside this edge's half-plane where rate * t >= offset.
    const double rate = Cross(edge, velocity), offset = Cross(edge, d[i]);
    if (std::abs(rate) < 1e-12) {
      if (offset > 0) leave = -1;  // parallel and outside
    } else if (rate > 0) {
      enter = std::max(enter, offset / rate);
    } else {
      leave = std::min(leave, offset / rate);
    }
  }
  Encounter result;
  if (enter <= leave) {
    result.contact_time = enter;
    result.min_time = enter;
    return result;
  }
  result.min_distance = std::numeric_limits<double>::infinity();
  const auto consider = [&](double distance, double t) {
    if (distance < result.min_distance) {
      result.min_distance = distance;
      result.min_time = t;
    }
  };
  for (std::size_t i = 0; i < d.size(); ++i) {
    const Eigen::Vector2d& a = d[i];
    const Eigen::Vector2d& b = d[(i + 1) % d.size()];
    for (const auto& [point, t] :
         {std::pair{Eigen::Vector2d::Zero().eval(), 0.0}, std::pair{end, horizon}}) {
      consider((point - (a + Project(point, a, b) * (b - a))).norm(), t);
    }
    const double along = Project(a, Eigen::Vector2d::Zero(), end);
    consider((a - along * end).norm(), along * horizon);
  }
  return result;
}

}  // namespace

LowTtcDetector::LowTtcDetector(const proto::DetectorsOptions& options)
    : options_(options.low_ttc()),
      body_(options.ego_body()),
      plausibility_(options.plausibility()) {}

int LowTtcDetector::lookback_frames() const { return options_.confirm_frames(); }

int LowTtcDetector::lookahead_frames() const {
  return static_cast<int>(std::ceil(options_.horizon_s() * 10));  // 10 Hz; more frames are fine
}

std::vector<Event> LowTtcDetector::Process(const FrameWindow& window) {
  const FrameResult& frame = window.now();
  std::vector<Event> events;
  const sensors::Box3D ego_box = EgoFootprint(body_);
  const Eigen::Vector2d ego_velocity = EgoVelocity(frame.ego);
  const double horizon = options_.horizon_s();
  const double near_miss = options_.near_miss_distance_m();
  for (const Track& track : frame.tracks) {
    if (track.hits < options_.min_hits() || !HasPlausibleMotion(track, plausibility_)) continue;
    // Constant relative velocity in the ego's axes (the ego's turning is ignored over the horizon).
    const Eigen::Vector2d relative = track.velocity_vehicle - ego_velocity;
    const double relative_speed = relative.norm();
    if (relative_speed < options_.min_relative_speed_mps()) continue;
    const double now_distance = FootprintDistance(ego_box, track.box);
    // Overlapping the ego now is a perception artefact, and a track that cannot come within the
    // near-miss distance over the horizon needs no prediction.
    if (now_distance <= 0 || now_distance - relative_speed * horizon > near_miss) continue;
    // The constant-velocity model must explain the past: run back to an earlier observation, it
    // has to give the distance observed then (a velocity from one jittering box does not).
    const auto past = EarliestObservation(window, track.id, options_.confirm_frames());
    if (!past) continue;
    const double seconds = sensors::ToSeconds(frame.stamp - window.frames[past->frame].stamp);
    sensors::Box3D modelled_then = track.box;
    modelled_then.center.head<2>() -= relative * seconds;
    const double observed_then = FootprintDistance(ego_box, past->track->box);
    const double model_error = std::abs(FootprintDistance(ego_box, modelled_then) - observed_then);
    if (model_error > options_.max_model_error_m()) continue;
    const Encounter encounter = Predict(ego_box, track.box, relative, horizon);
    const std::map<std::string, double> values = {{"distance_m", now_distance},
                                                  {"relative_speed_mps", relative_speed},
                                                  {"min_distance_m", encounter.min_distance},
                                                  {"time_of_min_distance_s", encounter.min_time},
                                                  {"model_error_m", model_error}};
    const std::optional<double>& ttc = encounter.contact_time;
    const bool low_ttc = ttc && *ttc <= options_.ttc_threshold_s();
    // Closest approach inside the horizon: it passes. At the horizon's end it is still closing
    // and a later frame judges it.
    const bool passes_close = !ttc && encounter.min_time > 0 &&
                              encounter.min_time < horizon - 1e-6 &&
                              encounter.min_distance <= near_miss;
    if ((!low_ttc && !passes_close) || held_.Hold(track.id) < options_.persist_frames()) continue;
    // The time gap: to contact, or to the closest approach plus the time the remaining distance
    // would take at the closing speed.
    const double time_gap =
        low_ttc ? *ttc : encounter.min_time + encounter.min_distance / relative_speed;
    const bool vulnerable = sensors::IsVulnerableRoadUser(track.object_class);
    double severity = SeverityFromTimeGap(time_gap, vulnerable);
    // Hindsight: a prediction the actual future did not bear out (it passed wide: it braked or
    // turned, or the constant-velocity model was wrong) ranks at half.
    const auto pass = HasHindsight(window) ? FutureClosestPass(window, track.id, ego_box, horizon)
                                           : std::optional<ClosestPass>();
    std::string outcome;
    if (pass) {
      const bool borne_out = pass->distance_m <= kBorneOutM;
      if (!borne_out) severity *= 0.5;
      outcome = "; actually passed " + Fixed(pass->distance_m, 2) + " m from the ego " +
                Fixed(pass->time_s) + " s later";
    }
    auto with_outcome = values;
    if (pass) with_outcome["actual_min_distance_m"] = pass->distance_m;
    if (low_ttc) {
      with_outcome["ttc_s"] = *ttc;
      events.push_back(MakeFrameEvent(frame, kName, version(), "low_ttc", severity, {track.id},
                                      Describe(track) + ": time to collision " + Fixed(*ttc, 2) +
                                          " s (now " + Fixed(now_distance) +
                                          " m from the ego, closing at " + Fixed(relative_speed) +
                                          " m/s)" + outcome,
                                      std::move(with_outcome)));
    } else {
      events.push_back(MakeFrameEvent(
          frame, kName, version(), "near_miss", severity, {track.id},
          Describe(track) + " passes " + Fixed(encounter.min_distance, 2) + " m from the ego in " +
              Fixed(encounter.min_time) + " s at " + Fixed(relative_speed) + " m/s relative (now " +
              Fixed(now_distance) + " m away)" + outcome,
          std::move(with_outcome)));
    }
  }
  held_.EndFrame();
  return events;
}

}  // namespace longtail::pipeline
