// `longtail eval-boxes DATASET`: scores perception (and tracking) against KITTI ground truth.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "evaluation/box_evaluation.h"
#include "pipeline/options.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"
#include "tools/commands/detection_report.h"

namespace longtail::tools {
namespace {

struct EvalBoxesOptions {
  std::string dataset;
  std::string config;
  std::string write_labels;
  bool json = false;
  bool all_around = false;
  double max_range_m = 40;
  int min_points = 50;
};

nlohmann::json ToJson(const evaluation::BoxEvaluation& evaluation) {
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& c : evaluation.classes) {
    classes.push_back({{"class", c.name},
                       {"truth", c.num_truth},
                       {"matched", c.num_matched_truth},
                       {"predicted", c.num_predicted},
                       {"false_positives", c.num_false_positives},
                       {"recall", c.recall},
                       {"precision", c.precision},
                       {"center_error_m", c.center_error_m},
                       {"yaw_error_deg", c.yaw_error_deg},
                       {"size_error_m", c.size_error_m},
                       {"bev_iou", c.bev_iou}});
  }
  nlohmann::json tracking = nlohmann::json::array();
  for (const auto& t : evaluation.tracking) {
    nlohmann::json ids = nlohmann::json::object();
    nlohmann::json speeds = nlohmann::json::object();
    for (const auto& [truth_id, predicted] : t.predicted_ids) {
      ids[std::to_string(truth_id)] = predicted;
      speeds[std::to_string(truth_id)] = {{"mean_mps", t.mean_speed_mps.at(truth_id)},
                                          {"max_mps", t.max_speed_mps.at(truth_id)}};
    }
    tracking.push_back({{"class", t.name},
                        {"truth", t.num_truth},
                        {"misses", t.misses},
                        {"false_positives", t.false_positives},
                        {"id_switches", t.id_switches},
                        {"fragmentations", t.fragmentations},
                        {"mota", t.mota},
                        {"predicted_ids_per_truth_track", ids},
                        {"track_speed_per_truth_track", speeds}});
  }
  return {{"layout", evaluation.tracking_layout ? "tracking" : "object"},
          {"frames", evaluation.frames},
          {"data_issues", evaluation.data_issues},
          {"classes", classes},
          {"scores", DetectionReportJson(evaluation.detections)},
          {"tracking", tracking}};
}

void PrintText(const evaluation::BoxEvaluation& evaluation) {
  std::cout << (evaluation.tracking_layout ? "KITTI tracking layout, " : "KITTI object layout, ")
            << evaluation.frames << " frames\n";
  std::cout << std::left << std::setw(12) << "class" << std::right << std::setw(7) << "truth"
            << std::setw(8) << "recall" << std::setw(7) << "pred" << std::setw(10) << "precision"
            << std::setw(10) << "centre m" << std::setw(9) << "yaw deg" << std::setw(8) << "size m"
            << std::setw(8) << "BEV IoU\n";
  for (const auto& c : evaluation.classes) {
    std::cout << std::left << std::setw(12) << c.name << std::right << std::setw(7) << c.num_truth
              << std::fixed << std::setprecision(3) << std::setw(8) << c.recall << std::setw(7)
              << c.num_predicted << std::setw(10) << c.precision << std::setw(10)
              << c.center_error_m << std::setprecision(2) << std::setw(9) << c.yaw_error_deg
              << std::setprecision(3) << std::setw(8) << c.size_error_m << std::setw(8) << c.bev_iou
              << "\n";
  }
  PrintDetectionReport(evaluation.detections, std::cout);
  if (evaluation.tracking.empty()) return;
  std::cout << std::left << std::setw(12) << "tracking" << std::right << std::setw(7) << "truth"
            << std::setw(8) << "MOTA" << std::setw(8) << "misses" << std::setw(6) << "FP"
            << std::setw(7) << "IDSW" << std::setw(7) << "frag"
            << "  truth track: predicted ids (mean speed m/s)\n";
  for (const auto& t : evaluation.tracking) {
    std::cout << std::left << std::setw(12) << t.name << std::right << std::setw(7) << t.num_truth
              << std::fixed << std::setprecision(3) << std::setw(8) << t.mota << std::setw(8)
              << t.misses << std::setw(6) << t.false_positives << std::setw(7) << t.id_switches
              << std::setw(7) << t.fragmentations << " ";
    if (t.name != "All") {
      for (const auto& [truth_id, ids] : t.predicted_ids) {
        std::cout << " " << truth_id << ":";
        for (std::size_t k = 0; k < ids.size(); ++k) std::cout << (k ? "," : "") << ids[k];
        std::cout << std::setprecision(2) << " (" << t.mean_speed_mps.at(truth_id) << ")"
                  << std::setprecision(3);
      }
    }
    std::cout << "\n";
  }
}

int RunEvalBoxes(const EvalBoxesOptions& options) {
  pipeline::proto::RunOptions run;
  if (!options.config.empty()) run = pipeline::LoadRunOptions(options.config);
  pipeline::proto::BoxEvaluationOptions evaluation_options;
  evaluation_options.set_max_range_m(options.max_range_m);
  evaluation_options.set_min_points(options.min_points);
  evaluation_options.set_all_around(options.all_around);
  sensors::IssueLog issues;
  const std::optional<std::filesystem::path> labels =
      options.write_labels.empty() ? std::nullopt
                                   : std::optional<std::filesystem::path>(options.write_labels);
  const evaluation::BoxEvaluation evaluation =
      evaluation::EvaluateBoxes(options.dataset, run.perception(), run.tracker(), run.ego_motion(),
                                evaluation_options, labels, issues);
  if (options.json) {
    std::cout << ToJson(evaluation).dump(2) << "\n";
  } else {
    PrintText(evaluation);
    for (const auto& issue : issues.issues()) std::cout << "problem: " << ToString(issue) << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddEvalBoxesCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<EvalBoxesOptions>();
  CLI::App* command = app.add_subcommand(
      "eval-boxes",
      "Run perception over a KITTI object or tracking training folder and score the boxes against\n"
      "its labels: per class recall (BEV IoU >= 0.5 vehicles, >= 0.3 pedestrians and cyclists),\n"
      "precision, centre/yaw/size error; on tracking layouts also MOTA, ID switches and\n"
      "fragmentations. Only objects in the camera view (any direction with --all-around), within\n"
      "range and with enough lidar points are scored; DontCare regions are ignored. Then per\n"
      "class the KITTI-style BEV average precision (40 recall points) at a strict and a loose\n"
      "IoU, precision/recall at score 0.5, and the reliability table of scores against observed\n"
      "precision with the expected calibration error. Argoverse 2 category names are mapped to\n"
      "the classes.");
  command->add_option("dataset", options->dataset, "KITTI training/ folder (object or tracking)")
      ->required();
  command->add_option("--config", options->config, "run options, protobuf text format");
  command->add_option("--write-labels", options->write_labels,
                      "also write the predictions as KITTI result files into this folder,\n"
                      "with their scores, for scorers that rank every candidate: objects\n"
                      "reported unknown are written too, with their most likely class and its\n"
                      "probability (down to 0.05) and, for a vehicle, the box that class gets.\n"
                      "Tracking layouts get every object from its first frame, with its track's\n"
                      "id and class probability (a mean over the frames) and the box observed\n"
                      "in that frame; the precision-recall tables score what is written");
  command->add_option("--max-range", options->max_range_m, "score objects within this range, m")
      ->capture_default_str();
  command
      ->add_option("--min-points", options->min_points,
                   "score objects with at least this many lidar points")
      ->capture_default_str();
  command->add_flag("--all-around", options->all_around,
                    "score every direction, not only the camera image (labels that cover 360 "
                    "degrees, such as Argoverse 2)");
  command->add_flag("--json", options->json, "print JSON instead of a table");
  command->callback([options, exit_code] { *exit_code = RunEvalBoxes(*options); });
}

}  // namespace longtail::tools
