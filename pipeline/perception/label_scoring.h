// How a ground-truth label type is scored: the group its boxes are matched in and whether missing
// it counts. Shared by box scoring (evaluation/) and classifier training.
#pragma once

#include <string_view>

namespace longtail::pipeline {

// How a ground-truth label type (KITTI's names, or an Argoverse 2 category) is scored: its group,
// and whether missing it counts (unscored truths make the predictions matched to them neutral).
// KITTI: Car, Van, Truck -> vehicles, Tram a neutral vehicle, Pedestrian, Person_sitting (neutral),
// Cyclist; Misc matches nothing. AV2: REGULAR_VEHICLE, LARGE_VEHICLE, BUS, SCHOOL_BUS,
// ARTICULATED_BUS, BOX_TRUCK, TRUCK, TRUCK_CAB -> vehicles (VEHICULAR_TRAILER neutral);
// PEDESTRIAN (STROLLER, WHEELCHAIR neutral); BICYCLIST, MOTORCYCLIST, WHEELED_RIDER -> cyclists
// (a BICYCLE or MOTORCYCLE without rider is a neutral cyclist); the rest match nothing.
enum class ScoredGroup { kVehicle = 0, kPedestrian = 1, kCyclist = 2, kNone = 3 };
struct LabelScoring {
  ScoredGroup group = ScoredGroup::kNone;
  bool scored = false;
};
LabelScoring ScoringOfLabelType(std::string_view type);

}  // namespace longtail::pipeline
