#include "evaluation/clear_mot.h"

#include <gtest/gtest.h>

namespace longtail::evaluation {
namespace {

sensors::Box3D CarAt(double x) {
  sensors::Box3D box;
  box.center = {x, 0, 0.8};
  box.length = 4, box.width = 2, box.height = 1.6;
  return box;
}

std::vector<ScoredTruth> OneCar(double x, int id = 5) {
  return {{CarAt(x), sensors::ObjectClass::kCar, ScoredGroup::kVehicle, id, true}};
}

ScoredPrediction TrackAt(double x, int id, double speed_mps = 0) {
  return {CarAt(x), sensors::ObjectClass::kCar, ScoredGroup::kVehicle, 0.9, id, false, speed_mps};
}

TEST(ClearMot, CountsMissesSwitchesAndFragmentations) {
  ClearMot mot{pipeline::proto::BoxEvaluationOptions()};
  mot.AddFrame(OneCar(10), {TrackAt(10, 1, 2.0)});
  mot.AddFrame(OneCar(11), {});                     // a miss
  mot.AddFrame(OneCar(12), {TrackAt(12, 2, 4.0)});  // back, as another track: switch + frag
  mot.AddFrame(OneCar(13), {TrackAt(13, 2), TrackAt(40, 3)});  // a false positive
  const std::vector<TrackingScore> scores = mot.Scores();
  ASSERT_EQ(scores.size(), 4u);
  const TrackingScore& vehicles = scores[0];
  EXPECT_EQ(vehicles.name, "Vehicle");
  EXPECT_EQ(vehicles.num_truth, 4);
  EXPECT_EQ(vehicles.misses, 1);
  EXPECT_EQ(vehicles.id_switches, 1);
  EXPECT_EQ(vehicles.fragmentations, 1);
  EXPECT_EQ(vehicles.false_positives, 1);
  EXPECT_DOUBLE_EQ(vehicles.mota, 1.0 - 3.0 / 4);
  EXPECT_EQ(vehicles.predicted_ids.at(5), (std::vector<int>{1, 2}));
  EXPECT_DOUBLE_EQ(vehicles.mean_speed_mps.at(5), 2.0);
  EXPECT_DOUBLE_EQ(vehicles.max_speed_mps.at(5), 4.0);
  EXPECT_EQ(scores[3].name, "All");
  EXPECT_EQ(scores[3].num_truth, 4);
  EXPECT_EQ(scores[1].num_truth, 0);
}

TEST(ClearMot, KeepsACorrespondenceWhileItStillOverlaps) {
  ClearMot mot{pipeline::proto::BoxEvaluationOptions()};
  mot.AddFrame(OneCar(10), {TrackAt(10.6, 1)});
  // Track 2 now overlaps better, but track 1 still matches: no switch.
  mot.AddFrame(OneCar(10), {TrackAt(10.6, 1), TrackAt(10, 2)});
  EXPECT_EQ(mot.Scores()[0].id_switches, 0);
}

TEST(ClearMot, ForgetsTrackIdsAtANewSequence) {
  ClearMot mot{pipeline::proto::BoxEvaluationOptions()};
  mot.AddFrame(OneCar(10), {TrackAt(10, 1)});
  mot.StartSequence();
  mot.AddFrame(OneCar(10), {TrackAt(10, 7)});  // the same truth id in another sequence
  EXPECT_EQ(mot.Scores()[0].id_switches, 0);
}

}  // namespace
}  // namespace longtail::evaluation
