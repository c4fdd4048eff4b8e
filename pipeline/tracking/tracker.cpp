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

  // 1. Predict every track to this frame: constant velocity, white-acceleration process noise.
  Eigen::Matrix4d transition = Eigen::Matrix4d::Identity();
  transition(0, 2) = transition(1, 3) = dt;
  const double q = options_.acceleration_noise();
  Eigen::Matrix4d noise = Eigen::Matrix4d::Zero();
  for (int axis = 0; axis < 2; ++axis) {
    noise(axis, axis) = q * dt * dt * dt / 3;
    noise(axis, axis + 2) = noise(axis + 2, axis) = q * dt * dt / 2;
    noise(axis + 2, axis + 2) = q * dt;
  }
  for (State& track : tracks_) {
    track.x = transition * track.x;
    track.covariance = transition * track.covariance * transition.transpose() + noise;
    ++track.age;
  }

  // 2. Detections in the world frame.
  std::vector<Box3D> detected_world(objects.size());
  for (std::size_t d = 0; d < objects.size(); ++d) {
    detected_world[d] = objects[d].box;
    detected_world[d].center = (world_from_vehicle * objects[d].box.center.homogeneous()).head<3>();
    detected_world[d].yaw = sensors::WrapAngle(objects[d].box.yaw + ego_yaw);
  }

  // 3. Associate: minimum total distance between predictions and detections, gated. A vehicle track
  // does not take a pedestrian or cyclist detection, and the other way round.
  const double gate = options_.max_association_distance_m();
  const double forbidden = 1e6;
  Eigen::MatrixXd cost(tracks_.size(), objects.size());
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    const auto votes = tracks_[t].class_votes;
    const auto track_class =
        static_cast<ObjectClass>(std::max_element(votes.begin(), votes.end()) - votes.begin());
    for (std::size_t d = 0; d < objects.size(); ++d) {
      const double distance = (tracks_[t].x.head<2>() - detected_world[d].center.head<2>()).norm();
      const bool incompatible = (sensors::IsVehicle(track_class) &&
                                 sensors::IsVulnerableRoadUser(objects[d].object_class)) ||
                                (sensors::IsVulnerableRoadUser(track_class) &&
                                 sensors::IsVehicle(objects[d].object_class));
      cost(t, d) = distance > gate || incompatible ? forbidden : distance;
    }
  }
  std::vector<int> detection_of_track(tracks_.size(), -1);
  std::vector<char> detection_used(objects.size(), false);
  if (!tracks_.empty() && !objects.empty()) {
    const std::vector<int> assignment = SolveAssignment(cost);
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
      const int d = assignment[t];
      if (d >= 0 && cost(t, d) < forbidden) {
        detection_of_track[t] = d;
        detection_used[d] = true;
      }
    }
  }

  // 4. Update the associated tracks (Kalman update on the box centre), age the others.
  const double r = options_.position_noise_m() * options_.position_noise_m();
  const double alpha = options_.size_smoothing();
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    State& track = tracks_[t];
    const int d = detection_of_track[t];
    for (double& vote : track.class_votes) vote *= options_.class_vote_decay();
    track.observations *= options_.class_vote_decay();
    if (d < 0) {
      ++track.misses;
      track.num_points = 0;
      continue;
    }
    const Box3D& box = detected_world[d];
    Eigen::Matrix<double, 2, 4> h = Eigen::Matrix<double, 2, 4>::Zero();
    h(0, 0) = h(1, 1) = 1;
    const Eigen::Matrix2d innovation_cov =
        h * track.covariance * h.transpose() + r * Eigen::Matrix2d::Identity();
    const Eigen::Matrix<double, 4, 2> gain =
        track.covariance * h.transpose() * innovation_cov.inverse();
    track.x += gain * (box.center.head<2>() - h * track.x);
    track.covariance = (Eigen::Matrix4d::Identity() - gain * h) * track.covariance;
    track.box_world.center.z() = box.center.z();
    track.box_world.length += alpha * (box.length - track.box_world.length);
    track.box_world.width += alpha * (box.width - track.box_world.width);
    track.box_world.height += alpha * (box.height - track.box_world.height);
    track.box_world.yaw = ClosestFlip(box.yaw, track.box_world.yaw);
    track.class_votes[static_cast<int>(objects[d].object_class)] += objects[d].class_confidence;
    track.observations += 1;
    track.num_points = objects[d].num_points;
    track.ground_z = objects[d].ground_z;
    ++track.hits;
    track.misses = 0;
  }

  // 5. Death: tracks missed too long, and tentative tracks missed once.
  std::erase_if(tracks_, [&](const State& track) {
    const bool confirmed = track.hits >= options_.min_hits_to_confirm();
    return track.misses > options_.max_frames_missed() || (!confirmed && track.misses > 0);
  });

  // 6. Birth: every unassociated detection starts a tentative track at rest.
  for (std::size_t d = 0; d < objects.size(); ++d) {
    if (detection_used[d]) continue;
    State track;
    track.id = next_id_++;
    track.x << detected_world[d].center.x(), detected_world[d].center.y(), 0, 0;
    const double sv = options_.initial_velocity_sigma_mps();
    track.covariance = Eigen::Vector4d(r, r, sv * sv, sv * sv).asDiagonal();
    track.box_world = detected_world[d];
    track.class_votes[static_cast<int>(objects[d].object_class)] += objects[d].class_confidence;
    track.observations = 1;
    track.num_points = objects[d].num_points;
    track.ground_z = objects[d].ground_z;
    track.hits = 1;
    tracks_.push_back(track);
  }

  // 7. Report the confirmed tracks, in the vehicle frame.
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
    const int best = static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin());
    report.object_class = static_cast<ObjectClass>(best);
    // The decayed mean over observations of the probability the detections gave this class (a
    // detection of another class adds 0): still a probability, so scores mean the same on tracks
    // as on detections.
    report.class_confidence =
        track.observations > 0 ? std::min(1.0, votes[best] / track.observations) : 0;
    Eigen::Vector2d velocity = track.x.tail<2>();
    if (velocity.norm() < options_.min_reported_speed_mps()) velocity.setZero();
    // A moving vehicle heads where it goes: resolve the pi ambiguity of the box's heading.
    if (velocity.norm() > 2.0 && track.hits >= 3) {
      track.box_world.yaw =
          ClosestFlip(track.box_world.yaw, std::atan2(velocity.y(), velocity.x()));
    }
    Box3D world_box = track.box_world;
    world_box.center.head<2>() = track.x.head<2>();
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
