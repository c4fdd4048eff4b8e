#include "tools/synth/scene.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace longtail::tools::synth {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
// Shapes sit this far inside their ground-truth box, so range noise (truncated at 3 sigma of the
// default 0.015 m) never pushes a return outside the box.
constexpr double kInset = 0.05;

// Every call consumes exactly one draw, so turning one fixed value into a range (or back) leaves
// every other sampled value of the scenario unchanged.
double Sample(const proto::Number& number, double fallback, Random& random, const char* field) {
  const double u = random.Uniform();
  if (number.has_value()) return number.value();
  if (number.has_min() != number.has_max()) {
    throw std::invalid_argument(std::string(field) + ": a range needs both min and max");
  }
  if (number.has_min()) {
    if (number.min() > number.max()) {
      throw std::invalid_argument(std::string(field) + ": min is greater than max");
    }
    return number.min() + u * (number.max() - number.min());
  }
  return fallback;
}

struct ClassDefaults {
  sensors::ObjectClass object_class;
  double length, width, height;
};

ClassDefaults DefaultsFor(const std::string& name) {
  const auto parsed = sensors::ParseObjectClass(name);
  if (!parsed) throw std::invalid_argument("actor class '" + name + "' is unknown");
  switch (*parsed) {
    case sensors::ObjectClass::kCar:
      return {*parsed, 4.2, 1.8, 1.5};
    case sensors::ObjectClass::kVan:
      return {*parsed, 5.0, 2.0, 2.2};
    case sensors::ObjectClass::kTruck:
      return {*parsed, 8.0, 2.5, 3.2};
    case sensors::ObjectClass::kPedestrian:
      return {*parsed, 0.6, 0.6, 1.75};
    case sensors::ObjectClass::kCyclist:
      return {*parsed, 1.8, 0.7, 1.75};
    case sensors::ObjectClass::kMisc:
      return {*parsed, 0.6, 0.5, 0.3};
    default:
      break;
  }
  throw std::invalid_argument(
      "actor class '" + name +
      "' cannot be synthesised (Car, Van, Truck, Pedestrian, Cyclist, Misc)");
}

// Paint colours of vehicles and clothes (linear RGB).
const Eigen::Vector3f kPalette[] = {
    {0.75f, 0.75f, 0.78f}, {0.08f, 0.08f, 0.09f}, {0.55f, 0.06f, 0.05f}, {0.05f, 0.15f, 0.45f},
    {0.85f, 0.85f, 0.82f}, {0.30f, 0.32f, 0.35f}, {0.10f, 0.35f, 0.15f}, {0.80f, 0.55f, 0.10f}};

double Interpolate(double a, double b, double f) { return a + (b - a) * f; }

PlanarPose PoseAt(const std::vector<PlanarPose>& path, double t) {
  // Before the log starts (the first scan's rolling shutter reaches half a period back) everything
  // moves on as it started.
  if (t < 0) {
    PlanarPose pose = path.front();
    pose.x += t * pose.speed * std::cos(pose.yaw);
    pose.y += t * pose.speed * std::sin(pose.yaw);
    return pose;
  }
  const double position = std::clamp(t / Scene::kStep, 0.0, double(path.size() - 1));
  const std::size_t i = std::min(static_cast<std::size_t>(position), path.size() - 1);
  const std::size_t j = std::min(i + 1, path.size() - 1);
  const double f = position - double(i);
  PlanarPose pose;
  pose.x = Interpolate(path[i].x, path[j].x, f);
  pose.y = Interpolate(path[i].y, path[j].y, f);
  pose.yaw = path[i].yaw + f * sensors::WrapAngle(path[j].yaw - path[i].yaw);
  pose.speed = Interpolate(path[i].speed, path[j].speed, f);
  return pose;
}

// Ray against the plane z = slope * x + offset, hit only from above.
std::optional<double> PlaneDistance(const Eigen::Vector3d& o, const Eigen::Vector3d& d,
                                    double slope, double offset) {
  const double denominator = d.z() - slope * d.x();
  if (denominator >= -1e-12) return std::nullopt;
  const double t = -(o.z() - slope * o.x() - offset) / denominator;
  if (t <= 0) return std::nullopt;
  return t;
}

