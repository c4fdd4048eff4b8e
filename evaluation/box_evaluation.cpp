#include "evaluation/box_evaluation.h"

#include <algorithm>
#include <string>

#include "pipeline/ego_motion/ego_motion.h"
#include "pipeline/perception/perceive.h"
#include "pipeline/tracking/tracker.h"
#include "sensors/atomic_file.h"
#include "sensors/kitti/kitti_object_reader.h"

namespace longtail::evaluation {
namespace {

namespace fs = std::filesystem;
using pipeline::proto::BoxEvaluationOptions;

// Writes the predictions as KITTI result files: one per frame on object layouts, one per sequence
// (written when the next one starts, or at Finish) on tracking layouts.
class KittiResultWriter {
 public:
  KittiResultWriter(const std::optional<fs::path>& dir, bool tracking)
      : dir_(dir), tracking_(tracking) {
    if (dir_) fs::create_directories(*dir_);
  }

  void StartSequence(const std::string& sequence) {
    Finish();
    sequence_ = sequence;
  }

  void Add(const sensors::LabeledFrame& labeled, const std::vector<ScoredPrediction>& predictions,
           const sensors::CameraModel& camera) {
    if (!dir_) return;
    std::string text;
    for (const ScoredPrediction& p : predictions) {
      sensors::KittiLabel label = sensors::BoxToKittiLabel(
          sensors::LabeledBox{p.box, p.object_class, p.track_id, std::clamp(p.score, 0.0, 0.999)},
          camera);
      label.frame = static_cast<int>(labeled.frame.index);
      text += sensors::FormatKittiLabel(label, tracking_) + "\n";
    }
    if (tracking_) {
      sequence_text_ += text;
    } else {
      sensors::WriteFileAtomically(*dir_ / (labeled.id + ".txt"), text);
    }
  }

  // Writes the current sequence's file, if any.
  void Finish() {
    if (dir_ && tracking_ && sequence_) {
      sensors::WriteFileAtomically(*dir_ / (*sequence_ + ".txt"), sequence_text_);
    }
    sequence_text_.clear();
  }

