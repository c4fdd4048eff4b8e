#include "pipeline/query/predicates.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "pipeline/detectors/detector_support.h"
#include "sensors/time.h"

namespace longtail::query {

using pipeline::FrameResult;
using pipeline::Track;

namespace {

// The ego path is followed this far; `within D m` limits are measured along it.
constexpr double kPathLengthM = 150;

double Heading(const Track& track, double min_speed) {
  const Eigen::Vector2d& v = track.velocity_vehicle;
  return v.norm() >= min_speed ? std::atan2(v.y(), v.x()) : track.box.yaw;
}

// The same subject about kDerivativeLookbackS before: its track and the seconds between.
struct Earlier {
  const Track* track = nullptr;
  double dt = 0;
};
Earlier FindEarlier(const PredicateContext& ctx, int subject) {
  const int id = ctx.states[ctx.pos].SubjectId(subject);
  const pipeline::Timestamp now = ctx.frames[ctx.pos].stamp;
  // The first buffered frame within the look-back, then on toward now.
  const auto earliest = now - std::chrono::duration_cast<pipeline::Duration>(
                                  std::chrono::duration<double>(kDerivativeLookbackS + 1e-6));
  const auto begin = std::lower_bound(
      ctx.frames.begin(), ctx.frames.begin() + static_cast<std::ptrdiff_t>(ctx.pos), earliest,
      [](const FrameResult& f, pipeline::Timestamp t) { return f.stamp < t; });
  for (auto k = static_cast<std::size_t>(begin - ctx.frames.begin()); k < ctx.pos; ++k) {
    const double dt = sensors::ToSeconds(now - ctx.frames[k].stamp);
    const int s = ctx.states[k].SubjectIndex(id);
    if (s >= 0) return {&ctx.states[k].subjects[s], dt};
  }
  return {};
}

double Speed(const PredicateContext& ctx, int subject) {
  return ctx.states[ctx.pos].subjects[subject].velocity_world.norm();
}

double Acceleration(const PredicateContext& ctx, int subject) {
  if (subject == 0) return ctx.frames[ctx.pos].ego.acceleration;
  const Earlier earlier = FindEarlier(ctx, subject);
  if (earlier.track == nullptr || earlier.dt <= 0) return 0;
  return (Speed(ctx, subject) - earlier.track->velocity_world.norm()) / earlier.dt;
}

double YawRate(const PredicateContext& ctx, int subject) {
  if (subject == 0) return ctx.frames[ctx.pos].ego.yaw_rate;
  const Earlier earlier = FindEarlier(ctx, subject);
  const double min_speed = ctx.options.turning_min_speed_mps;
  const Eigen::Vector2d& v_now = ctx.states[ctx.pos].subjects[subject].velocity_world;
  if (earlier.track == nullptr || earlier.dt <= 0 || v_now.norm() < min_speed ||
      earlier.track->velocity_world.norm() < min_speed) {
    return 0;
  }
  const Eigen::Vector2d& v_then = earlier.track->velocity_world;
  return sensors::WrapAngle(std::atan2(v_now.y(), v_now.x()) - std::atan2(v_then.y(), v_then.x())) /
         earlier.dt;
}

// Footprint gap to the ego over the closing speed; infinity when not closing.
double TimeToCollision(const PredicateContext& ctx, int subject) {
  const FrameState& state = ctx.states[ctx.pos];
  const Track& ego = state.subjects[0];
  const Track& track = state.subjects[subject];
  const Eigen::Vector2d offset = (track.box.center - ego.box.center).head<2>();
  const Eigen::Vector2d relative = track.velocity_vehicle - ego.velocity_vehicle;
  const double closing = offset.norm() > 0 ? -relative.dot(offset) / offset.norm() : 0;
  if (closing <= 0.1) return std::numeric_limits<double>::infinity();
  return pipeline::FootprintDistance(ego.box, track.box) / closing;
}

double QuantityOf(Quantity quantity, const PredicateContext& ctx, int subject) {
  switch (quantity) {
    case Quantity::kSpeed:
      return Speed(ctx, subject);
    case Quantity::kAcceleration:
      return Acceleration(ctx, subject);
    case Quantity::kYawRate:
      return YawRate(ctx, subject);
    case Quantity::kDistanceToEgo:
      return subject == 0 ? 0
                          : pipeline::FootprintDistance(ctx.states[ctx.pos].subjects[0].box,
                                                        ctx.states[ctx.pos].subjects[subject].box);
    case Quantity::kTimeToCollision:
      return subject == 0 ? std::numeric_limits<double>::infinity() : TimeToCollision(ctx, subject);
    case Quantity::kLength:
      return ctx.states[ctx.pos].subjects[subject].box.length;
    case Quantity::kWidth:
      return ctx.states[ctx.pos].subjects[subject].box.width;
    case Quantity::kHeight:
      return ctx.states[ctx.pos].subjects[subject].box.height;
  }
  return 0;
}

const pipeline::EgoPath& PathOf(const PredicateContext& ctx) {
  FrameState& state = ctx.states[ctx.pos];
  if (!state.path) {
    const pipeline::FrameWindow window{std::span<const FrameResult>(ctx.frames), ctx.pos};
    state.path = pipeline::PredictEgoPath(window, kPathLengthM, ctx.options.ego_path);
  }
  return *state.path;
}

// Where a track lies against the ego's path: its footprint ahead of the ego's front within
// `distance_m`, and how fast its centre moves toward the centreline.
struct PathRelation {
  bool ahead = false;
  double lateral_gap_m = 0;  // centreline to the nearest point of the footprint
  double center_offset_m = 0;
  double toward_mps = 0;  // speed of the centre toward the centreline (negative: away)
  double across_mps = 0;  // speed across the path, either way
};
PathRelation RelateToPath(const PredicateContext& ctx, int subject, double distance_m) {
  PathRelation out;
  const Track& track = ctx.states[ctx.pos].subjects[subject];
  const double front = ctx.options.ego_body.front_m();
  // Far tracks cannot be within the limit: skip the projection.
  if (track.box.center.head<2>().norm() > front + distance_m + track.box.length + 5) return out;
  const pipeline::EgoPath& path = PathOf(ctx);
  const auto footprint = pipeline::ProjectFootprint(path, track.box, front, front + distance_m);
  if (!footprint.in_range) return out;
  out.ahead = true;
  out.lateral_gap_m = footprint.lateral_gap;
  out.center_offset_m = footprint.center_d;
  const auto at = pipeline::ToPathCoordinates(path, track.box.center.head<2>());
  const Eigen::Vector2d along_across = pipeline::ToPathVelocity(at, track.velocity_vehicle);
  out.across_mps = along_across.y();
  out.toward_mps = footprint.center_d > 0 ? -along_across.y() : along_across.y();
  return out;
}

bool PathFlag(const Node& node, const PredicateContext& ctx, int subject) {
  if (subject == 0) return false;
  const QueryOptions& o = ctx.options;
  const PathRelation r = RelateToPath(ctx, subject, node.distance_m);
  if (!r.ahead) return false;
  switch (node.flag) {
    case Flag::kInEgoPath:
      return r.lateral_gap_m <= o.path_half_width_m;
    case Flag::kInEgoLane:
      return std::abs(r.center_offset_m) <= o.lane_half_width_m;
    case Flag::kCrossingEgoPath: {
      if (std::abs(r.across_mps) < o.crossing_speed_mps) return false;
      const double outside = r.lateral_gap_m - o.path_half_width_m;
      return outside <= 0 || (r.toward_mps > 0 && outside / r.toward_mps <= o.crossing_horizon_s);
    }
    case Flag::kTowardEgoPath:
      return r.toward_mps >= o.toward_path_speed_mps && std::abs(r.center_offset_m) > 0.5;
    default:
      return false;
  }
}

bool Compare(double value, Comparison comparison, double limit) {
  switch (comparison) {
    case Comparison::kLess:
      return value < limit;
    case Comparison::kLessEqual:
      return value <= limit;
    case Comparison::kGreater:
      return value > limit;
    case Comparison::kGreaterEqual:
      return value >= limit;
  }
  return false;
}

}  // namespace

int FrameState::SubjectIndex(int id) const {
  if (id == kEgoId) return 0;
  const auto it = std::lower_bound(index_by_id.begin(), index_by_id.end(), std::make_pair(id, 0));
  return it != index_by_id.end() && it->first == id ? it->second : -1;
}

FrameState MakeFrameState(const FrameResult& frame, std::size_t num_nodes,
                          const QueryOptions& options) {
  FrameState state;
  state.subjects.reserve(frame.tracks.size() + 1);
  Track ego;
  ego.id = kEgoId;
  ego.box = pipeline::EgoFootprint(options.ego_body);
  ego.velocity_vehicle = pipeline::EgoVelocity(frame.ego);
  ego.velocity_world = frame.ego.world_from_vehicle.topLeftCorner<2, 2>() * ego.velocity_vehicle;
  state.subjects.push_back(ego);
  for (const auto& track : frame.tracks) {
    state.index_by_id.emplace_back(track.id, static_cast<int>(state.subjects.size()));
    state.subjects.push_back(track);
  }
  std::sort(state.index_by_id.begin(), state.index_by_id.end());
  state.memo.resize(num_nodes);
  state.candidates.resize(num_nodes);
  return state;
}

bool AtomHolds(const Node& node, const PredicateContext& ctx, int subject) {
  const QueryOptions& o = ctx.options;
  if (node.kind == NodeKind::kCategory) {
    if (subject == 0) return false;
    const auto c = ctx.states[ctx.pos].subjects[subject].object_class;
    return (node.categories >> static_cast<int>(c)) & 1u;
  }
  if (node.kind == NodeKind::kCompare) {
    return Compare(QuantityOf(node.quantity, ctx, subject), node.comparison, node.value);
  }
  switch (node.flag) {
    case Flag::kStationary:
      return Speed(ctx, subject) < o.stationary_speed_mps;
    case Flag::kMoving:
      return Speed(ctx, subject) >= o.stationary_speed_mps;
    case Flag::kAccelerating:
      return Acceleration(ctx, subject) > o.acceleration_threshold_mps2;
    case Flag::kDecelerating:
      return Acceleration(ctx, subject) < -o.acceleration_threshold_mps2;
    case Flag::kTurningLeft:
      return YawRate(ctx, subject) >= o.turning_yaw_rate_radps;
    case Flag::kTurningRight:
      return YawRate(ctx, subject) <= -o.turning_yaw_rate_radps;
    case Flag::kTurning:
      return std::abs(YawRate(ctx, subject)) >= o.turning_yaw_rate_radps;
    default:
      return PathFlag(node, ctx, subject);
  }
}

std::map<std::string, double> AtomValues(const Node& node, const PredicateContext& ctx,
                                         int subject) {
  static const char* kNames[] = {
      "speed_mps", "acceleration_mps2", "yaw_rate_radps", "distance_to_ego_m",
      "ttc_s",     "length_m",          "width_m",        "height_m"};
  if (node.kind == NodeKind::kCompare) {
    return {{kNames[static_cast<int>(node.quantity)], QuantityOf(node.quantity, ctx, subject)}};
  }
  if (node.kind != NodeKind::kFlag) return {};
  switch (node.flag) {
    case Flag::kStationary:
    case Flag::kMoving:
      return {{"speed_mps", Speed(ctx, subject)}};
    case Flag::kAccelerating:
    case Flag::kDecelerating:
      return {{"acceleration_mps2", Acceleration(ctx, subject)}};
    case Flag::kTurningLeft:
    case Flag::kTurningRight:
    case Flag::kTurning:
      return {{"yaw_rate_radps", YawRate(ctx, subject)}};
    default: {
      if (subject == 0) return {};
      const PathRelation r = RelateToPath(ctx, subject, node.distance_m);
      return {{"path_offset_m", r.center_offset_m}, {"toward_path_mps", r.toward_mps}};
    }
  }
}

namespace {

bool DirectionHolds(const Node& node, const Track& reference, const Track& other,
                    double aside_margin_m) {
  if (node.direction == Direction::kNear) {
    return pipeline::FootprintDistance(reference.box, other.box) <= node.distance_m;
  }
  const Eigen::Vector2d offset = (other.box.center - reference.box.center).head<2>();
  const Eigen::Vector2d p = Eigen::Rotation2Dd(-reference.box.yaw) * offset;
  const double half_l = reference.box.length / 2, half_w = reference.box.width / 2;
  switch (node.direction) {
    case Direction::kFront:
      return p.x() > half_l && p.x() - half_l <= node.distance_m &&
             std::abs(p.y()) <= half_w + aside_margin_m;
    case Direction::kBehind:
      return -p.x() > half_l && -p.x() - half_l <= node.distance_m &&
             std::abs(p.y()) <= half_w + aside_margin_m;
    case Direction::kLeft:
      return p.y() > half_w && p.y() - half_w <= node.distance_m &&
             std::abs(p.x()) <= half_l + aside_margin_m;
    case Direction::kRight:
      return -p.y() > half_w && -p.y() - half_w <= node.distance_m &&
             std::abs(p.x()) <= half_l + aside_margin_m;
    default:
      return false;
  }
}

bool HeadingHolds(const Node& node, const Track& subject, const Track& other,
                  const QueryOptions& o) {
  const double tolerance = o.heading_tolerance_rad;
  const double min_speed = o.stationary_speed_mps;
  if (node.heading == HeadingRelation::kToward || node.heading == HeadingRelation::kAwayFrom) {
    const Eigen::Vector2d& v = subject.velocity_vehicle;
    if (v.norm() < min_speed) return false;
    const Eigen::Vector2d to_other = (other.box.center - subject.box.center).head<2>();
    const double angle = std::abs(
        sensors::WrapAngle(std::atan2(to_other.y(), to_other.x()) - std::atan2(v.y(), v.x())));
    return node.heading == HeadingRelation::kToward ? angle <= tolerance
                                                    : angle >= M_PI - tolerance;
  }
  const double difference =
      std::abs(sensors::WrapAngle(Heading(subject, min_speed) - Heading(other, min_speed)));
  switch (node.heading) {
    case HeadingRelation::kSameAs:
      return difference <= tolerance;
    case HeadingRelation::kOpposite:
      return difference >= M_PI - tolerance;
    default:  // across: within the tolerance of perpendicular
      return std::abs(difference - M_PI / 2) <= tolerance;
  }
}

}  // namespace

bool WithinReach(const Node& node, const PredicateContext& ctx, int subject, int other) {
  if (node.kind != NodeKind::kRelation) return true;
  const FrameState& state = ctx.states[ctx.pos];
  const sensors::Box3D& a = state.subjects[subject].box;
  const sensors::Box3D& b = state.subjects[other].box;
  // Every relation holds only when the centres are closer than both half-diagonals plus the
  // distance and the aside margin.
  const double reach = 0.5 * std::hypot(a.length, a.width) + 0.5 * std::hypot(b.length, b.width) +
                       node.distance_m + ctx.options.aside_margin_m;
  return (a.center - b.center).head<2>().squaredNorm() <= reach * reach;
}

bool PairHolds(const Node& node, const PredicateContext& ctx, int subject, int other) {
  const FrameState& state = ctx.states[ctx.pos];
  const Track& s = state.subjects[subject];
  const Track& o = state.subjects[other];
  if (node.kind == NodeKind::kHeading) return HeadingHolds(node, s, o, ctx.options);
  // `X left of REF`: X lies left of the reference; `has Y to its left`: Y lies left of X.
  return node.inverse ? DirectionHolds(node, s, o, ctx.options.aside_margin_m)
                      : DirectionHolds(node, o, s, ctx.options.aside_margin_m);
}

}  // namespace longtail::query
