#include "pipeline/tracking/tracker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;

sensors::Timestamp At(double seconds) { return sensors::Timestamp(sensors::FromSeconds(seconds)); }

DetectedObject Car(double x, double y) {
  DetectedObject object;
  object.box.center = {x, y, -1};
  object.box.length = 4, object.box.width = 1.7, object.box.height = 1.5;
  object.object_class = ObjectClass::kCar;
  object.class_confidence = 0.9;
  object.num_points = 200;
  return object;
}

EgoMotion EgoAt(double x) {
  EgoMotion ego;
  ego.known = true;
  ego.world_from_vehicle(0, 3) = x;
  return ego;
}

TEST(Tracker, ConfirmsATrackOnlyAfterEnoughHits) {
  Tracker tracker{proto::TrackerOptions()};
  EXPECT_TRUE(tracker.Update(At(0), {Car(10, 0)}, EgoAt(0)).empty());
  const std::vector<Track> tracks = tracker.Update(At(0.1), {Car(10, 0)}, EgoAt(0));
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].hits, 2);
  EXPECT_EQ(tracks[0].object_class, ObjectClass::kCar);
}

TEST(Tracker, FollowsAMovingCarWithOneIdAndItsVelocity) {
  Tracker tracker{proto::TrackerOptions()};
  std::vector<Track> tracks;
  int id = -1;
  for (int i = 0; i < 20; ++i) {
    tracks = tracker.Update(At(0.1 * i), {Car(10 + 0.5 * i, 2), Car(-8 - 0.3 * i, -3)}, EgoAt(0));
    if (i == 1) id = tracks.at(0).id;
    if (i >= 1) {
      ASSERT_EQ(tracks.size(), 2u);
      EXPECT_EQ(tracks[0].id, id);
    }
  }
  EXPECT_NEAR(tracks[0].velocity_world.x(), 5, 0.3);
  EXPECT_NEAR(tracks[0].velocity_world.y(), 0, 0.3);
  EXPECT_NEAR(tracks[1].velocity_world.x(), -3, 0.3);
  EXPECT_NEAR(tracks[0].box.center.x(), 10 + 0.5 * 19, 0.3);
}

TEST(Tracker, RemovesEgoMotionFromVelocities) {
  // The ego drives at 10 m/s; a parked car ahead comes 1 m closer each frame in the vehicle frame.
  Tracker tracker{proto::TrackerOptions()};
  std::vector<Track> tracks;
  for (int i = 0; i < 15; ++i) {
    tracks = tracker.Update(At(0.1 * i), {Car(30 - 1.0 * i, 3)}, EgoAt(1.0 * i));
  }
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_LT(tracks[0].velocity_world.norm(), 0.2);
  EXPECT_NEAR(tracks[0].box.center.x(), 30 - 14, 0.1);  // reported in the vehicle frame
}

TEST(Tracker, DeletesATrackAfterTooManyMissesAndStartsANewId) {
  proto::TrackerOptions options;
  options.set_max_frames_missed(2);
  Tracker tracker{options};
  tracker.Update(At(0), {Car(10, 0)}, EgoAt(0));
  const int id = tracker.Update(At(0.1), {Car(10, 0)}, EgoAt(0)).at(0).id;
  EXPECT_TRUE(tracker.Update(At(0.2), {}, EgoAt(0)).empty());  // coasting tracks are not reported
  EXPECT_TRUE(tracker.Update(At(0.3), {}, EgoAt(0)).empty());
  // Missed twice: still alive, so the car comes back under the same id.
  EXPECT_EQ(tracker.Update(At(0.4), {Car(10, 0)}, EgoAt(0)).at(0).id, id);
  for (int i = 5; i < 8; ++i) tracker.Update(At(0.1 * i), {}, EgoAt(0));
  tracker.Update(At(0.8), {Car(10, 0)}, EgoAt(0));
  const std::vector<Track> tracks = tracker.Update(At(0.9), {Car(10, 0)}, EgoAt(0));
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_NE(tracks[0].id, id);
}

TEST(Tracker, NeverAssociatesBeyondTheGateOrAcrossVehicleAndPedestrian) {
  Tracker tracker{proto::TrackerOptions()};
  tracker.Update(At(0), {Car(10, 0)}, EgoAt(0));
  const int id = tracker.Update(At(0.1), {Car(10, 0)}, EgoAt(0)).at(0).id;
  DetectedObject person = Car(10, 0);
  person.object_class = ObjectClass::kPedestrian;
  // Far jump: a new (tentative) track; same place but a pedestrian: also a new one.
  std::vector<Track> tracks = tracker.Update(At(0.2), {Car(20, 0)}, EgoAt(0));
  EXPECT_TRUE(tracks.empty());
  tracks = tracker.Update(At(0.3), {person}, EgoAt(0));
  for (const Track& track : tracks) EXPECT_NE(track.id, id);
}

TEST(Tracker, AnUnknownTrackNamesTheClassItsUnsureDetectionsMostLikelyAre) {
  Tracker tracker{proto::TrackerOptions()};
  DetectedObject candidate = Car(15, 2);
  candidate.object_class = ObjectClass::kUnknown;  // the model was not sure enough
  candidate.unsure_class = ObjectClass::kVan;
  candidate.class_confidence = 0.3;
  tracker.Update(At(0), {candidate}, EgoAt(0));
  const std::vector<Track> tracks = tracker.Update(At(0.1), {candidate}, EgoAt(0));
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].object_class, ObjectClass::kUnknown);
  EXPECT_EQ(tracks[0].unsure_class, ObjectClass::kVan);
  EXPECT_NEAR(tracks[0].class_confidence, 0.3, 1e-9);  // the van's probability, as detected
  // A track of a reported class has no unsure class.
  Tracker cars{proto::TrackerOptions()};
  cars.Update(At(0), {Car(15, 2)}, EgoAt(0));
  EXPECT_EQ(cars.Update(At(0.1), {Car(15, 2)}, EgoAt(0)).at(0).unsure_class, ObjectClass::kUnknown);
}

TEST(Tracker, ReportsTheBoxAsObservedWhenAsked) {
  // A parked car whose fitted box jitters by 0.4 m and 0.6 m in length from frame to frame.
  proto::TrackerOptions observed_options;
  observed_options.set_report_observed_box(true);
  Tracker filtered{proto::TrackerOptions()}, observed{observed_options};
  std::vector<Track> from_filtered, from_observed;
  DetectedObject car;
  for (int i = 0; i < 6; ++i) {
    car = Car(i % 2 == 0 ? 10 : 10.4, 0);
    car.box.length = i % 2 == 0 ? 4 : 4.6;
    from_filtered = filtered.Update(At(0.1 * i), {car}, EgoAt(0));
    from_observed = observed.Update(At(0.1 * i), {car}, EgoAt(0));
  }
  ASSERT_EQ(from_filtered.size(), 1u);
  ASSERT_EQ(from_observed.size(), 1u);
  EXPECT_NEAR(from_observed[0].box.center.x(), 10.4, 1e-9);
  EXPECT_NEAR(from_observed[0].box.length, 4.6, 1e-9);
  EXPECT_GT(std::abs(from_filtered[0].box.center.x() - 10.4), 0.05);  // filtered and smoothed
  EXPECT_LT(from_filtered[0].box.length, 4.5);
  EXPECT_EQ(from_observed[0].id, from_filtered[0].id);
}

}  // namespace
}  // namespace longtail::pipeline
