#include "evaluation/av2_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

namespace longtail::evaluation::av2 {
namespace {

// TrackEval's centre-distance similarity: 1 at the same xy, 0 from 2 m apart.
constexpr double kZeroDistanceM = 2.0;
constexpr double kEps = std::numeric_limits<double>::epsilon();

struct Box {
  int id = 0;
  Eigen::Vector2d xy;
  double score = 1;
};
using Frame = std::vector<Box>;
struct Pair {
  std::vector<Frame> gt, pred;  // referred boxes that survive the filters, per scored frame
};

double Similarity(const Box& g, const Box& p) {
  return std::max(0.0, 1 - (g.xy - p.xy).norm() / kZeroDistanceM);
}

std::vector<std::vector<double>> SimilarityMatrix(const Frame& gt, const Frame& pred) {
  std::vector<std::vector<double>> sim(gt.size(), std::vector<double>(pred.size()));
  for (std::size_t g = 0; g < gt.size(); ++g) {
    for (std::size_t p = 0; p < pred.size(); ++p) sim[g][p] = Similarity(gt[g], pred[p]);
  }
  return sim;
}

// Maximum-total assignment: the minimum-cost one on the negated matrix.
std::vector<int> MaxAssignment(const std::vector<std::vector<double>>& gain) {
  std::vector<std::vector<double>> cost = gain;
  for (auto& row : cost) {
    for (double& v : row) v = -v;
  }
  return MinCostAssignment(cost);
}

// Range cut, ROI, then only the referred objects. With `whole_tracks`, a track referred in any
// frame counts as referred in every frame it appears in (HOTA-Track).
std::vector<Frame> Referred(const ScenarioSequence& sequence, const MetricOptions& options,
                            bool whole_tracks) {
  std::set<int> referred_ids;
  if (whole_tracks) {
    for (const auto& frame : sequence.frames) {
      for (const auto& o : frame.objects) {
        if (o.label == kReferred) referred_ids.insert(o.track_id);
      }
    }
  }
  std::vector<Frame> out;
  for (const auto& frame : sequence.frames) {
    Frame boxes;
    for (const auto& o : frame.objects) {
      const bool referred = o.label == kReferred || referred_ids.contains(o.track_id);
      if (!referred || (options.use_roi && !o.in_roi)) continue;
      const Eigen::Vector2d xy = o.translation.head<2>();
      if ((xy - frame.ego_translation.head<2>()).norm() > options.max_range_m) continue;
      boxes.push_back({o.track_id, xy, o.score});
    }
    out.push_back(std::move(boxes));
  }
  return out;
}

Frame AtThreshold(const Frame& frame, double threshold) {
  Frame kept;
  for (const auto& b : frame) {
    if (b.score >= threshold) kept.push_back(b);
  }
  return kept;
}

// HOTA's counts over the 19 alphas for one sequence (TrackEval metrics/hota.py).
struct HotaCounts {
  std::vector<double> tp, fn, fp, ass_a;
};
constexpr int kAlphas = 19;
double Alpha(int a) { return 0.05 + a * 0.05; }

std::map<int, int> DenseIds(const std::vector<Frame>& frames) {
  std::map<int, int> ids;
  for (const auto& f : frames) {
    for (const auto& b : f) ids.emplace(b.id, 0);
  }
  int next = 0;
  for (auto& [id, dense] : ids) dense = next++;
  return ids;
}

HotaCounts SequenceHota(const std::vector<Frame>& gt, const std::vector<Frame>& pred) {
  const std::map<int, int> gt_ids = DenseIds(gt), pred_ids = DenseIds(pred);
  const std::size_t ng = gt_ids.size(), np = pred_ids.size();
  // Global alignment between every ground-truth and predicted track.
  std::vector<std::vector<double>> potential(ng, std::vector<double>(np, 0));
  std::vector<double> gt_count(ng, 0), pred_count(np, 0);
  for (std::size_t t = 0; t < gt.size(); ++t) {
    const auto sim = SimilarityMatrix(gt[t], pred[t]);
    std::vector<double> row_sum(gt[t].size(), 0), col_sum(pred[t].size(), 0);
    for (std::size_t g = 0; g < gt[t].size(); ++g) {
      for (std::size_t p = 0; p < pred[t].size(); ++p) {
        row_sum[g] += sim[g][p];
        col_sum[p] += sim[g][p];
      }
    }
    for (std::size_t g = 0; g < gt[t].size(); ++g) {
      for (std::size_t p = 0; p < pred[t].size(); ++p) {
        const double denominator = row_sum[g] + col_sum[p] - sim[g][p];
        if (denominator > kEps) {
          potential[gt_ids.at(gt[t][g].id)][pred_ids.at(pred[t][p].id)] += sim[g][p] / denominator;
        }
      }
    }
    for (const auto& b : gt[t]) gt_count[gt_ids.at(b.id)] += 1;
    for (const auto& b : pred[t]) pred_count[pred_ids.at(b.id)] += 1;
  }
  std::vector<std::vector<double>> alignment = potential;
  for (std::size_t g = 0; g < ng; ++g) {
    for (std::size_t p = 0; p < np; ++p) {
      alignment[g][p] = potential[g][p] / (gt_count[g] + pred_count[p] - potential[g][p]);
    }
  }
  HotaCounts counts{std::vector<double>(kAlphas, 0), std::vector<double>(kAlphas, 0),
                    std::vector<double>(kAlphas, 0), std::vector<double>(kAlphas, 0)};
  std::vector<std::vector<std::vector<double>>> matches(
      kAlphas, std::vector<std::vector<double>>(ng, std::vector<double>(np, 0)));
  for (std::size_t t = 0; t < gt.size(); ++t) {
    const std::size_t n_gt = gt[t].size(), n_pred = pred[t].size();
    if (n_gt == 0 || n_pred == 0) {
      for (int a = 0; a < kAlphas; ++a) {
        counts.fn[a] += static_cast<double>(n_gt);
        counts.fp[a] += static_cast<double>(n_pred);
      }
      continue;
    }
    const auto sim = SimilarityMatrix(gt[t], pred[t]);
    std::vector<std::vector<double>> score = sim;
    for (std::size_t g = 0; g < n_gt; ++g) {
      for (std::size_t p = 0; p < n_pred; ++p) {
        score[g][p] *= alignment[gt_ids.at(gt[t][g].id)][pred_ids.at(pred[t][p].id)];
      }
    }
    // One matching for every alpha: it maximises alignment-weighted similarity.
    const std::vector<int> assigned = MaxAssignment(score);
    for (int a = 0; a < kAlphas; ++a) {
      double matched = 0;
      for (std::size_t g = 0; g < n_gt; ++g) {
        const int p = assigned[g];
        if (p < 0 || sim[g][p] < Alpha(a) - kEps) continue;
        ++matched;
        matches[a][gt_ids.at(gt[t][g].id)][pred_ids.at(pred[t][p].id)] += 1;
      }
      counts.tp[a] += matched;
      counts.fn[a] += static_cast<double>(n_gt) - matched;
      counts.fp[a] += static_cast<double>(n_pred) - matched;
    }
  }
  for (int a = 0; a < kAlphas; ++a) {
    double sum = 0;
    for (std::size_t g = 0; g < ng; ++g) {
      for (std::size_t p = 0; p < np; ++p) {
        const double m = matches[a][g][p];
        sum += m * m / std::max(1.0, gt_count[g] + pred_count[p] - m);
      }
    }
    counts.ass_a[a] = sum / std::max(1.0, counts.tp[a]);
  }
  return counts;
}

// HOTA of one prompt over its sequences: counts summed, AssA weighted by true positives, the
// mean over alphas of sqrt(DetA * AssA).
double PromptHota(const std::vector<Pair>& pairs, double threshold) {
  std::vector<double> tp(kAlphas, 0), fn(kAlphas, 0), fp(kAlphas, 0), ass_weighted(kAlphas, 0);
  for (const auto& pair : pairs) {
    std::vector<Frame> pred;
    for (const auto& f : pair.pred) pred.push_back(AtThreshold(f, threshold));
    const HotaCounts c = SequenceHota(pair.gt, pred);
    for (int a = 0; a < kAlphas; ++a) {
      tp[a] += c.tp[a];
      fn[a] += c.fn[a];
      fp[a] += c.fp[a];
      ass_weighted[a] += c.ass_a[a] * c.tp[a];
    }
  }
  double hota = 0;
  for (int a = 0; a < kAlphas; ++a) {
    const double det_a = tp[a] / std::max(1.0, tp[a] + fn[a] + fp[a]);
    const double ass_a = ass_weighted[a] / std::max(1.0, tp[a]);
    hota += std::sqrt(det_a * ass_a);
  }
  return hota / kAlphas;
}

// The scorer's ten candidate thresholds: the scores at which recall reaches 100 %, 90 % ... 10 %
// when predictions are taken best-first (matched by similarity frame by frame).
std::vector<double> CandidateThresholds(const std::vector<Pair>& pairs) {
  std::vector<double> scores;
  double n_gt = 0;
  for (const auto& pair : pairs) {
    for (std::size_t t = 0; t < pair.gt.size(); ++t) {
      n_gt += static_cast<double>(pair.gt[t].size());
      if (pair.gt[t].empty() || pair.pred[t].empty()) continue;
      const std::vector<int> assigned = MaxAssignment(SimilarityMatrix(pair.gt[t], pair.pred[t]));
      for (const int p : assigned) {
        if (p >= 0) scores.push_back(pair.pred[t][p].score);
      }
    }
  }
  std::sort(scores.begin(), scores.end(), std::greater<>());
  std::vector<double> thresholds;
  for (int i = 0; i < 10; ++i) {
    const double target = 1.0 + i * (0.1 - 1.0) / 9;  // numpy linspace(1, 0.1, 10)
    if (scores.empty() || target > scores.size() / n_gt) {
      thresholds.push_back(0);
      continue;
    }
    // Linear interpolation of score against recall k / n_gt (k = 1 ...).
    const double k = target * n_gt;  // fractional rank
    if (k <= 1) {
      thresholds.push_back(scores[0]);
      continue;
    }
    const auto lower = static_cast<std::size_t>(std::floor(k));
    const double fraction = k - static_cast<double>(lower);
    const double a = scores[lower - 1];
    const double b = lower < scores.size() ? scores[lower] : a;
    thresholds.push_back(a + fraction * (b - a));
  }
  return thresholds;
}

struct Tuned {
  double hota = 0, threshold = 0;
};
Tuned TuneThreshold(const std::vector<Pair>& pairs) {
  Tuned best{-1, 0};
  for (const double threshold : CandidateThresholds(pairs)) {
    const double hota = PromptHota(pairs, threshold);
    if (hota > best.hota) best = {hota, threshold};
  }
  return best;
}

}  // namespace

double BalancedAccuracy(const Confusion& c) {
  const double tpr = c.tp + c.fn == 0 ? 1.0 : static_cast<double>(c.tp) / (c.tp + c.fn);
  const double tnr = c.tn + c.fp == 0 ? 1.0 : static_cast<double>(c.tn) / (c.tn + c.fp);
  return (tpr + tnr) / 2;
}

namespace {

void Count(Confusion& c, bool truth, bool predicted) {
  if (truth) {
    ++(predicted ? c.tp : c.fn);
  } else {
    ++(predicted ? c.fp : c.tn);
  }
}

PromptScore ScorePrompt(
    const std::string& prompt,
    const std::vector<std::pair<const ScenarioSequence*, const ScenarioSequence*>>& sequences,
    const MetricOptions& options) {
  PromptScore score;
  score.prompt = prompt;
  std::vector<Pair> temporal, track;
  for (const auto& [pred, gt] : sequences) {
    temporal.push_back({Referred(*gt, options, false), Referred(*pred, options, false)});
    track.push_back({Referred(*gt, options, true), Referred(*pred, options, true)});
  }
  const Tuned t = TuneThreshold(temporal), k = TuneThreshold(track);
  score.hota_temporal = t.hota;
  score.threshold_temporal = t.threshold;
  score.hota_track = k.hota;
  score.threshold_track = k.threshold;
  for (const auto& pair : temporal) {
    bool log_truth = false, log_predicted = false;
    for (std::size_t f = 0; f < pair.gt.size(); ++f) {
      const bool truth = !pair.gt[f].empty();
      const bool predicted = !AtThreshold(pair.pred[f], t.threshold).empty();
      Count(score.timestamps, truth, predicted);
      log_truth |= truth;
      log_predicted |= predicted;
    }
    Count(score.logs, log_truth, log_predicted);
  }
  score.timestamp_ba = BalancedAccuracy(score.timestamps);
  score.log_ba = BalancedAccuracy(score.logs);
  return score;
}

}  // namespace

Scores Score(const std::vector<ScenarioSequence>& predictions,
             const std::vector<ScenarioSequence>& ground_truth, const MetricOptions& options) {
  std::map<std::pair<std::string, std::string>, const ScenarioSequence*> by_key;
  for (const auto& p : predictions) by_key[{p.log_id, p.prompt}] = &p;
  std::map<std::string, std::vector<std::pair<const ScenarioSequence*, const ScenarioSequence*>>>
      by_prompt;
  for (const auto& gt : ground_truth) {
    const auto it = by_key.find({gt.log_id, gt.prompt});
    if (it == by_key.end()) {
      throw std::invalid_argument("no prediction for log " + gt.log_id + ", prompt '" + gt.prompt +
                                  "'");
    }
    const ScenarioSequence& pred = *it->second;
    if (pred.frames.size() != gt.frames.size()) {
      throw std::invalid_argument("log " + gt.log_id + ", prompt '" + gt.prompt + "': " +
                                  std::to_string(pred.frames.size()) + " predicted frames, " +
                                  std::to_string(gt.frames.size()) + " in the ground truth");
    }
    for (std::size_t f = 0; f < gt.frames.size(); ++f) {
      if (pred.frames[f].timestamp_ns != gt.frames[f].timestamp_ns) {
        throw std::invalid_argument("log " + gt.log_id + ": frame " + std::to_string(f) +
                                    " has another timestamp than the ground truth");
      }
    }
    by_prompt[gt.prompt].emplace_back(&pred, &gt);
  }
  Scores scores;
  for (const auto& [prompt, sequences] : by_prompt) {
    scores.by_prompt.push_back(ScorePrompt(prompt, sequences, options));
    const PromptScore& s = scores.by_prompt.back();
    scores.hota_temporal += s.hota_temporal;
    scores.hota_track += s.hota_track;
    scores.timestamp_ba += s.timestamp_ba;
    scores.log_ba += s.log_ba;
  }
  const double n = std::max<std::size_t>(1, scores.by_prompt.size());
  scores.hota_temporal /= n;
  scores.hota_track /= n;
  scores.timestamp_ba /= n;
  scores.log_ba /= n;
  return scores;
}

// Shortest augmenting paths with row and column potentials (the Hungarian method in its
// O(n^2 m) form), on the orientation with no more rows than columns.
std::vector<int> MinCostAssignment(const std::vector<std::vector<double>>& cost) {
  const std::size_t rows = cost.size(), cols = rows ? cost[0].size() : 0;
  if (rows == 0 || cols == 0) return std::vector<int>(rows, -1);
  if (rows > cols) {
    std::vector<std::vector<double>> transposed(cols, std::vector<double>(rows));
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) transposed[c][r] = cost[r][c];
    }
    const std::vector<int> by_col = MinCostAssignment(transposed);
    std::vector<int> out(rows, -1);
    for (std::size_t c = 0; c < cols; ++c) {
      if (by_col[c] >= 0) out[by_col[c]] = static_cast<int>(c);
    }
    return out;
  }
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based: column 0 is the virtual start of each augmenting path.
  std::vector<double> u(rows + 1, 0), v(cols + 1, 0);
  std::vector<std::size_t> row_of(cols + 1, 0), way(cols + 1, 0);
  for (std::size_t r = 1; r <= rows; ++r) {
    row_of[0] = r;
    std::size_t col = 0;
    std::vector<double> min_to(cols + 1, inf);
    std::vector<bool> used(cols + 1, false);
    do {
      used[col] = true;
      const std::size_t row = row_of[col];
      double delta = inf;
      std::size_t next = 0;
      for (std::size_t c = 1; c <= cols; ++c) {
        if (used[c]) continue;
        const double reduced = cost[row - 1][c - 1] - u[row] - v[c];
        if (reduced < min_to[c]) {
          min_to[c] = reduced;
          way[c] = col;
        }
        if (min_to[c] < delta) {
          delta = min_to[c];
          next = c;
        }
      }
      for (std::size_t c = 0; c <= cols; ++c) {
        if (used[c]) {
          u[row_of[c]] += delta;
          v[c] -= delta;
        } else {
          min_to[c] -= delta;
        }
      }
      col = next;
    } while (row_of[col] != 0);
    do {
      const std::size_t previous = way[col];
      row_of[col] = row_of[previous];
      col = previous;
    } while (col != 0);
  }
  std::vector<int> out(rows, -1);
  for (std::size_t c = 1; c <= cols; ++c) {
    if (row_of[c] != 0) out[row_of[c] - 1] = static_cast<int>(c - 1);
  }
  return out;
}

}  // namespace longtail::evaluation::av2
