#include "pipeline/perception/class_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "pipeline/perception/class_training.h"
#include "pipeline/perception/cluster_features.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

float Feature(const ClusterFeatures& f, std::string_view name) {
  for (int k = 0; k < kNumClusterFeatures; ++k) {
    if (kFeatureNames[k] == name) return f.values[k];
  }
  throw std::runtime_error("no feature " + std::string(name));
}

// A vertical pole 0.1 m across and 3 m tall, 20 m ahead, standing on the ground at z = -1.7.
ClusterFeatures PoleFeatures() {
  std::vector<Eigen::Vector3f> points;
  for (int k = 0; k < 60; ++k) {
    points.emplace_back(20.0f + 0.05f * (k % 2), 0.05f * (k % 3), -1.7f + 0.05f * k);
  }
  const std::vector<float> reflectance(points.size(), 1.0f);
  sensors::Box3D box;
  box.center = {20.025, 0.05, -0.2};
  box.length = 0.1, box.width = 0.1, box.height = 3.0;
  return ComputeClusterFeatures({&points, &reflectance, box, -1.7, Eigen::Vector2d::Zero()});
}

TEST(ComputeClusterFeatures, DescribesAPoleAsTallThinAndLinear) {
  const ClusterFeatures f = PoleFeatures();
  EXPECT_NEAR(Feature(f, "range_m"), 20.0, 0.1);
  EXPECT_NEAR(Feature(f, "height_m"), 3.0, 1e-6);
  EXPECT_NEAR(Feature(f, "bottom_m"), 0.0, 1e-5);
  EXPECT_NEAR(Feature(f, "z_p50_m"), 1.45, 0.06);
  EXPECT_GT(Feature(f, "linearity"), 0.95);  // one long axis
  EXPECT_NEAR(Feature(f, "normal_z"), 0.0, 0.2);
  EXPECT_NEAR(Feature(f, "reflect_mean"), 1.0, 1e-6);
  EXPECT_NEAR(Feature(f, "band_0_05") + Feature(f, "band_05_10") + Feature(f, "band_10_15") +
                  Feature(f, "band_15_20"),
              40.0 / 60, 0.02);                // the top metre is above 2 m
  EXPECT_EQ(Feature(f, "fit_vehicle"), 0.0f);  // far too thin for any vehicle
}

// Two clouds of samples in feature space, labelled vehicle and background, from one seed.
std::vector<TrainingSample> TwoClasses(int per_class, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> noise(0, 0.3f);
  std::vector<TrainingSample> samples;
  for (int k = 0; k < 2 * per_class; ++k) {
    TrainingSample s;
    s.label = k % 2 ? ModelClass::kVehicle : ModelClass::kBackground;
    for (float& v : s.features.values) v = (k % 2 ? 1.0f : -1.0f) + noise(random);
    s.group = "drive" + std::to_string(k % 3);
    samples.push_back(s);
  }
  return samples;
}

TEST(TrainClassModel, SameSamplesAndSeedGiveTheSameModelFile) {
  ForestOptions options;
  options.num_trees = 10;
  const std::string a = TrainClassModel(TwoClasses(50, 1), options, {});
  const std::string b = TrainClassModel(TwoClasses(50, 1), options, {});
  EXPECT_EQ(a, b);
  options.seed = 15;
  EXPECT_NE(TrainClassModel(TwoClasses(50, 1), options, {}), a);
}

TEST(ClassModel, SeparatesWhatItWasTrainedOnAndAppliesItsCalibration) {
  ForestOptions options;
  options.num_trees = 10;
  ScoreCalibration halve;  // every vote fraction v -> v / 2
  halve.votes = {0, 1};
  halve.probability = {0, 0.5};
  const ClassModel model = ClassModel::FromText(TrainClassModel(TwoClasses(50, 2), options, halve));
  ASSERT_FALSE(model.empty());
  EXPECT_EQ(model.hash().size(), 16u);
  ClusterFeatures vehicle, clutter;
  vehicle.values.fill(1.0f), clutter.values.fill(-1.0f);
  const auto votes = model.Votes({vehicle, clutter});
  EXPECT_GT(votes[0].p[int(ModelClass::kVehicle)], 0.9);
  EXPECT_GT(votes[1].p[int(ModelClass::kBackground)], 0.9);
  EXPECT_EQ(votes[0].p[int(ModelClass::kPedestrian)], 0.0);  // never trained: no votes
  const auto calibrated = model.Predict({vehicle});
  EXPECT_NEAR(calibrated[0].p[int(ModelClass::kVehicle)], votes[0].p[int(ModelClass::kVehicle)] / 2,
              1e-9);
}

