#include "pipeline/tracking/tracker.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "pipeline/tracking/hungarian.h"

namespace longtail::pipeline {
namespace {

double YawOf(const Eigen::Matrix4d& transform) {
  return std::atan2(transform(1, 0), transform(0, 0));
}

// The angle among {angle, angle + pi} closest to `reference`: box headings are ambiguous by pi.
double ClosestFlip(double angle, double reference) {
  const double flipped = sensors::WrapAngle(angle + std::numbers::pi);
  return std::abs(sensors::WrapAngle(angle - reference)) <=
                 std::abs(sensors::WrapAngle(flipped - reference))
             ? sensors::WrapAngle(angle)
             : flipped;
}

// Constant-velocity motion over `dt` seconds of the state [x y vx vy], with white-acceleration
// process noise of spectral density `q` (m^2/s^3): uncertainty grows with the time unobserved.
struct MotionModel {
  Eigen::Matrix4d transition;
  Eigen::Matrix4d noise;
};

MotionModel ConstantVelocityModel(double dt, double q) {
  MotionModel model;
  model.transition = Eigen::Matrix4d::Identity();
  model.transition(0, 2) = model.transition(1, 3) = dt;
  model.noise = Eigen::Matrix4d::Zero();
  for (int axis = 0; axis < 2; ++axis) {
    model.noise(axis, axis) = q * dt * dt * dt / 3;
    model.noise(axis, axis + 2) = model.noise(axis + 2, axis) = q * dt * dt / 2;
    model.noise(axis + 2, axis + 2) = q * dt;
  }
  return model;
}

// The detections' boxes moved from the vehicle frame to the world frame.
std::vector<Box3D> BoxesInWorld(const std::vector<DetectedObject>& objects,
                                const Eigen::Matrix4d& world_from_vehicle, double ego_yaw) {
  std::vector<Box3D> boxes(objects.size());
  for (std::size_t d = 0; d < objects.size(); ++d) {
    boxes[d] = objects[d].box;
    boxes[d].center = (world_from_vehicle * objects[d].box.center.homogeneous()).head<3>();
    boxes[d].yaw = sensors::WrapAngle(objects[d].box.yaw + ego_yaw);
  }
  return boxes;
}

// The class with the most (decayed) votes; the first of equals.
ObjectClass MostVotedClass(const std::array<double, 8>& votes) {
  return static_cast<ObjectClass>(std::max_element(votes.begin(), votes.end()) - votes.begin());
}

// A detection's vote for its class, and for its candidate class (its unsure class when unknown).
void AddClassVotes(const DetectedObject& object, std::array<double, 8>& class_votes,
                   std::array<double, 8>& candidate_votes) {
  class_votes[static_cast<int>(object.object_class)] += object.class_confidence;
  const ObjectClass candidate =
      object.object_class == ObjectClass::kUnknown ? object.unsure_class : object.object_class;
  candidate_votes[static_cast<int>(candidate)] += object.class_confidence;
}

// A vehicle track does not take a pedestrian or cyclist detection, and the other way round: the
// classes are told apart reliably, and a swap would give a track a wrong size and dynamics.
bool IncompatibleClasses(ObjectClass track_class, ObjectClass detection_class) {
  return (sensors::IsVehicle(track_class) && sensors::IsVulnerableRoadUser(detection_class)) ||
         (sensors::IsVulnerableRoadUser(track_class) && sensors::IsVehicle(detection_class));
}

// Association cost of a pair the assignment must never use.
constexpr double kForbiddenCost = 1e6;

// Kalman filter estimate of [x y vx vy] (m, m/s) and its covariance.
struct KalmanEstimate {
  Eigen::Vector4d x;
  Eigen::Matrix4d covariance;
};

// The Kalman update with a measurement of the position (x, y) of variance `r` (m^2) per axis.
KalmanEstimate CorrectWithPosition(KalmanEstimate estimate, const Eigen::Vector2d& measured,
                                   double r) {
  Eigen::Matrix<double, 2, 4> h = Eigen::Matrix<double, 2, 4>::Zero();
  h(0, 0) = h(1, 1) = 1;
  const Eigen::Matrix2d innovation_cov =
      h * estimate.covariance * h.transpose() + r * Eigen::Matrix2d::Identity();
  const Eigen::Matrix<double, 4, 2> gain =
      estimate.covariance * h.transpose() * innovation_cov.inverse();
  estimate.x += gain * (measured - h * estimate.x);
  estimate.covariance = (Eigen::Matrix4d::Identity() - gain * h) * estimate.covariance;
  return estimate;
}

// The track's box after observing `observed`: the centre height is taken as measured, the size
// smoothed with factor `alpha` (cluster extents vary from frame to frame with occlusion), the
// heading the observed one, flipped by pi to stay closest to the track's.
Box3D FollowObservedBox(Box3D box, const Box3D& observed, double alpha) {
  box.center.z() = observed.center.z();
  box.length += alpha * (observed.length - box.length);
  box.width += alpha * (observed.width - box.width);
  box.height += alpha * (observed.height - box.height);
  box.yaw = ClosestFlip(observed.yaw, box.yaw);
  return box;
}

}  // namespace

Tracker::Tracker(const proto::TrackerOptions& options) : options_(options) {}

std::vector<Track> Tracker::Update(sensors::Timestamp stamp,
                                   const std::vector<DetectedObject>& objects,
                                   const EgoMotion& ego) {
  // Without ego motion the "world" is the current vehicle frame.
  const Eigen::Matrix4d world_from_vehicle =
      ego.known ? ego.world_from_vehicle : Eigen::Matrix4d::Identity();
  const double ego_yaw = YawOf(world_from_vehicle);
  const double dt = last_stamp_ ? std::max(0.0, sensors::ToSeconds(stamp - *last_stamp_)) : 0.0;
  last_stamp_ = stamp;

  PredictTracks(dt);
  const std::vector<Box3D> detected_world = BoxesInWorld(objects, world_from_vehicle, ego_yaw);
  const std::vector<int> detection_of_track = AssociateDetections(detected_world, objects);
  std::vector<char> detection_used(objects.size(), false);
  for (const int d : detection_of_track) {
    if (d >= 0) detection_used[d] = true;
  }
  CorrectAssociatedTracks(detection_of_track, detected_world, objects);
  DropLostTracks();
  StartTracks(detection_used, detected_world, objects);
  return ReportConfirmedTracks(world_from_vehicle, ego_yaw);
}

// Every track moves to this frame's time under the constant-velocity model.
void Tracker::PredictTracks(double dt) {
  const MotionModel motion = ConstantVelocityModel(dt, options_.acceleration_noise());
  for (State& track : tracks_) {
    track.x = motion.transition * track.x;
    track.covariance =
        motion.transition * track.covariance * motion.transition.transpose() + motion.noise;
    ++track.age;
  }
}

// The detection each track takes (-1: none): the minimum total distance between predictions and
// detections, over pairs closer than the gate and of compatible classes.
std::vector<int> Tracker::AssociateDetections(const std::vector<Box3D>& detected_world,
                                              const std::vector<DetectedObject>& objects) const {
  const double gate = options_.max_association_distance_m();
  Eigen::MatrixXd cost(tracks_.size(), objects.size());
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    const ObjectClass track_class = MostVotedClass(tracks_[t].class_votes);
    for (std::size_t d = 0; d < objects.size(); ++d) {
      const double distance = (tracks_[t].x.head<2>() - detected_world[d].center.head<2>()).norm();
      const bool incompatible = IncompatibleClasses(track_class, objects[d].object_class);
      cost(t, d) = distance > gate || incompatible ? kForbiddenCost : distance;
    }
  }
  std::vector<int> detection_of_track(tracks_.size(), -1);
  if (tracks_.empty() || objects.empty()) return detection_of_track;
  const std::vector<int> assignment = SolveAssignment(cost);
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    const int d = assignment[t];
    if (d >= 0 && cost(t, d) < kForbiddenCost) detection_of_track[t] = d;
  }
  return detection_of_track;
}

