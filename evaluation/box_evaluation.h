// Scoring perception against KITTI object and tracking ground truth (`longtail eval-boxes`):
// recall, precision and box errors per class (box_scoring.h), precision-recall curves
// (detection_curves.h) and CLEAR-MOT tracking numbers (clear_mot.h).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "evaluation/box_scoring.h"
#include "evaluation/clear_mot.h"
#include "evaluation/detection_curves.h"
#include "pipeline/proto/perception.pb.h"
#include "sensors/issues.h"

namespace longtail::evaluation {

struct BoxEvaluation {
  bool tracking_layout = false;
  int frames = 0;
  std::vector<ClassScore> classes;
  // Precision-recall of what the result files hold, per group (vehicles, pedestrians, cyclists):
  // the detections on object layouts, the result tracks on tracking layouts.
  std::vector<GroupDetections> detections;
  std::vector<TrackingScore> tracking;  // empty on object layouts
  std::size_t data_issues = 0;          // files the reader reported
};

// Runs perception (and, on tracking layouts, ego motion and tracking per sequence) over the KITTI
// object or tracking `training/` folder at `dataset` and scores it. When `write_labels_dir` is set,
// the predictions in view are written there as KITTI result files (object: <id>.txt per frame,
// the detections; tracking: <sequence>.txt, every object from its first observation with its
// track's id and class probability and the box observed in that frame), so KITTI's own tools can
// score them. Unsure candidates are written too, down to a probability of 0.05. `options.only`
// restricts scoring to some frames (held-out folds). Throws
// sensors::LogError when `dataset` is neither layout. Bad files are reported to `issues`.
BoxEvaluation EvaluateBoxes(const std::filesystem::path& dataset,
                            const pipeline::proto::PerceptionOptions& perception,
                            const pipeline::proto::TrackerOptions& tracker,
                            const pipeline::proto::EgoMotionOptions& ego_motion,
                            const pipeline::proto::BoxEvaluationOptions& options,
                            const std::optional<std::filesystem::path>& write_labels_dir,
                            sensors::IssueLog& issues);

}  // namespace longtail::evaluation
