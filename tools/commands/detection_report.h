// The precision-recall, average-precision and reliability tables that `eval-boxes` and
// `train-classifier --leave-one-drive-out` print, as text and JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "evaluation/box_evaluation.h"

namespace longtail::tools {

// The score a reviewer sees by default (the review page hides boxes below it).
inline constexpr double kDefaultScoreThreshold = 0.5;

// Per group: truths, AP at both IoUs (40 recall points), precision and recall at the default
// score threshold, the best precision at recall >= 0.85 and the best recall at precision >= 0.5;
// then the reliability table of all groups' scores and its expected calibration error.
void PrintDetectionReport(const std::vector<evaluation::GroupDetections>& groups,
                          std::ostream& out);
nlohmann::json DetectionReportJson(const std::vector<evaluation::GroupDetections>& groups);

// Concatenates the detections of `more` onto `into` group by group (pooling held-out folds).
void Pool(const std::vector<evaluation::GroupDetections>& more,
          std::vector<evaluation::GroupDetections>* into);

}  // namespace longtail::tools