// Class votes of every track decay, so a track can change its mind; an associated track then
// takes its detection (Kalman update on the box centre), the others count a miss.
void Tracker::CorrectAssociatedTracks(const std::vector<int>& detection_of_track,
                                      const std::vector<Box3D>& detected_world,
                                      const std::vector<DetectedObject>& objects) {
  const double r = options_.position_noise_m() * options_.position_noise_m();
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    State& track = tracks_[t];
    const int d = detection_of_track[t];
    for (double& vote : track.class_votes) vote *= options_.class_vote_decay();
    for (double& vote : track.candidate_votes) vote *= options_.class_vote_decay();
    track.observations *= options_.class_vote_decay();
    if (d < 0) {
      ++track.misses;
      track.num_points = 0;
      continue;
    }
    const KalmanEstimate corrected =
        CorrectWithPosition({track.x, track.covariance}, detected_world[d].center.head<2>(), r);
    track.x = corrected.x;
    track.covariance = corrected.covariance;
    track.box_world =
        FollowObservedBox(track.box_world, detected_world[d], options_.size_smoothing());
    track.observed_world = detected_world[d];
    AddClassVotes(objects[d], track.class_votes, track.candidate_votes);
    track.observations += 1;
    track.num_points = objects[d].num_points;
    track.ground_z = objects[d].ground_z;
    ++track.hits;
    track.misses = 0;
  }
}

