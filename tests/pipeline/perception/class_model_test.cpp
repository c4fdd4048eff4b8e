#include "pipeline/perception/class_model.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "pipeline/perception/cluster_features.h"
#include "tests/pipeline/perception/scenes.h"

namespace longtail::pipeline {
namespace {

using testing::PoleFeatures;

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

}  // namespace
}  // namespace longtail::pipeline
