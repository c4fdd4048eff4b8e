#include "evaluation/clear_mot.h"

#include <algorithm>

namespace longtail::evaluation {

ClearMot::ClearMot(const pipeline::proto::BoxEvaluationOptions& options) : options_(options) {
  rows_[0].name = "Vehicle", rows_[1].name = "Pedestrian", rows_[2].name = "Cyclist";
  rows_[kAll].name = "All";
}

std::vector<std::pair<int, int>> ClearMot::KeptCorrespondences(
    const std::vector<ScoredTruth>& truths, const std::vector<ScoredPrediction>& tracks) {
  std::vector<std::pair<int, int>> locked;  // (track, truth)
  for (std::size_t t = 0; t < truths.size(); ++t) {
    if (!truths[t].scored || truths[t].track_id < 0) continue;
    const int last = truth_states_[truths[t].track_id].last_hypothesis;
    for (std::size_t p = 0; p < tracks.size(); ++p) {
      const ScoredPrediction& h = tracks[p];
      if (h.track_id == last && h.group == truths[t].group &&
          sensors::BevIoU(h.box, truths[t].box) >= NeededIoU(truths[t].group, options_)) {
        locked.emplace_back(static_cast<int>(p), static_cast<int>(t));
      }
    }
  }
  return locked;
}

void ClearMot::Count(int row, const ScoredTruth& truth, const TruthTrackState& state,
                     const ScoredPrediction* hypothesis) {
  TrackingScore& score = rows_[row];
  ++score.num_truth;
  if (!hypothesis) {
    ++score.misses;
    return;
  }
  const int id = hypothesis->track_id;
  score.id_switches += state.last_hypothesis >= 0 && state.last_hypothesis != id;
  score.fragmentations += state.ever_matched && !state.matched_last_time;
  std::vector<int>& ids = score.predicted_ids[truth.track_id];
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  speed_sums_[row][truth.track_id] += hypothesis->speed_mps;
  ++speed_counts_[row][truth.track_id];
  double& largest = score.max_speed_mps[truth.track_id];
  largest = std::max(largest, hypothesis->speed_mps);
}

void ClearMot::AddFrame(const std::vector<ScoredTruth>& truths,
                        const std::vector<ScoredPrediction>& tracks) {
  const std::vector<int> truth_of =
      MatchByIoU(tracks, truths, options_, KeptCorrespondences(truths, tracks));
  std::vector<int> track_of(truths.size(), -1);
  for (std::size_t p = 0; p < tracks.size(); ++p) {
    if (truth_of[p] >= 0) track_of[truth_of[p]] = static_cast<int>(p);
  }
  for (std::size_t t = 0; t < truths.size(); ++t) {
    if (!truths[t].scored || truths[t].group == ScoredGroup::kNone) continue;
    TruthTrackState& state = truth_states_[truths[t].track_id];
    const ScoredPrediction* hypothesis = track_of[t] >= 0 ? &tracks[track_of[t]] : nullptr;
    for (int row : {static_cast<int>(truths[t].group), kAll}) {
      Count(row, truths[t], state, hypothesis);
    }
    state.matched_last_time = hypothesis != nullptr;
    if (hypothesis) {
      state.last_hypothesis = hypothesis->track_id;
      state.ever_matched = true;
    }
  }
  for (std::size_t p = 0; p < tracks.size(); ++p) {
    if (truth_of[p] >= 0 || tracks[p].neutral) continue;
    ++rows_[static_cast<int>(tracks[p].group)].false_positives;
    ++rows_[kAll].false_positives;
  }
}

std::vector<TrackingScore> ClearMot::Scores() const {
  std::vector<TrackingScore> out = rows_;
  for (int row = 0; row < 4; ++row) {
    for (const auto& [truth_id, sum] : speed_sums_[row]) {
      out[row].mean_speed_mps[truth_id] = sum / speed_counts_[row].at(truth_id);
    }
  }
  for (TrackingScore& score : out) {
    score.mota = score.num_truth > 0
                     ? 1.0 - double(score.misses + score.false_positives + score.id_switches) /
                                 score.num_truth
                     : 0;
  }
  return out;
}

}  // namespace longtail::evaluation