// Ray against the ground `level` m above the road surface: flat before slope_start, sloped after.
std::optional<double> SurfaceDistance(const RoadLayout& road, const Eigen::Vector3d& o,
                                      const Eigen::Vector3d& d, double level) {
  if (!road.slope_start) return PlaneDistance(o, d, road.slope, level);
  const double x0 = *road.slope_start;
  std::optional<double> best;
  if (const auto t = PlaneDistance(o, d, 0.0, level); t && o.x() + *t * d.x() <= x0) best = t;
  if (const auto t = PlaneDistance(o, d, road.slope, level - road.slope * x0);
      t && o.x() + *t * d.x() >= x0 && (!best || *t < *best)) {
    best = t;
  }
  return best;
}

// Slab test in the box's own frame; the normal is the face entered.
std::optional<std::pair<double, Eigen::Vector3d>> BoxDistance(const Solid& solid,
                                                              const Eigen::Vector3d& origin,
                                                              const Eigen::Vector3d& direction) {
  // Scenery is axis-aligned: skip the trigonometry that dominates the camera's per-pixel cost.
  const double c = solid.yaw == 0 ? 1.0 : std::cos(solid.yaw);
  const double s = solid.yaw == 0 ? 0.0 : std::sin(solid.yaw);
  const Eigen::Vector3d rel = origin - solid.center;
  const Eigen::Vector3d o(c * rel.x() + s * rel.y(), -s * rel.x() + c * rel.y(), rel.z());
  const Eigen::Vector3d d(c * direction.x() + s * direction.y(),
                          -s * direction.x() + c * direction.y(), direction.z());
  double enter = -INFINITY, leave = INFINITY;
  int enter_axis = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const double h = solid.half_size[axis];
    if (std::abs(d[axis]) < 1e-12) {
      if (std::abs(o[axis]) > h) return std::nullopt;
      continue;
    }
    double t0 = (-h - o[axis]) / d[axis], t1 = (h - o[axis]) / d[axis];
    if (t0 > t1) std::swap(t0, t1);
    if (t0 > enter) {
      enter = t0;
      enter_axis = axis;
    }
    leave = std::min(leave, t1);
    if (enter > leave) return std::nullopt;
  }
  if (enter <= 0) return std::nullopt;  // starts inside or behind: not seen from here
  Eigen::Vector3d local_normal = Eigen::Vector3d::Zero();
  local_normal[enter_axis] = d[enter_axis] > 0 ? -1 : 1;
  const Eigen::Vector3d normal(c * local_normal.x() - s * local_normal.y(),
                               s * local_normal.x() + c * local_normal.y(), local_normal.z());
  return std::make_pair(enter, normal);
}

bool OnLine(double y, const std::vector<double>& lines, double half_width) {
  for (double line : lines) {
    if (std::abs(y - line) < half_width) return true;
  }
  return false;
}

// An actor's id, class, box size and colour, drawn from its spec (index: its place in the
// scenario, the id when none is given). Throws std::invalid_argument for a box too small to hit.
ActorSpec SampleActorBody(const proto::Actor& spec, int index, Random& random) {
  const ClassDefaults defaults = DefaultsFor(spec.class_());
  ActorSpec actor;
  actor.track_id = spec.has_id() ? spec.id() : index + 1;
  actor.object_class = defaults.object_class;
  actor.length = Sample(spec.length_m(), defaults.length, random, "actors.length_m");
  actor.width = Sample(spec.width_m(), defaults.width, random, "actors.width_m");
  actor.height = Sample(spec.height_m(), defaults.height, random, "actors.height_m");
  if (actor.length <= 2 * kInset || actor.width <= 2 * kInset || actor.height <= 2 * kInset) {
    throw std::invalid_argument("actor " + std::to_string(actor.track_id) + " is too small");
  }
  return actor;
}

// A behaviour of the scenario with its numbers drawn: it fires once, at `at` s or when the ego
// comes `within` m (at once when it has neither), and then sets a speed and/or a lateral target.
struct PendingBehaviour {
  std::optional<double> at, within, target_speed, target_y;
  double acceleration = 3, lateral_speed = 1;
  bool fired = false;
};

