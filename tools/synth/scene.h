// The synthetic world of one scenario drawn with one seed: the road, the buildings, the ego's and
// the actors' trajectories, and ray casting against all of it. The lidar and camera simulations
// query it.
//
// World frame: x along the road from the ego's start, y left, z up; z = 0 is the road surface at x
// = 0. Times are seconds since the log's first scan (t = 0).
#pragma once

#include <Eigen/Geometry>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sensors/box3d.h"
#include "sensors/time.h"
#include "tools/synth/scenario.pb.h"

namespace longtail::tools::synth {

// SplitMix64: a tiny, portable generator, so the same seed gives the same log on every platform
// (the standard distributions are implementation-defined).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  double Uniform();  // [0, 1)
  double Uniform(double low, double high);
  double Normal();  // standard normal (Box-Muller)
 private:
  std::uint64_t state_;
};
// Combines a seed with a stream number (a frame index, a purpose) into an independent seed.
std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t stream);

enum class Material {
  kRoad,
  kLaneMark,
  kCurb,
  kSidewalk,
  kBuilding,
  kWindow,
  kBody,
  kGlass,
  kTyre,
  kClothing,
  kSkin,
  kDebris
};

// An oriented box in the world frame: the shapes everything above the ground is made of.
struct Solid {
  Eigen::Vector3d center = Eigen::Vector3d::Zero();     // m, world frame
  Eigen::Vector3d half_size = Eigen::Vector3d::Zero();  // m, along the box's local x, y, z
  double yaw = 0;                                       // rad about +z
  Material material = Material::kBody;
  Eigen::Vector3f colour = Eigen::Vector3f::Ones();  // linear RGB in [0,1], for the camera
  int track_id = 0;                                  // the actor it belongs to; 0 for scenery
};

struct Hit {
  double distance = 0;                                // m along the (unit) ray
  Eigen::Vector3d point = Eigen::Vector3d::Zero();    // m, world frame
  Eigen::Vector3d normal = Eigen::Vector3d::UnitZ();  // unit, world frame, facing the ray
  Material material = Material::kRoad;
  Eigen::Vector3f colour = Eigen::Vector3f::Ones();  // linear RGB, before shading
  int track_id = 0;                                  // 0 for the ground and scenery
};

// The road cross-section (constant along x).
struct RoadLayout {
  double y_left = 5.25, y_right = -1.75;    // m: the curbs' faces
  double curb_height = 0.15;                // m
  double slope = 0;                         // rise over run along +x
  std::optional<double> slope_start;        // m: flat before this x (unset: sloped everywhere)
  std::vector<double> dashed_lines_y;       // m: lane boundaries drawn dashed
  std::vector<double> solid_lines_y;        // m: centre line and edge lines
  double dash_length = 3, dash_gap = 6;     // m
  double Height(double x, double y) const;  // m: the ground surface (road or sidewalk) at (x, y)
  double RoadHeight(double x) const;        // m: the road surface at x
  double SlopeAt(double x) const;           // rise over run of the road at x
};

// The ego or an actor at one instant, on the ground.
struct PlanarPose {
  double x = 0, y = 0;  // m, world frame
  double yaw = 0;       // rad: the direction the body points
  double speed = 0;     // m/s along yaw (ego) or over ground (actors)
};

struct ActorSpec {
  int track_id = 0;
  sensors::ObjectClass object_class = sensors::ObjectClass::kCar;
  double length = 0, width = 0, height = 0;  // m: the ground-truth box
  Eigen::Vector3f colour = Eigen::Vector3f::Ones();
  std::vector<PlanarPose> path;             // sampled every Scene::kStep s from t = 0
  std::optional<double> first_behaviour_s;  // when its first behaviour fired, s
};

// An ego manoeuvre whose window the ground truth lists as an event.
struct ManoeuvreWindow {
  double start_s = 0, end_s = 0;  // s since the log's start
  std::string event_type;
};

struct FaultWindow {
  proto::Fault::Kind kind = proto::Fault::LIDAR_DROPOUT;
  double start_s = 0, end_s = 0;  // s since the log's start
  proto::Fault settings;          // the kind's parameters (fraction, sector, gain, blur)
  bool ActiveAt(double t) const { return t >= start_s && t < end_s; }
};

class Scene {
 public:
  static constexpr double kStep = 0.005;  // s: trajectory integration step

  // Samples every range in `scenario` from `seed` and integrates the trajectories. Throws
  // std::invalid_argument naming the field for a scenario that cannot be built (unknown class, a
  // range with min > max, a non-positive duration or frame rate).
  Scene(const proto::Scenario& scenario, std::uint64_t seed);

  const proto::Scenario& scenario() const { return scenario_; }
  std::uint64_t seed() const { return seed_; }
  double duration_s() const { return duration_s_; }
  double frame_period_s() const { return 1.0 / scenario_.lidar().rotation_hz(); }
  std::int64_t frame_count() const;
  // Frame `index`'s nominal time (the lidar facing forward); exact in ns, frame_period_s apart.
  sensors::Timestamp FrameStamp(std::int64_t index) const;
  const RoadLayout& road() const { return road_; }
  const std::vector<ActorSpec>& actors() const { return actors_; }
  const std::vector<FaultWindow>& faults() const { return faults_; }
  const std::vector<ManoeuvreWindow>& flagged_manoeuvres() const { return flagged_manoeuvres_; }

  PlanarPose EgoAt(double t) const;
  // The vehicle (= lidar) frame at time t: at the lidar, pitched with the road.
  Eigen::Isometry3d WorldFromVehicle(double t) const;
  // The actor's ground-truth box in the world frame at time t.
  sensors::Box3D ActorBoxAt(const ActorSpec& actor, double t) const;
  // Scenery and every actor's shapes at time t.
  std::vector<Solid> SolidsAt(double t) const;

 private:
  void BuildRoad();
  void BuildBuildings(Random& random);
  void IntegrateEgo(Random& random);
  void IntegrateActors(Random& random);
  void FollowWaypoints(const proto::Actor& spec, double heading, Random& random,
                       ActorSpec& actor) const;
  std::vector<Solid> ActorSolids(const ActorSpec& actor, const sensors::Box3D& box) const;

  proto::Scenario scenario_;
  std::uint64_t seed_ = 0;
  double duration_s_ = 0;
  RoadLayout road_;
  std::vector<Solid> scenery_;
  std::vector<PlanarPose> ego_path_;  // every kStep s
  std::vector<ActorSpec> actors_;
  std::vector<FaultWindow> faults_;
  std::vector<ManoeuvreWindow> flagged_manoeuvres_;
};

// The nearest thing a ray meets: the ground (road, curbs, sidewalks) or a solid. `direction` must
// be unit length. Solids a caller has culled may be left out of `solids`.
std::optional<Hit> CastRay(const RoadLayout& road, const std::vector<const Solid*>& solids,
                           const Eigen::Vector3d& origin, const Eigen::Vector3d& direction,
                           double max_distance);

}  // namespace longtail::tools::synth