// Death: tracks missed too long, and tentative tracks missed once (most are clutter).
void Tracker::DropLostTracks() {
  std::erase_if(tracks_, [&](const State& track) {
    const bool confirmed = track.hits >= options_.min_hits_to_confirm();
    return track.misses > options_.max_frames_missed() || (!confirmed && track.misses > 0);
  });
}

// Birth: every unassociated detection starts a tentative track at rest, its velocity uncertain.
void Tracker::StartTracks(const std::vector<char>& detection_used,
                          const std::vector<Box3D>& detected_world,
                          const std::vector<DetectedObject>& objects) {
  const double r = options_.position_noise_m() * options_.position_noise_m();
  const double sv = options_.initial_velocity_sigma_mps();
  for (std::size_t d = 0; d < objects.size(); ++d) {
    if (detection_used[d]) continue;
    State track;
    track.id = next_id_++;
    track.x << detected_world[d].center.x(), detected_world[d].center.y(), 0, 0;
    track.covariance = Eigen::Vector4d(r, r, sv * sv, sv * sv).asDiagonal();
    track.box_world = detected_world[d];
    track.observed_world = detected_world[d];
    AddClassVotes(objects[d], track.class_votes, track.candidate_votes);
    track.observations = 1;
    track.num_points = objects[d].num_points;
    track.ground_z = objects[d].ground_z;
    track.hits = 1;
    tracks_.push_back(track);
  }
}

// The confirmed tracks that have not coasted too long, in the vehicle frame.
std::vector<Track> Tracker::ReportConfirmedTracks(const Eigen::Matrix4d& world_from_vehicle,
                                                  double ego_yaw) {
  const Eigen::Matrix4d vehicle_from_world = world_from_vehicle.inverse();
  const Eigen::Matrix2d world_rotation = world_from_vehicle.topLeftCorner<2, 2>();
  std::vector<Track> out;
  for (State& track : tracks_) {
    if (track.hits < options_.min_hits_to_confirm() ||
        track.misses > options_.report_coasting_frames()) {
      continue;
    }
    Track report;
    report.id = track.id;
    const auto& votes = track.class_votes;
    const int best = static_cast<int>(MostVotedClass(votes));
    report.object_class = static_cast<ObjectClass>(best);
    // The decayed mean over observations of the probability the detections gave this class (a
    // detection of another class adds 0): still a probability, so scores mean the same on tracks
    // as on detections.
    report.class_confidence =
        track.observations > 0 ? std::min(1.0, votes[best] / track.observations) : 0;
    if (report.object_class == ObjectClass::kUnknown) {
      // As for a detection: the most likely known class (index 0 is kUnknown) and its probability.
      const auto& candidates = track.candidate_votes;
      const auto most = std::max_element(candidates.begin() + 1, candidates.end());
      if (*most > 0) {
        report.unsure_class = static_cast<ObjectClass>(most - candidates.begin());
        report.class_confidence = std::min(1.0, *most / track.observations);
      }
    }
    Eigen::Vector2d velocity = track.x.tail<2>();
    if (velocity.norm() < options_.min_reported_speed_mps()) velocity.setZero();
    // A moving vehicle heads where it goes: resolve the pi ambiguity of the box's heading.
    if (velocity.norm() > 2.0 && track.hits >= 3) {
      track.box_world.yaw =
          ClosestFlip(track.box_world.yaw, std::atan2(velocity.y(), velocity.x()));
    }
    Box3D world_box = track.box_world;
    world_box.center.head<2>() = track.x.head<2>();
    if (options_.report_observed_box() && track.misses == 0) {
      world_box = track.observed_world;
      world_box.yaw = track.box_world.yaw;  // the observed heading, resolved as above
    }
    report.box = world_box;
    report.box.center = (vehicle_from_world * world_box.center.homogeneous()).head<3>();
    report.box.yaw = sensors::WrapAngle(world_box.yaw - ego_yaw);
    report.velocity_world = velocity;
    report.velocity_vehicle = world_rotation.transpose() * velocity;
    report.age = track.age;
    report.hits = track.hits;
    report.num_points = track.num_points;
    out.push_back(report);
  }
  return out;
}

}  // namespace longtail::pipeline
