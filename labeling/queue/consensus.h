// k-review consensus: do independent reviews of one task agree, and if not, why not.
#pragma once

#include <string>
#include <vector>

#include "labeling/queue/queue_types.h"

namespace longtail::labeling {

// One submitted review with its effective labels (pre-labels with its corrections applied).
struct ReviewLabels {
  std::string reviewer;
  Verdict verdict = Verdict::kAccept;
  std::vector<FramePrelabels> labels;  // every frame of the window, vehicle frame
};

struct ConsensusResult {
  bool agreed = true;
  // When agreed: reject if every review rejects, correct if any review corrected, else accept.
  Verdict verdict = Verdict::kAccept;
  // When agreed and not rejected: the labels of the first correcting review, else the pre-labels.
  std::vector<FramePrelabels> labels;
  std::vector<Disagreement> disagreements;  // every pair of reviewers that disagree, and why
};

// The pre-labels with each corrected frame's boxes replaced by the correction's (frames matched by
// index; corrections of frames outside the window are ignored).
std::vector<FramePrelabels> ApplyCorrections(const std::vector<FramePrelabels>& prelabels,
                                             const std::vector<FramePrelabels>& corrections);

// Compares every pair of reviews: accept/correct vs reject is a "verdict" disagreement; otherwise
// boxes are matched per frame greedily by bird's-eye-view IoU, and a matched pair below
// `agreement_iou` is "box_iou", a matched pair of different classes "class", an unmatched box
// "missing_box".
ConsensusResult CompareReviews(const std::vector<ReviewLabels>& reviews,
                               const std::vector<FramePrelabels>& prelabels, double agreement_iou);

}  // namespace longtail::labeling
