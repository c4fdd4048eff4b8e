// The learned class decision: a random forest (OpenCV ml RTrees) over ClusterFeatures that tells
// vehicles, pedestrians and cyclists from background clutter (walls, hedges, poles, trunks), with
// its vote fractions mapped to probabilities by a calibration fitted on held-out drives.
// OpenCV stays inside the .cpp: this header is plain data.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/perception/cluster_features.h"
#include "pipeline/proto/perception.pb.h"

namespace longtail::pipeline {

// What the model decides between (the groups the box evaluation scores).
enum class ModelClass { kBackground = 0, kVehicle = 1, kPedestrian = 2, kCyclist = 3 };
inline constexpr int kNumModelClasses = 4;
const char* ToString(ModelClass c);

// Calibrated probability of each class, [0,1] (they need not sum to exactly 1).
struct ClassProbabilities {
  std::array<double, kNumModelClasses> p{};
};

// Monotone map from a forest's vote fraction to the observed frequency of being right: knots
// (vote fraction, probability), interpolated linearly; empty = identity.
struct ScoreCalibration {
  std::vector<double> votes, probability;
  double Apply(double vote_fraction) const;
};

// A trained model: immutable, cheap to copy, thread-safe to use.
class ClassModel {
 public:
  ClassModel() = default;  // empty: classification falls back to the size rule
  // Parses a model file: OpenCV FileStorage YAML, plain or gzipped. Throws std::runtime_error
  // when it is malformed or was trained on another feature list.
  static ClassModel FromText(const std::string& text);
  // The model compiled into the binary (pipeline/perception/models/class_model.yml.gz), or an empty
  // one when the build had none.
  static const ClassModel& Builtin();
  // The model `options` name: the built-in one, or the file in `model_file` (read once, cached).
  static const ClassModel& ForOptions(const proto::ClassOptions& options);

  bool empty() const { return impl_ == nullptr; }
  // FNV-1a 64 of the model text, hex; "none" when empty. Enters the run options hash.
  const std::string& hash() const;
  // One row per cluster, same order. Must not be empty().
  std::vector<ClassProbabilities> Predict(const std::vector<ClusterFeatures>& features) const;
  // Raw vote fractions (before calibration), for fitting the calibration.
  std::vector<ClassProbabilities> Votes(const std::vector<ClusterFeatures>& features) const;
  // The same through OpenCV's RTrees::getVotes (slower; the tests check that both agree).
  std::vector<ClassProbabilities> OpenCvVotes(const std::vector<ClusterFeatures>& features) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// Within `roof_seen_within_m` of the lidar its beams meet a vehicle's roof a few centimetres
// apart: a cluster lower than `min_vehicle_height_m` there is no vehicle (ClassOptions; walls,
// barriers and hedges of about 1 m are). Perceive rules the vehicle class out for such a cluster
// unless a taller one stands beside it; training does for the held-out votes the calibration is
// fitted on (a sample knows no neighbours), so the scores keep their meaning.
bool TooLowForAVehicle(const ClusterFeatures& features, const proto::ClassOptions& options);

// One labelled cluster for training; `group` names the drive it came from (folds are by drive).
struct TrainingSample {
  ClusterFeatures features;
  ModelClass label = ModelClass::kBackground;
  std::string group;
  std::string frame;  // object frame id ("000006") or tracking sequence ("0000") it came from
};

struct ForestOptions {
  int num_trees = 40;        // trees in the forest (each costs about 0.1 us a cluster)
  int max_depth = 12;        // levels per tree
  int min_sample_count = 4;  // samples a node needs to be split
  std::uint64_t seed = 14;   // cv::theRNG() state before training: same data, same model
  // Class priors 1/sqrt(frequency): rare classes (a few dozen pedestrians against thousands of
  // clutter clusters) are not drowned, nor are their few samples blown up into overfitting.
  bool balance_classes = true;
};

// Trains the forest and returns the model file's text (with `calibration`). Deterministic.
std::string TrainClassModel(const std::vector<TrainingSample>& samples,
                            const ForestOptions& options, const ScoreCalibration& calibration);

// Gzip of `text` with a fixed header (no time stamp): the same text gives the same bytes.
std::string Gzip(const std::string& text);

// Isotonic regression (pool adjacent violators) of `correct` on `votes`: the calibration map.
ScoreCalibration FitCalibration(const std::vector<double>& votes, const std::vector<bool>& correct);

}  // namespace longtail::pipeline