TEST(ClassModel, ItsOwnTreeWalkVotesExactlyAsOpenCv) {
  const ClassModel& model = ClassModel::Builtin();
  ASSERT_FALSE(model.empty());
  std::mt19937 random(5);
  std::uniform_real_distribution<float> value(-1, 6);
  std::vector<ClusterFeatures> features(500);
  for (ClusterFeatures& f : features) {
    for (float& v : f.values) v = value(random);
  }
  features.push_back(PoleFeatures());
  const auto fast = model.Votes(features), reference = model.OpenCvVotes(features);
  for (std::size_t r = 0; r < features.size(); ++r) {
    for (int c = 0; c < kNumModelClasses; ++c) EXPECT_DOUBLE_EQ(fast[r].p[c], reference[r].p[c]);
  }
}

TEST(ClassModel, RefusesAModelOfAnotherFeatureListAndGarbage) {
  ForestOptions options;
  options.num_trees = 2;
  std::string text = TrainClassModel(TwoClasses(10, 3), options, {});
  const std::string first(kFeatureNames[0]);
  text.replace(text.find(first), first.size(), "renamed");
  EXPECT_THROW(ClassModel::FromText(text), std::runtime_error);
  EXPECT_THROW(ClassModel::FromText("not a model"), std::exception);
}

TEST(ClassModel, TheBuiltInModelIsTheOneInTheRepository) {
  const ClassModel& model = ClassModel::Builtin();
  ASSERT_FALSE(model.empty()) << "pipeline/perception/models/class_model.yml was not embedded";
  proto::ClassOptions options;
  EXPECT_EQ(&ClassModel::ForOptions(options), &model);
  options.set_learned(false);
  EXPECT_TRUE(ClassModel::ForOptions(options).empty());
}

TEST(FitCalibration, IsMonotoneAndMatchesObservedFrequencies) {
  // Votes 0.1 are right 1 time in 4, votes 0.9 3 times in 4; 0.5 is out of order (0 of 2) and
  // is pooled with its neighbour below.
  const std::vector<double> votes = {0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.9, 0.9, 0.9, 0.9};
  const std::vector<bool> right = {true,  false, false, false, false,
                                   false, true,  true,  true,  false};
  const ScoreCalibration c = FitCalibration(votes, right);
  ASSERT_EQ(c.votes.size(), 2u);
  EXPECT_NEAR(c.probability[0], 1.0 / 6, 1e-9);  // the first six pooled
  EXPECT_NEAR(c.probability[1], 0.75, 1e-9);
  EXPECT_NEAR(c.Apply(0.0), 1.0 / 6, 1e-9);
  EXPECT_NEAR(c.Apply(1.0), 0.75, 1e-9);
  for (double v = 0; v < 1; v += 0.05) EXPECT_LE(c.Apply(v), c.Apply(v + 0.05) + 1e-12);
  EXPECT_DOUBLE_EQ(ScoreCalibration().Apply(0.37), 0.37);  // empty = identity
}

TEST(ReadObjectFrameDrives, MapsKittiObjectFramesToTheirRawDrives) {
  LONGTAIL_REQUIRE_DATA(mapping, "kitti-object-labels/mapping");
  const auto drives = ReadObjectFrameDrives(mapping);
  EXPECT_EQ(drives.at("001497"), "2011_09_26_drive_0052_sync");
  EXPECT_EQ(drives.at("004587"), "2011_09_26_drive_0052_sync");
  EXPECT_EQ(drives.at("000006"), "2011_09_29_drive_0026_sync");
  EXPECT_EQ(DriveOfFrame("x/kitti-tracking/training", "0000", "000003", drives),
            "kitti-tracking/0000");
  EXPECT_EQ(DriveOfFrame("x/training", "", "001206", drives), "2011_09_26_drive_0052_sync");
}

}  // namespace
}  // namespace longtail::pipeline
