#include "pipeline/perception/label_scoring.h"

namespace longtail::pipeline {

LabelScoring ScoringOfLabelType(std::string_view type) {
  using G = ScoredGroup;
  struct Entry {
    std::string_view type;
    LabelScoring scoring;
  };
  static constexpr Entry kTable[] = {
      {"Car", {G::kVehicle, true}},
      {"Van", {G::kVehicle, true}},
      {"Truck", {G::kVehicle, true}},
      {"Tram", {G::kVehicle, false}},
      {"Pedestrian", {G::kPedestrian, true}},
      {"Person_sitting", {G::kPedestrian, false}},
      {"Cyclist", {G::kCyclist, true}},
      {"REGULAR_VEHICLE", {G::kVehicle, true}},
      {"LARGE_VEHICLE", {G::kVehicle, true}},
      {"BUS", {G::kVehicle, true}},
      {"SCHOOL_BUS", {G::kVehicle, true}},
      {"ARTICULATED_BUS", {G::kVehicle, true}},
      {"BOX_TRUCK", {G::kVehicle, true}},
      {"TRUCK", {G::kVehicle, true}},
      {"TRUCK_CAB", {G::kVehicle, true}},
      {"VEHICULAR_TRAILER", {G::kVehicle, false}},
      {"PEDESTRIAN", {G::kPedestrian, true}},
      {"STROLLER", {G::kPedestrian, false}},
      {"WHEELCHAIR", {G::kPedestrian, false}},
      {"BICYCLIST", {G::kCyclist, true}},
      {"MOTORCYCLIST", {G::kCyclist, true}},
      {"WHEELED_RIDER", {G::kCyclist, true}},
      {"BICYCLE", {G::kCyclist, false}},
      {"MOTORCYCLE", {G::kCyclist, false}},
  };
  for (const Entry& entry : kTable) {
    if (entry.type == type) return entry.scoring;
  }
  return {};
}

}  // namespace longtail::pipeline