std::vector<PendingBehaviour> SampleBehaviours(const proto::Actor& spec, Random& random) {
  std::vector<PendingBehaviour> behaviours;
  for (const proto::Behaviour& b : spec.behaviours()) {
    PendingBehaviour p;
    if (b.has_at_s()) p.at = Sample(b.at_s(), 0.0, random, "behaviours.at_s");
    if (b.has_within_m()) p.within = Sample(b.within_m(), 0.0, random, "behaviours.within_m");
    if (b.has_target_speed_mps()) {
      p.target_speed = Sample(b.target_speed_mps(), 0.0, random, "behaviours.target_speed_mps");
    }
    p.acceleration =
        std::abs(Sample(b.acceleration_mps2(), 3.0, random, "behaviours.acceleration_mps2"));
    if (b.has_target_y_m())
      p.target_y = Sample(b.target_y_m(), 0.0, random, "behaviours.target_y_m");
    p.lateral_speed =
        std::abs(Sample(b.lateral_speed_mps(), 1.0, random, "behaviours.lateral_speed_mps"));
    behaviours.push_back(p);
  }
  return behaviours;
}

// What the behaviours fired so far ask of the actor: the speed to reach (m/s) at `acceleration`
// (m/s^2), and the lateral position to reach (m, world y) at `lateral_speed` (m/s).
class BehaviourTargets {
 public:
  BehaviourTargets(std::vector<PendingBehaviour> behaviours, double speed)
      : behaviours_(std::move(behaviours)), speed_(speed) {}

  // Fires every behaviour whose trigger holds at `t` s with the ego `distance` m away; true when
  // any fired.
  bool Update(double t, double distance) {
    bool any = false;
    for (PendingBehaviour& b : behaviours_) {
      if (b.fired) continue;
      const bool untriggered = !b.at && !b.within;
      if (!untriggered && !(b.at && t >= *b.at) && !(b.within && distance <= *b.within)) continue;
      b.fired = any = true;
      if (b.target_speed) {
        speed_ = *b.target_speed;
        acceleration_ = b.acceleration;
      }
      if (b.target_y) {
        steers_ = true;
        y_ = *b.target_y;
        lateral_speed_ = b.lateral_speed;
      }
    }
    return any;
  }

  double speed() const { return speed_; }
  double acceleration() const { return acceleration_; }
  bool steers() const { return steers_; }  // whether a lateral target was set
  double y() const { return y_; }
  double lateral_speed() const { return lateral_speed_; }

 private:
  std::vector<PendingBehaviour> behaviours_;
  double speed_, acceleration_ = 0;
  // A flag and a value rather than std::optional: GCC 12 warns falsely on reading the optional.
  bool steers_ = false;
  double y_ = 0, lateral_speed_ = 0;
};

// An actor driven by its behaviours from `pose` along `heading` (rad) at `speed` (m/s, negative
// is backwards), sampled every Scene::kStep s beside the ego's path.
struct ScriptedMotion {
  std::vector<PlanarPose> path;
  std::optional<double> first_behaviour_s;
};

ScriptedMotion DriveBehaviours(PlanarPose pose, double heading, double speed,
                               std::vector<PendingBehaviour> behaviours,
                               const std::vector<PlanarPose>& ego_path) {
  constexpr double kStep = Scene::kStep;
  BehaviourTargets targets(std::move(behaviours), speed);
  ScriptedMotion motion;
  motion.path.reserve(ego_path.size());
  for (std::size_t i = 0; i < ego_path.size(); ++i) {
    const double t = double(i) * kStep;
    const double distance = std::hypot(pose.x - ego_path[i].x, pose.y - ego_path[i].y);
    if (targets.Update(t, distance) && !motion.first_behaviour_s) motion.first_behaviour_s = t;
    pose.speed = std::abs(speed);
    motion.path.push_back(pose);
    const double acceleration = targets.acceleration();
    speed += std::clamp(targets.speed() - speed, -acceleration * kStep, acceleration * kStep);
    double dx = speed * std::cos(heading) * kStep;
    double dy = speed * std::sin(heading) * kStep;
    if (targets.steers()) {
      dy += std::clamp(targets.y() - pose.y, -targets.lateral_speed() * kStep,
                       targets.lateral_speed() * kStep);
    }
    pose.x += dx;
    pose.y += dy;
    // The body points where it goes; standing still, it keeps its last direction.
    if (std::hypot(dx, dy) > 0.3 * kStep) {
      const double direction = std::atan2(dy, dx);
      // Moving backwards along the heading (a reversing car) keeps the heading.
      if (std::cos(direction - heading) > -0.2) pose.yaw = direction;
    }
  }
  return motion;
}

}  // namespace

