// CLEAR MOT (Bernardin and Stiefelhagen 2008) over scored ground truth, with confirmed tracks as
// hypotheses: misses, false positives, identity switches, fragmentations and MOTA, per group.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "evaluation/box_scoring.h"

namespace longtail::evaluation {

struct TrackingScore {
  std::string name;  // "Vehicle", "Pedestrian", "Cyclist", "All"
  int num_truth = 0, misses = 0, false_positives = 0, id_switches = 0, fragmentations = 0;
  double mota = 0;
  // Per ground-truth track id: the distinct predicted track ids it was matched to, in order.
  std::map<int, std::vector<int>> predicted_ids;
  // Per ground-truth track id: the mean and largest speed over ground (ego motion removed) of the
  // tracks matched to it, m/s. A parked car should stay near zero.
  std::map<int, double> mean_speed_mps, max_speed_mps;
};

// Frame by frame, sequence by sequence: a truth keeps the track it matched last time while they
// still overlap enough, the rest are matched greedily by BEV IoU.
class ClearMot {
 public:
  explicit ClearMot(const pipeline::proto::BoxEvaluationOptions& options);

  // A new sequence: track ids of the last one mean nothing any more.
  void StartSequence() { truth_states_.clear(); }
  void AddFrame(const std::vector<ScoredTruth>& truths,
                const std::vector<ScoredPrediction>& tracks);
  // Vehicle, Pedestrian, Cyclist, All.
  std::vector<TrackingScore> Scores() const;

 private:
  struct TruthTrackState {
    int last_hypothesis = -1;
    bool ever_matched = false, matched_last_time = false;
  };
  static constexpr int kAll = 3;  // the row of every group

  std::vector<std::pair<int, int>> KeptCorrespondences(const std::vector<ScoredTruth>& truths,
                                                       const std::vector<ScoredPrediction>& tracks);
  void Count(int row, const ScoredTruth& truth, const TruthTrackState& state,
             const ScoredPrediction* hypothesis);

  pipeline::proto::BoxEvaluationOptions options_;
  std::vector<TrackingScore> rows_ = std::vector<TrackingScore>(4);
  std::map<int, TruthTrackState> truth_states_;      // by truth track id, this sequence
  std::array<std::map<int, double>, 4> speed_sums_;  // per row, per truth track id
  std::array<std::map<int, int>, 4> speed_counts_;
};

}  // namespace longtail::evaluation
