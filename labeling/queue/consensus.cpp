#include "labeling/queue/consensus.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace longtail::labeling {
namespace {

const std::vector<sensors::LabeledBox>& BoxesOf(const std::vector<FramePrelabels>& frames,
                                                std::int64_t frame_index) {
  static const std::vector<sensors::LabeledBox> kNone;
  for (const auto& f : frames) {
    if (f.frame_index == frame_index) return f.boxes;
  }
  return kNone;
}

void CompareFrame(const ReviewLabels& a, const ReviewLabels& b, std::int64_t frame_index,
                  double agreement_iou, std::vector<Disagreement>& out) {
  const auto& boxes_a = BoxesOf(a.labels, frame_index);
  const auto& boxes_b = BoxesOf(b.labels, frame_index);
  // Every overlapping pair, best first; greedy one-to-one matching is enough for the handful of
  // boxes a frame holds, and it is deterministic (ties broken by index).
  std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < boxes_a.size(); ++i) {
    for (std::size_t j = 0; j < boxes_b.size(); ++j) {
      const double iou = sensors::BevIoU(boxes_a[i].box, boxes_b[j].box);
      if (iou > 0) pairs.emplace_back(iou, i, j);
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) {
    if (std::get<0>(x) != std::get<0>(y)) return std::get<0>(x) > std::get<0>(y);
    return std::tie(std::get<1>(x), std::get<2>(x)) < std::tie(std::get<1>(y), std::get<2>(y));
  });
  std::vector<bool> used_a(boxes_a.size(), false), used_b(boxes_b.size(), false);
  for (const auto& [iou, i, j] : pairs) {
    if (used_a[i] || used_b[j]) continue;
    used_a[i] = used_b[j] = true;
    if (iou < agreement_iou) {
      out.push_back({"box_iou", a.reviewer, b.reviewer, frame_index, iou,
                     "boxes overlap with IoU " + std::to_string(iou) + " below " +
                         std::to_string(agreement_iou)});
    } else if (boxes_a[i].object_class != boxes_b[j].object_class) {
      out.push_back({"class", a.reviewer, b.reviewer, frame_index, iou,
                     std::string(sensors::ToString(boxes_a[i].object_class)) + " vs " +
                         std::string(sensors::ToString(boxes_b[j].object_class))});
    }
  }
  for (std::size_t i = 0; i < boxes_a.size(); ++i) {
    if (!used_a[i]) {
      out.push_back({"missing_box", a.reviewer, b.reviewer, frame_index, 0,
                     std::string(sensors::ToString(boxes_a[i].object_class)) + " box of " +
                         a.reviewer + " has no match in " + b.reviewer + "'s labels"});
    }
  }
  for (std::size_t j = 0; j < boxes_b.size(); ++j) {
    if (!used_b[j]) {
      out.push_back({"missing_box", a.reviewer, b.reviewer, frame_index, 0,
                     std::string(sensors::ToString(boxes_b[j].object_class)) + " box of " +
                         b.reviewer + " has no match in " + a.reviewer + "'s labels"});
    }
  }
}

}  // namespace

std::vector<FramePrelabels> ApplyCorrections(const std::vector<FramePrelabels>& prelabels,
                                             const std::vector<FramePrelabels>& corrections) {
  std::vector<FramePrelabels> out = prelabels;
  for (const auto& correction : corrections) {
    for (auto& frame : out) {
      if (frame.frame_index == correction.frame_index) frame.boxes = correction.boxes;
    }
  }
  return out;
}

ConsensusResult CompareReviews(const std::vector<ReviewLabels>& reviews,
                               const std::vector<FramePrelabels>& prelabels, double agreement_iou) {
  ConsensusResult result;
  for (std::size_t x = 0; x < reviews.size(); ++x) {
    for (std::size_t y = x + 1; y < reviews.size(); ++y) {
      const ReviewLabels& a = reviews[x];
      const ReviewLabels& b = reviews[y];
      const bool reject_a = a.verdict == Verdict::kReject;
      const bool reject_b = b.verdict == Verdict::kReject;
      if (reject_a != reject_b) {
        result.disagreements.push_back({"verdict", a.reviewer, b.reviewer, -1, 0,
                                        a.reviewer + " says " + std::string(ToString(a.verdict)) +
                                            ", " + b.reviewer + " says " +
                                            std::string(ToString(b.verdict))});
        continue;
      }
      if (reject_a) continue;  // both reject: labels do not matter
      for (const auto& frame : prelabels) {
        CompareFrame(a, b, frame.frame_index, agreement_iou, result.disagreements);
      }
    }
  }
  result.agreed = result.disagreements.empty();
  if (!result.agreed || reviews.empty()) return result;
  const bool all_reject = std::all_of(reviews.begin(), reviews.end(),
                                      [](const auto& r) { return r.verdict == Verdict::kReject; });
  if (all_reject) {
    result.verdict = Verdict::kReject;
    return result;
  }
  result.labels = prelabels;
  result.verdict = Verdict::kAccept;
  for (const auto& review : reviews) {
    if (review.verdict == Verdict::kCorrect) {
      result.verdict = Verdict::kCorrect;
      result.labels = review.labels;
      break;
    }
  }
  return result;
}

}  // namespace longtail::labeling
