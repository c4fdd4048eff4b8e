#include "pipeline/detectors/detector_support.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace longtail::pipeline {
namespace {

using Quad = std::array<Eigen::Vector2d, 4>;

Quad FootprintOf(const sensors::Box3D& box) {
  const auto corners = sensors::Corners(box);
  return {corners[0].head<2>(), corners[1].head<2>(), corners[2].head<2>(), corners[3].head<2>()};
}

// Separating-axis test for two convex quadrilaterals: disjoint iff some edge normal separates them.
bool Overlap(const Quad& a, const Quad& b) {
  for (const Quad* q : {&a, &b}) {
    for (int i = 0; i < 4; ++i) {
      const Eigen::Vector2d edge = (*q)[(i + 1) % 4] - (*q)[i];
      const Eigen::Vector2d axis(-edge.y(), edge.x());
      double a_min = std::numeric_limits<double>::infinity(), a_max = -a_min;
      double b_min = a_min, b_max = -a_min;
      for (int k = 0; k < 4; ++k) {
        a_min = std::min(a_min, a[k].dot(axis));
        a_max = std::max(a_max, a[k].dot(axis));
        b_min = std::min(b_min, b[k].dot(axis));
        b_max = std::max(b_max, b[k].dot(axis));
      }
      if (a_max < b_min || b_max < a_min) return false;
    }
  }
  return true;
}

double PointSegmentDistance(const Eigen::Vector2d& p, const Eigen::Vector2d& a,
                            const Eigen::Vector2d& b) {
  const Eigen::Vector2d ab = b - a;
  const double length2 = ab.squaredNorm();
  const double t = length2 > 0 ? std::clamp((p - a).dot(ab) / length2, 0.0, 1.0) : 0.0;
  return (p - (a + t * ab)).norm();
}

}  // namespace

Event MakeFrameEvent(const FrameResult& frame, std::string_view detector, int version,
                     std::string_view type, double severity, std::vector<int> track_ids,
                     std::string reason, std::map<std::string, double> values) {
  Event event;
  event.detector = std::string(detector);
  event.detector_version = version;
  event.type = std::string(type);
  event.severity = std::clamp(severity, 0.0, 1.0);
  event.first_frame = event.last_frame = event.peak_frame = frame.index;
  event.start = event.end = event.peak = frame.stamp;
  event.track_ids = std::move(track_ids);
  event.reason = std::move(reason);
  event.values = std::move(values);
  return event;
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

std::string LeftOrRight(double offset_left_m) {
  return Fixed(std::abs(offset_left_m)) + (offset_left_m >= 0 ? " m left" : " m right");
}

std::string Describe(const Track& track) {
  return std::string(sensors::ToString(track.object_class)) + " #" + std::to_string(track.id);
}

const Track* FindTrack(const FrameResult& frame, int id) {
  const auto it = std::find_if(frame.tracks.begin(), frame.tracks.end(),
                               [id](const Track& track) { return track.id == id; });
  return it == frame.tracks.end() ? nullptr : &*it;
}

sensors::Box3D EgoFootprint(const proto::EgoBodyOptions& body) {
  sensors::Box3D box;
  box.center = {body.front_m() - body.length_m() / 2, 0, 0};
  box.length = body.length_m();
  box.width = body.width_m();
  box.height = 1.5;
  return box;
}

double FootprintDistance(const sensors::Box3D& a, const sensors::Box3D& b) {
  const Quad qa = FootprintOf(a), qb = FootprintOf(b);
  if (Overlap(qa, qb)) return 0;
  // Disjoint convex polygons: the closest pair has a vertex of one on an edge of the other.
  double best = std::numeric_limits<double>::infinity();
  for (const auto& [p, q] : {std::pair{&qa, &qb}, std::pair{&qb, &qa}}) {
    for (const Eigen::Vector2d& v : *p) {
      for (int i = 0; i < 4; ++i)
        best = std::min(best, PointSegmentDistance(v, (*q)[i], (*q)[(i + 1) % 4]));
    }
  }
  return best;
}

Eigen::Vector2d EgoVelocity(const EgoMotion& ego) {
  return ego.known ? Eigen::Vector2d(ego.speed, 0) : Eigen::Vector2d::Zero();
}

bool HasPlausibleMotion(const Track& track, const proto::TrackPlausibilityOptions& options) {
  const double speed = track.velocity_world.norm();
  if (sensors::IsVehicle(track.object_class) && speed >= options.sideslip_min_speed_mps()) {
    // Vehicles roll along their heading, forward or backward; a "car" sliding sideways is a
    // cluster whose box grows and shrinks (a wall, a merged pedestrian).
    const Eigen::Vector2d& v = track.velocity_vehicle;
    const double axis = std::abs(std::cos(std::atan2(v.y(), v.x()) - track.box.yaw));
    if (axis < std::cos(options.max_vehicle_sideslip_deg() * M_PI / 180)) return false;
  }
  switch (track.object_class) {
    case sensors::ObjectClass::kPedestrian:
      return speed <= options.max_pedestrian_speed_mps();
    case sensors::ObjectClass::kCyclist:
      return speed <= options.max_cyclist_speed_mps();
    case sensors::ObjectClass::kUnknown:
    case sensors::ObjectClass::kMisc:
      return speed <= options.max_unknown_speed_mps();
    default:
      return speed <= options.max_vehicle_speed_mps();
  }
}

std::optional<PastObservation> EarliestObservation(const FrameWindow& window, int id,
                                                   int max_frames_back) {
  const std::size_t back = std::min<std::size_t>(window.current, std::max(0, max_frames_back));
  for (std::size_t i = window.current - back; i < window.current; ++i) {
    if (const Track* track = FindTrack(window.frames[i], id)) return PastObservation{i, track};
  }
  return std::nullopt;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  const auto middle = values.begin() + values.size() / 2;
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  // Even count: the mean of the two middle values (the lower one is the largest below `middle`).
  return (*std::max_element(values.begin(), middle) + *middle) / 2;
}

int ConsecutiveFrames::Hold(int id) {
  const auto before = previous_.find(id);
  return current_[id] = (before == previous_.end() ? 0 : before->second) + 1;
}

void ConsecutiveFrames::EndFrame() {
  previous_.swap(current_);
  current_.clear();
}

}  // namespace longtail::pipeline