std::uint64_t Random::Next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Random::Uniform() { return double(Next() >> 11) * 0x1.0p-53; }
double Random::Uniform(double low, double high) { return low + (high - low) * Uniform(); }
double Random::Normal() {
  const double u1 = std::max(Uniform(), 1e-300), u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t stream) {
  Random random(seed ^ (stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
  return random.Next();
}

double RoadLayout::RoadHeight(double x) const {
  if (!slope_start) return slope * x;
  return x > *slope_start ? slope * (x - *slope_start) : 0.0;
}

double RoadLayout::SlopeAt(double x) const {
  return !slope_start || x > *slope_start ? slope : 0.0;
}

double RoadLayout::Height(double x, double y) const {
  const bool on_road = y <= y_left && y >= y_right;
  return RoadHeight(x) + (on_road ? 0.0 : curb_height);
}

Scene::Scene(const proto::Scenario& scenario, std::uint64_t seed)
    : scenario_(scenario), seed_(seed) {
  duration_s_ = scenario.duration_s();
  if (!(duration_s_ > 0)) throw std::invalid_argument("duration_s must be positive");
  if (!(scenario.lidar().rotation_hz() > 0)) {
    throw std::invalid_argument("lidar.rotation_hz must be positive");
  }
  if (scenario.road().lane_width_m() <= 0 || scenario.road().lanes_left() < 0 ||
      scenario.road().lanes_right() < 0) {
    throw std::invalid_argument("road: lane_width_m must be positive and lane counts not negative");
  }
  Random random(seed);
  BuildRoad();
  BuildBuildings(random);
  IntegrateEgo(random);
  IntegrateActors(random);
  for (int i = 0; i < scenario.faults_size(); ++i) {
    const proto::Fault& fault = scenario.faults(i);
    FaultWindow window;
    window.kind = fault.kind();
    window.settings = fault;
    window.start_s = Sample(fault.start_s(), 0.0, random, "faults.start_s");
    const double end = Sample(fault.end_s(), 0.0, random, "faults.end_s");
    window.end_s = end > 0 ? end : duration_s_ + 1.0;
    faults_.push_back(window);
  }
}

std::int64_t Scene::frame_count() const {
  return std::max<std::int64_t>(1, std::llround(std::floor(duration_s_ / frame_period_s() + 1e-9)));
}

sensors::Timestamp Scene::FrameStamp(std::int64_t index) const {
  const std::int64_t period_ns = std::llround(1e9 * frame_period_s());
  return sensors::FromNanos(scenario_.start_time_ns() + index * period_ns);
}

void Scene::BuildRoad() {
  const proto::Road& road = scenario_.road();
  const double w = road.lane_width_m();
  road_.y_left = w / 2 + road.lanes_left() * w;
  road_.y_right = -w / 2 - road.lanes_right() * w;
  road_.curb_height = road.curb_height_m();
  road_.slope = road.slope();
  if (road.has_slope_start_m()) road_.slope_start = road.slope_start_m();
  road_.dash_length = road.dash_length_m();
  road_.dash_gap = road.dash_gap_m();
  // Edge lines a little inside the curbs; lane boundaries dashed except the centre line of a
  // two-way road, which is solid.
  road_.solid_lines_y = {road_.y_left - 0.3, road_.y_right + 0.3};
  for (int k = -road.lanes_right(); k < road.lanes_left(); ++k) {
    const double y = w / 2 + k * w;
    if (road.two_way() && k == 0 && road.lanes_left() > 0) {
      road_.solid_lines_y.push_back(y);
    } else {
      road_.dashed_lines_y.push_back(y);
    }
  }
}

void Scene::BuildBuildings(Random& random) {
  const proto::Road& road = scenario_.road();
  const double sidewalk = road.sidewalk_width_m();
  const double depth = 12.0;  // m: how far a building reaches back from its facade
  for (const int side : {+1, -1}) {
    const double facade_y = side > 0 ? road_.y_left + sidewalk : road_.y_right - sidewalk;
    double x = -90.0;
    while (x < 220.0) {
      // Drawn even without buildings, so switching them off keeps the actors' sampled values.
      const double length =
          std::max(3.0, Sample(road.building_length_m(), 25.0, random, "road.building_length_m"));
      const double height =
          std::max(2.5, Sample(road.building_height_m(), 12.0, random, "road.building_height_m"));
      const double shade = random.Uniform(0.45, 0.8);
      const double tint = random.Uniform(-0.08, 0.08);
      if (road.buildings()) {
        Solid building;
        building.center = {x + length / 2, facade_y + side * depth / 2,
                           road_.Height(x + length / 2, facade_y + side) + height / 2};
        building.half_size = {length / 2, depth / 2, height / 2 + 1.0};  // +1: reach below slopes
        building.material = Material::kBuilding;
        building.colour = Eigen::Vector3f(float(shade + tint), float(shade), float(shade - tint));
        scenery_.push_back(building);
      }
      x += length + 2.0;
    }
  }
  if (road.end_wall_distance_m() > 0) {
    for (const int side : {+1, -1}) {
      Solid wall;
      const double x = side * road.end_wall_distance_m();
      const double y_mid = (road_.y_left + road_.y_right) / 2;
      wall.center = {x + side * 1.0, y_mid, road_.Height(x, y_mid) + 6.0};
      wall.half_size = {1.0, (road_.y_left - road_.y_right) / 2 + sidewalk + depth, 7.0};
      wall.material = Material::kBuilding;
      wall.colour = {0.6f, 0.55f, 0.5f};
      scenery_.push_back(wall);
    }
  }
}

void Scene::IntegrateEgo(Random& random) {
  const proto::Ego& ego = scenario_.ego();
  PlanarPose pose;
  pose.speed = std::max(0.0, Sample(ego.speed_mps(), 8.0, random, "ego.speed_mps"));
  pose.y = Sample(ego.lateral_m(), 0.0, random, "ego.lateral_m");
  struct Active {
    double start, end, acceleration, yaw_rate;
  };
  std::vector<Active> manoeuvres;
  for (const proto::Manoeuvre& m : ego.manoeuvres()) {
    Active a;
    a.start = Sample(m.start_s(), 0.0, random, "ego.manoeuvres.start_s");
    a.end = a.start + Sample(m.duration_s(), 1.0, random, "ego.manoeuvres.duration_s");
    a.acceleration = Sample(m.acceleration_mps2(), 0.0, random, "ego.manoeuvres.acceleration_mps2");
    a.yaw_rate = kDegToRad * Sample(m.yaw_rate_dps(), 0.0, random, "ego.manoeuvres.yaw_rate_dps");
    manoeuvres.push_back(a);
    if (!m.event_type().empty()) flagged_manoeuvres_.push_back({a.start, a.end, m.event_type()});
  }
  // A second past the end: the last scan's rolling shutter reaches half a period beyond its stamp.
  const std::size_t steps = static_cast<std::size_t>(std::ceil((duration_s_ + 1.0) / kStep)) + 1;
  ego_path_.reserve(steps);
  for (std::size_t i = 0; i < steps; ++i) {
    ego_path_.push_back(pose);
    const double t = double(i) * kStep;
    double acceleration = 0, yaw_rate = 0;
    for (const Active& a : manoeuvres) {
      if (t >= a.start && t < a.end) {
        acceleration += a.acceleration;
        yaw_rate += a.yaw_rate;
      }
    }
    const double speed = std::max(0.0, pose.speed + acceleration * kStep);
    const double mean_speed = (pose.speed + speed) / 2;
    const double mean_yaw = pose.yaw + yaw_rate * kStep / 2;
    pose.x += mean_speed * std::cos(mean_yaw) * kStep;
    pose.y += mean_speed * std::sin(mean_yaw) * kStep;
    pose.yaw = sensors::WrapAngle(pose.yaw + yaw_rate * kStep);
    pose.speed = speed;
  }
}

void Scene::IntegrateActors(Random& random) {
  const int count = scenario_.actors_size();
  for (int index = 0; index < count; ++index) {
    const proto::Actor& spec = scenario_.actors(index);
    ActorSpec actor = SampleActorBody(spec, index, random);
    for (const ActorSpec& other : actors_) {
      if (other.track_id == actor.track_id) {
        throw std::invalid_argument("two actors have id " + std::to_string(actor.track_id));
      }
    }
    actor.colour = kPalette[random.Next() % std::size(kPalette)];
    PlanarPose pose;
    pose.x = Sample(spec.x_m(), 20.0, random, "actors.x_m");
    pose.y = Sample(spec.y_m(), 0.0, random, "actors.y_m");
    const double heading =
        kDegToRad * Sample(spec.heading_deg(), 0.0, random, "actors.heading_deg");
    pose.yaw = sensors::WrapAngle(heading);
    const double speed = Sample(spec.speed_mps(), 0.0, random, "actors.speed_mps");
    if (spec.waypoints_size() > 0) {
      FollowWaypoints(spec, pose.yaw, random, actor);
    } else {
      ScriptedMotion motion =
          DriveBehaviours(pose, heading, speed, SampleBehaviours(spec, random), ego_path_);
      actor.path = std::move(motion.path);
      actor.first_behaviour_s = motion.first_behaviour_s;
    }
    actors_.push_back(std::move(actor));
  }
}

void Scene::FollowWaypoints(const proto::Actor& spec, double heading, Random& random,
                            ActorSpec& actor) const {
  struct Waypoint {
    double t, x, y;
  };
  std::vector<Waypoint> waypoints;
  for (const proto::Waypoint& w : spec.waypoints()) {
    waypoints.push_back({Sample(w.t_s(), 0.0, random, "waypoints.t_s"),
                         Sample(w.x_m(), 0.0, random, "waypoints.x_m"),
                         Sample(w.y_m(), 0.0, random, "waypoints.y_m")});
    if (waypoints.size() > 1 && waypoints.back().t <= waypoints[waypoints.size() - 2].t) {
      throw std::invalid_argument("actor " + std::to_string(actor.track_id) +
                                  ": waypoints.t_s must increase");
    }
  }
  actor.first_behaviour_s = std::max(0.0, waypoints.front().t);
  PlanarPose pose;
  pose.yaw = heading;
  std::size_t segment = 0;
  for (std::size_t i = 0; i < ego_path_.size(); ++i) {
    const double t = double(i) * kStep;
    while (segment + 1 < waypoints.size() && t >= waypoints[segment + 1].t) ++segment;
    const Waypoint& a = waypoints[segment];
    if (segment + 1 == waypoints.size() || t <= a.t) {
      pose.x = a.x;
      pose.y = a.y;
      pose.speed = 0;
    } else {
      const Waypoint& b = waypoints[segment + 1];
      const double f = (t - a.t) / (b.t - a.t);
      const double dx = b.x - a.x, dy = b.y - a.y;
      pose.x = a.x + f * dx;
      pose.y = a.y + f * dy;
      pose.speed = std::hypot(dx, dy) / (b.t - a.t);
      if (std::hypot(dx, dy) > 1e-6) pose.yaw = std::atan2(dy, dx);
    }
    actor.path.push_back(pose);
  }
}

PlanarPose Scene::EgoAt(double t) const { return PoseAt(ego_path_, t); }

Eigen::Isometry3d Scene::WorldFromVehicle(double t) const {
  const PlanarPose pose = EgoAt(t);
  Eigen::Isometry3d world_from_vehicle = Eigen::Isometry3d::Identity();
  world_from_vehicle.translation() = Eigen::Vector3d(
      pose.x, pose.y, road_.Height(pose.x, pose.y) + scenario_.lidar().mounting_height_m());
  // Nose up on an uphill road: pitch is a negative rotation about y in ISO 8855. The car spans its
  // wheelbase (2.7 m), so at the foot of a slope it pitches by the mean rise under its wheels.
  const double pitch_slope =
      (road_.RoadHeight(pose.x + 1.35) - road_.RoadHeight(pose.x - 1.35)) / 2.7;
  world_from_vehicle.linear() =
      (Eigen::AngleAxisd(pose.yaw, Eigen::Vector3d::UnitZ()) *
       Eigen::AngleAxisd(-std::atan(pitch_slope * std::cos(pose.yaw)), Eigen::Vector3d::UnitY()))
          .toRotationMatrix();
  return world_from_vehicle;
}

sensors::Box3D Scene::ActorBoxAt(const ActorSpec& actor, double t) const {
  const PlanarPose pose = PoseAt(actor.path, t);
  sensors::Box3D box;
  box.center = {pose.x, pose.y, road_.Height(pose.x, pose.y) + actor.height / 2};
  box.length = actor.length;
  box.width = actor.width;
  box.height = actor.height;
  box.yaw = sensors::WrapAngle(pose.yaw);
  return box;
}

std::vector<Solid> Scene::ActorSolids(const ActorSpec& actor, const sensors::Box3D& box) const {
  std::vector<Solid> parts;
  const double bottom = box.center.z() - box.height / 2;
  const double c = std::cos(box.yaw), s = std::sin(box.yaw);
  const double max_x = box.length / 2 - kInset, max_y = box.width / 2 - kInset;
  // One part: centred at (along, across) in the box's frame, between heights z0 and z1 above
  // the box's bottom, clipped to stay inside the ground-truth box.
  const auto add = [&](double along, double across, double half_x, double half_y, double z0,
                       double z1, Material material, const Eigen::Vector3f& colour) {
    half_x = std::min(half_x, max_x - std::abs(along));
    half_y = std::min(half_y, max_y - std::abs(across));
    z0 = std::max(z0, 0.02);
    z1 = std::min(z1, box.height - 0.02);
    if (half_x <= 0 || half_y <= 0 || z1 <= z0) return;
    Solid part;
    part.center = {box.center.x() + c * along - s * across, box.center.y() + s * along + c * across,
                   bottom + (z0 + z1) / 2};
    part.half_size = {half_x, half_y, (z1 - z0) / 2};
    part.yaw = box.yaw;
    part.material = material;
    part.colour = colour;
    part.track_id = actor.track_id;
    parts.push_back(part);
  };
  const double l = box.length, w = box.width, h = box.height;
  const Eigen::Vector3f glass(0.05f, 0.07f, 0.09f), tyre(0.03f, 0.03f, 0.03f);
  const Eigen::Vector3f skin(0.75f, 0.55f, 0.45f), trousers(0.1f, 0.1f, 0.2f);
  const auto add_tyres = [&](double inset_x) {
    for (const double along : {l / 2 - inset_x, -(l / 2 - inset_x)}) {
      for (const double across : {w / 2 - 0.2, -(w / 2 - 0.2)}) {
        add(along, across, 0.33, 0.12, 0.0, 0.62, Material::kTyre, tyre);
      }
    }
  };
  switch (actor.object_class) {
    case sensors::ObjectClass::kCar:
      add_tyres(0.9);
      add(0, 0, max_x, max_y, 0.3, 0.58 * h, Material::kBody, actor.colour);
      add(-0.05 * l, 0, 0.27 * l, max_y - 0.08, 0.58 * h, h, Material::kGlass, glass);
      break;
    case sensors::ObjectClass::kVan:
      add_tyres(0.9);
      add(0, 0, max_x, max_y, 0.3, 0.6 * h, Material::kBody, actor.colour);
      add(-0.06 * l, 0, 0.43 * l, max_y, 0.6 * h, h, Material::kBody, actor.colour);
      add(0.4 * l, 0, 0.06 * l, max_y - 0.05, 0.6 * h, 0.9 * h, Material::kGlass, glass);
      break;
    case sensors::ObjectClass::kTruck:
      add_tyres(1.2);
      add(0.39 * l, 0, 0.1 * l, max_y, 0.35, 0.85 * h, Material::kBody, actor.colour);
      add(-0.1 * l, 0, 0.38 * l, max_y, 0.35, h, Material::kBody, {0.8f, 0.8f, 0.78f});
      break;
    case sensors::ObjectClass::kPedestrian:
      add(0, 0, 0.12, 0.17, 0.0, 0.47 * h, Material::kClothing, trousers);
      add(0, 0, 0.14, 0.24, 0.47 * h, 0.84 * h, Material::kClothing, actor.colour);
      add(0, 0, 0.1, 0.09, 0.84 * h, h, Material::kSkin, skin);
      break;
    case sensors::ObjectClass::kCyclist:
      add(0, 0, max_x, 0.06, 0.0, 0.55 * h, Material::kTyre, {0.15f, 0.15f, 0.18f});
      add(-0.08 * l, 0, 0.2, 0.2, 0.55 * h, 0.86 * h, Material::kClothing, actor.colour);
      add(-0.02 * l, 0, 0.1, 0.09, 0.86 * h, h, Material::kSkin, skin);
      break;
    default:
      add(0, 0, max_x, max_y, 0.0, h, Material::kDebris, {0.35f, 0.25f, 0.15f});
      break;
  }
  return parts;
}

std::vector<Solid> Scene::SolidsAt(double t) const {
  std::vector<Solid> solids = scenery_;
  for (const ActorSpec& actor : actors_) {
    const std::vector<Solid> parts = ActorSolids(actor, ActorBoxAt(actor, t));
    solids.insert(solids.end(), parts.begin(), parts.end());
  }
  return solids;
}

std::optional<Hit> CastRay(const RoadLayout& road, const std::vector<const Solid*>& solids,
                           const Eigen::Vector3d& origin, const Eigen::Vector3d& direction,
                           double max_distance) {
  std::optional<Hit> best;
  double nearest = max_distance;
  const auto ground_normal = [&](double x) {
    return Eigen::Vector3d(-road.SlopeAt(x), 0, 1).normalized();
  };

  // The road between the curbs, the sidewalks above them, and the curbs' faces.
  if (const auto t = SurfaceDistance(road, origin, direction, 0.0); t && *t < nearest) {
    const Eigen::Vector3d p = origin + *t * direction;
    if (p.y() <= road.y_left && p.y() >= road.y_right) {
      nearest = *t;
      best = Hit{*t, p, ground_normal(p.x()), Material::kRoad, {0.30f, 0.30f, 0.31f}, 0};
      const double period = road.dash_length + road.dash_gap;
      const double phase = p.x() - period * std::floor(p.x() / period);
      if (OnLine(p.y(), road.solid_lines_y, 0.075) ||
          (phase < road.dash_length && OnLine(p.y(), road.dashed_lines_y, 0.075))) {
        best->material = Material::kLaneMark;
        best->colour = {0.85f, 0.85f, 0.82f};
      }
    }
  }
  if (const auto t = SurfaceDistance(road, origin, direction, road.curb_height);
      t && *t < nearest) {
    const Eigen::Vector3d p = origin + *t * direction;
    if (p.y() > road.y_left || p.y() < road.y_right) {
      nearest = *t;
      best = Hit{*t, p, ground_normal(p.x()), Material::kSidewalk, {0.52f, 0.50f, 0.47f}, 0};
    }
  }
  for (const double curb_y : {road.y_left, road.y_right}) {
    if (std::abs(direction.y()) < 1e-12) continue;
    const double t = (curb_y - origin.y()) / direction.y();
    if (t <= 0 || t >= nearest) continue;
    const Eigen::Vector3d p = origin + t * direction;
    const double base = road.RoadHeight(p.x());
    // Only the face towards the road: the ray must come from the road's side of the curb.
    const bool from_road = (curb_y == road.y_left) == (direction.y() > 0);
    if (from_road && p.z() >= base && p.z() <= base + road.curb_height) {
      nearest = t;
      best = Hit{t,
                 p,
                 Eigen::Vector3d(0, direction.y() > 0 ? -1 : 1, 0),
                 Material::kCurb,
                 {0.62f, 0.61f, 0.58f},
                 0};
    }
  }

  for (const Solid* solid : solids) {
    const auto hit = BoxDistance(*solid, origin, direction);
    if (!hit || hit->first >= nearest) continue;
    nearest = hit->first;
    const Eigen::Vector3d p = origin + hit->first * direction;
    best = Hit{hit->first, p, hit->second, solid->material, solid->colour, solid->track_id};
    // Facades have rows of windows (glass: darker, and the lidar loses more returns on them).
    if (solid->material == Material::kBuilding && std::abs(hit->second.y()) > 0.9) {
      const double along = p.x() - 3.0 * std::floor(p.x() / 3.0);
      const double up = p.z() - road.RoadHeight(p.x());
      const double storey = up - 3.2 * std::floor(up / 3.2);
      if (up > 2.6 && along > 0.7 && along < 2.3 && storey > 0.9 && storey < 2.4) {
        best->material = Material::kWindow;
        best->colour = {0.12f, 0.15f, 0.2f};
      }
    }
  }
  return best;
}

}  // namespace longtail::tools::synth
