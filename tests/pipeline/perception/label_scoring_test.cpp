#include "pipeline/perception/label_scoring.h"

#include <gtest/gtest.h>

namespace longtail::pipeline {
namespace {

// The names it knows are tested with box scoring (tests/evaluation/box_evaluation_test.cpp); here,
// what it does with names it does not know.
TEST(ScoringOfLabelType, AnUnknownOrEmptyTypeMatchesNothingAndIsNotScored) {
  for (const char* type : {"", "DontCare", "Bus", "car", "CAR ", "ANIMAL"}) {
    const LabelScoring scoring = ScoringOfLabelType(type);
    EXPECT_EQ(scoring.group, ScoredGroup::kNone) << '"' << type << '"';
    EXPECT_FALSE(scoring.scored) << '"' << type << '"';
  }
}

TEST(ScoringOfLabelType, NamesAreCaseSensitiveAcrossTheTwoDatasets) {
  // KITTI writes "Truck", Argoverse 2 "TRUCK": both are vehicles, but "truck" is neither.
  EXPECT_EQ(ScoringOfLabelType("Truck").group, ScoredGroup::kVehicle);
  EXPECT_EQ(ScoringOfLabelType("TRUCK").group, ScoredGroup::kVehicle);
  EXPECT_EQ(ScoringOfLabelType("truck").group, ScoredGroup::kNone);
}

}  // namespace
}  // namespace longtail::pipeline