 private:
  std::optional<fs::path> dir_;
  bool tracking_;
  std::optional<std::string> sequence_;
  std::string sequence_text_;
};

bool Selected(const sensors::LabeledFrame& labeled, const BoxEvaluationOptions& options) {
  const std::string& key = labeled.sequence.empty() ? labeled.id : labeled.sequence;
  return options.only().empty() ||
         std::find(options.only().begin(), options.only().end(), key) != options.only().end();
}

// Unsure candidates (objects the pipeline reports as unknown) are ranked down to this class
// probability. Below it nearly every cluster of the scan is a candidate (on the labelled KITTI
// drives none of those scored below 0.1 was right), and the result files would mostly hold them.
constexpr double kMinCandidateScore = 0.05;

// Where a scene's boxes are scored from: the camera, its DontCare regions and, when vehicles get
// class size priors (`size_prior_sensor_xy`, the lidar in the vehicle frame), the lidar.
struct Scene {
  const sensors::CameraModel& camera;
  const FrameTruth& truth;
  std::optional<Eigen::Vector2d> size_prior_sensor_xy;
};

// An object or track as a prediction. An unsure candidate (`unsure_class` set) is scored with its
// most likely class; below kMinCandidateScore it is left out. Every box is scored as a label of
// its class (`LabelBox`): the pipeline keeps the fitted box of an unknown object and of a
// pedestrian, and a track's observed box is its detection's, fitted when that detection was not a
// vehicle (a far car seen as a 1.3 m piece in one frame). Whether it is in view is judged on the
// box as perceived: a label box grown past the image's edge stays in.
std::optional<ScoredPrediction> CandidateOf(sensors::LabeledBox box,
                                            sensors::ObjectClass unsure_class, int num_points,
                                            const Scene& scene,
                                            const BoxEvaluationOptions& options) {
  const bool unsure = unsure_class != sensors::ObjectClass::kUnknown;
  if (unsure && box.score < kMinCandidateScore) return std::nullopt;
  if (unsure) box.object_class = unsure_class;
  auto p = PredictionOf(box, num_points, scene.camera, scene.truth.dont_care, options);
  if (!p) return p;
  p->unsure = unsure;
  if (scene.size_prior_sensor_xy) {
    p->box = pipeline::LabelBox(box.box, box.object_class, *scene.size_prior_sensor_xy);
  }
  return p;
}

// The detections to score and write (object layouts), unsure candidates included.
std::vector<ScoredPrediction> DetectionsOf(const pipeline::Perception& perception,
                                           const Scene& scene,
                                           const BoxEvaluationOptions& options) {
  std::vector<ScoredPrediction> out;
  for (const pipeline::DetectedObject& object : perception.objects) {
    const sensors::LabeledBox box{object.box, object.object_class, -1, object.class_confidence};
    if (auto p = CandidateOf(box, object.unsure_class, object.num_points, scene, options)) {
      out.push_back(*p);
    }
  }
  return out;
}

// Tracks as predictions; unsure candidates only `with_candidates`.
std::vector<ScoredPrediction> TracksOf(const std::vector<pipeline::Track>& tracks,
                                       const Scene& scene, const BoxEvaluationOptions& options,
                                       bool with_candidates) {
  std::vector<ScoredPrediction> out;
  for (const pipeline::Track& track : tracks) {
    if (!with_candidates && track.object_class == sensors::ObjectClass::kUnknown) continue;
    const sensors::LabeledBox box{track.box, track.object_class, track.id, track.class_confidence};
    if (auto p = CandidateOf(box, track.unsure_class, track.num_points, scene, options)) {
      p->speed_mps = track.velocity_world.norm();
      out.push_back(*p);
    }
  }
  return out;
}

// The tracker whose tracks a tracking layout's result file holds. A scorer of result files
// matches boxes frame by frame and ranks them by score, so every object is there from its first
// observation, with the box it was observed with in that frame; the track contributes its id and
// its class probability averaged over the frames, which ranks clutter that looks like a vehicle
// now and then below real vehicles.
pipeline::proto::TrackerOptions ResultFileTracker(pipeline::proto::TrackerOptions options) {
  options.set_min_hits_to_confirm(1);
  options.set_report_observed_box(true);
  return options;
}

}  // namespace

BoxEvaluation EvaluateBoxes(const fs::path& dataset,
                            const pipeline::proto::PerceptionOptions& perception_options,
                            const pipeline::proto::TrackerOptions& tracker_options,
                            const pipeline::proto::EgoMotionOptions& ego_options,
                            const BoxEvaluationOptions& options,
                            const std::optional<fs::path>& write_labels_dir,
                            sensors::IssueLog& issues) {
  const sensors::KittiBenchmark benchmark = sensors::KittiBenchmark::Open(dataset, issues);
  BoxEvaluation result;
  result.tracking_layout = benchmark.is_tracking();
  KittiResultWriter writer(write_labels_dir, result.tracking_layout);
  BoxScoreSums boxes(options);
  BoxScoreSums written(options);  // tracking layouts: the result file's tracks
  ClearMot clear_mot(options);
  std::optional<std::string> sequence;
  // Per sequence: the pipeline's tracker (scored by CLEAR-MOT), the result file's, ego motion.
  std::optional<pipeline::Tracker> tracker, result_tracker;
  std::optional<pipeline::EgoMotionEstimator> ego_motion;
  for (std::size_t i = 0; i < benchmark.size(); ++i) {
    sensors::LabeledFrame labeled = benchmark.Load(i);
    if (!Selected(labeled, options)) continue;
    sensors::Frame& frame = labeled.frame;
    if (!frame.calibration || frame.calibration->cameras.empty()) continue;
    const sensors::CameraModel& camera = frame.calibration->cameras.front();
    ++result.frames;
    if (result.tracking_layout && labeled.sequence != sequence) {
      sequence = labeled.sequence;
      writer.StartSequence(labeled.sequence);
      tracker.emplace(tracker_options);
      result_tracker.emplace(ResultFileTracker(tracker_options));
      ego_motion.emplace(ego_options);
      clear_mot.StartSequence();
    }
    frame.lidar.stamp =
        sensors::Timestamp(sensors::FromSeconds(options.frame_period_s() * frame.index));
    // Score detections, then (tracking layouts) the tracks built from them.
    const FrameTruth truth = TruthOf(labeled.labels, camera, frame.lidar.points, options);
    const pipeline::Perception perception = pipeline::Perceive(frame, perception_options);
    Scene scene{camera, truth, std::nullopt};
    if (perception_options.box().extend_to_size_prior()) {
      scene.size_prior_sensor_xy = frame.calibration->vehicle_from_lidar.translation().head<2>();
    }
    const std::vector<ScoredPrediction> detections = DetectionsOf(perception, scene, options);
    boxes.Add(ScoreFrame(truth.truths, detections, options));
    if (!result.tracking_layout) {
      writer.Add(labeled, detections, camera);
      continue;
    }
    const pipeline::EgoMotion ego = ego_motion->Update(frame, perception);
    clear_mot.AddFrame(truth.truths,
                       TracksOf(tracker->Update(frame.lidar.stamp, perception.objects, ego), scene,
                                options, false));
    const std::vector<ScoredPrediction> result_tracks = TracksOf(
        result_tracker->Update(frame.lidar.stamp, perception.objects, ego), scene, options, true);
    written.Add(ScoreFrame(truth.truths, result_tracks, options));
    writer.Add(labeled, result_tracks, camera);
  }
  writer.Finish();
  result.classes = boxes.Classes();
  result.detections = result.tracking_layout ? written.Detections() : boxes.Detections();
  if (result.tracking_layout) result.tracking = clear_mot.Scores();
  result.data_issues = issues.count();
  return result;
}

}  // namespace longtail::evaluation
