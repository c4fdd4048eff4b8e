// `longtail train-classifier DATASET... -o MODEL`: trains the class model on labelled KITTI-layout
// scans, calibrates its scores on held-out drives, and (with --leave-one-drive-out) prints the
// held-out box scores.
#include <oneapi/tbb/parallel_for.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>

#include "evaluation/box_evaluation.h"
#include "pipeline/options.h"
#include "pipeline/perception/class_model.h"
#include "pipeline/perception/class_training.h"
#include "sensors/log_reader.h"
#include "tools/commands/commands.h"
#include "tools/commands/detection_report.h"
#include "tools/synth/synthesizer.h"

namespace longtail::tools {
namespace {

namespace fs = std::filesystem;
using pipeline::ModelClass;
using pipeline::TrainingSample;

struct TrainOptions {
  std::vector<std::string> datasets;
  std::string mapping;
  std::string output;
  std::string config;
  bool leave_one_drive_out = false;
  std::string synthetic;  // scenario folder
  std::vector<std::uint64_t> synthetic_seeds = {11};
  int synthetic_frame_step = 3;
  int synthetic_background_step = 10;
  int real_weight = 3;
  pipeline::ForestOptions forest;
};

// Samples from synthesised logs: the project's own scenarios seen by its simulated lidar, so the
// model knows that sensor too. Every actor is labelled, so every other cluster is background.
// Groups are "synthetic/<scenario>"; frames are synthesised in parallel, kept in order.
std::vector<TrainingSample> SyntheticSamples(const fs::path& scenarios,
                                             const std::vector<std::uint64_t>& seeds, int step,
                                             int background_step,
                                             const pipeline::proto::PerceptionOptions& perception) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(scenarios)) {
    if (entry.path().extension() == ".pbtxt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<TrainingSample> samples;
  for (const fs::path& file : files) {
    for (const std::uint64_t seed : seeds) {
      const synth::Synthesizer synthesizer(synth::ReadScenario(file), seed);
      const int frames = static_cast<int>((synthesizer.frame_count() + step - 1) / step);
      std::vector<std::vector<TrainingSample>> per_frame(frames);
      tbb::parallel_for(0, frames, [&](int k) {
        const synth::SyntheticFrame made = synthesizer.Synthesize(std::int64_t(k) * step);
        std::vector<pipeline::TruthForTraining> truths;
        for (const sensors::LabeledBox& actor : made.truth.actors) {
          const sensors::ObjectClass c = actor.object_class;
          const pipeline::ScoredGroup group =
              sensors::IsVehicle(c)                    ? pipeline::ScoredGroup::kVehicle
              : c == sensors::ObjectClass::kPedestrian ? pipeline::ScoredGroup::kPedestrian
              : c == sensors::ObjectClass::kCyclist    ? pipeline::ScoredGroup::kCyclist
                                                       : pipeline::ScoredGroup::kNone;
          truths.push_back({actor.box, group});
        }
        per_frame[k] = pipeline::LabelClusters(
            made.frame, truths, [](const Eigen::Vector3d& c) { return c.head<2>().norm() < 50; },
            perception, {});
      });
      // Simulated scenery is plentiful and alike: a fraction of it keeps the real clutter the
      // larger part of the background the forest learns.
      int background = 0;
      for (auto& frame_samples : per_frame) {
        for (TrainingSample& sample : frame_samples) {
          if (sample.label == ModelClass::kBackground && background++ % background_step != 0) {
            continue;
          }
          sample.group = "synthetic/" + file.stem().string();
          samples.push_back(std::move(sample));
        }
      }
    }
  }
  return samples;
}

bool IsSynthetic(const std::string& group) { return group.starts_with("synthetic/"); }

std::vector<TrainingSample> Without(const std::vector<TrainingSample>& samples,
                                    const std::string& drive) {
  std::vector<TrainingSample> kept;
  for (const TrainingSample& s : samples) {
    if (s.group != drive) kept.push_back(s);
  }
  return kept;
}

// Held-out vote of each sample's best non-background class, and whether that class is right: what
// the calibration maps to a probability. Each drive's votes come from a forest trained without it.
struct HeldOutVote {
  std::string drive;
  double vote = 0;
  bool correct = false;
};

std::vector<HeldOutVote> HeldOutVotes(const std::vector<TrainingSample>& samples,
                                      const std::set<std::string>& drives,
                                      const pipeline::ForestOptions& forest) {
  std::vector<HeldOutVote> votes;
  const pipeline::proto::ClassOptions defaults;  // --config changes the held-out scoring only
  for (const std::string& drive : drives) {
    if (IsSynthetic(drive)) continue;  // never calibrated on, never held out
    const pipeline::ClassModel model = pipeline::ClassModel::FromText(
        pipeline::TrainClassModel(Without(samples, drive), forest, {}));
    std::vector<pipeline::ClusterFeatures> features;
    std::vector<ModelClass> labels;
    for (const TrainingSample& s : samples) {
      if (s.group != drive) continue;
      features.push_back(s.features);
      labels.push_back(s.label);
    }
    auto held_out = model.Votes(features);
    for (std::size_t k = 0; k < held_out.size(); ++k) {
      if (pipeline::TooLowForAVehicle(features[k], defaults)) {
        held_out[k].p[static_cast<int>(ModelClass::kVehicle)] = 0;
      }
      int best = static_cast<int>(ModelClass::kVehicle);
      for (int c = best + 1; c < pipeline::kNumModelClasses; ++c) {
        if (held_out[k].p[c] > held_out[k].p[best]) best = c;
      }
      votes.push_back({drive, held_out[k].p[best], static_cast<int>(labels[k]) == best});
    }
  }
  return votes;
}

pipeline::ScoreCalibration CalibrationWithout(const std::vector<HeldOutVote>& votes,
                                              const std::string& drive) {
  std::vector<double> x;
  std::vector<bool> y;
  for (const HeldOutVote& v : votes) {
    // Scores must mean probabilities on real scans: synthetic votes stay out of the calibration.
    if (v.drive == drive || IsSynthetic(v.drive)) continue;
    x.push_back(v.vote);
    y.push_back(v.correct);
  }
  return pipeline::FitCalibration(x, y);
}

void WriteFile(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, path);
}

// dataset -> frame ids, for each drive: where the held-out box scores find a drive's frames.
using FramesOfDrive = std::map<std::string, std::map<std::string, std::set<std::string>>>;

// The clusters to train on, with the frames they came from and the bad data met on the way.
struct TrainingSet {
  std::vector<TrainingSample> samples;
  FramesOfDrive frames_of_drive;
  std::vector<sensors::DataIssue> issues;
};

TrainingSet CollectTrainingSet(const TrainOptions& options,
                               const pipeline::proto::RunOptions& run) {
  const std::map<std::string, std::string> object_drives =
      options.mapping.empty() ? std::map<std::string, std::string>{}
                              : pipeline::ReadObjectFrameDrives(options.mapping);
  sensors::IssueLog issues;
  TrainingSet set;
  for (const std::string& dataset : options.datasets) {
    for (TrainingSample& s :
         pipeline::CollectTrainingSamples(dataset, object_drives, run.perception(), {}, issues)) {
      set.frames_of_drive[s.group][dataset].insert(s.frame);
      set.samples.push_back(std::move(s));
    }
  }
  // Real scans count `real_weight` times (repeated samples are how a bagged forest weighs):
  // the synthetic logs teach the simulated sensor without outvoting real clutter.
  if (options.real_weight > 1 && !options.synthetic.empty()) {
    const std::size_t real = set.samples.size();
    for (int copy = 1; copy < options.real_weight; ++copy) {
      for (std::size_t k = 0; k < real; ++k) set.samples.push_back(set.samples[k]);
    }
  }
  if (!options.synthetic.empty()) {
    for (TrainingSample& s :
         SyntheticSamples(options.synthetic, options.synthetic_seeds, options.synthetic_frame_step,
                          options.synthetic_background_step, run.perception())) {
      set.samples.push_back(std::move(s));
    }
  }
  set.issues = issues.issues();
  return set;
}

// Samples per drive and class (background / vehicle / pedestrian / cyclist).
using ClassCounts = std::map<std::string, std::array<int, pipeline::kNumModelClasses>>;

ClassCounts CountByDrive(const std::vector<TrainingSample>& samples) {
  ClassCounts counts;
  for (const TrainingSample& s : samples) ++counts[s.group][static_cast<int>(s.label)];
  return counts;
}

std::set<std::string> DrivesOf(const ClassCounts& counts) {
  std::set<std::string> drives;
  for (const auto& [drive, c] : counts) drives.insert(drive);
  return drives;
}

void PrintClassCounts(std::size_t samples, const ClassCounts& counts, std::ostream& out) {
  out << samples << " clusters (real ones repeated --real-weight times) from " << counts.size()
      << " drives (background / vehicle / pedestrian / cyclist):\n";
  for (const auto& [drive, c] : counts) {
    out << "  " << std::left << std::setw(34) << drive << std::right << std::setw(6) << c[0]
        << std::setw(6) << c[1] << std::setw(6) << c[2] << std::setw(6) << c[3] << "\n";
  }
}

void PrintCalibration(const pipeline::ScoreCalibration& calibration, std::ostream& out) {
  out << "calibration (held-out vote -> probability):";
  for (std::size_t k = 0; k < calibration.votes.size(); ++k) {
    out << " " << std::setprecision(2) << calibration.votes[k] << "->"
        << calibration.probability[k];
  }
  out << "\n";
}

void WriteModel(const std::string& output, const std::string& model, std::ostream& out) {
  const bool gzip = output.ends_with(".gz");
  WriteFile(output, gzip ? pipeline::Gzip(model) : model);
  out << "wrote " << output << " (" << (gzip ? pipeline::Gzip(model).size() : model.size())
      << " bytes, hash " << pipeline::ClassModel::FromText(model).hash() << ")\n";
}

// One drive's frames perceived with `model_file`, scored against their labels, pooled by group.
std::vector<evaluation::GroupDetections> HeldOutDetections(
    const std::map<std::string, std::set<std::string>>& frames_by_dataset,
    const std::string& model_file, const pipeline::proto::RunOptions& run) {
  pipeline::proto::PerceptionOptions perception = run.perception();
  perception.mutable_classes()->set_model_file(model_file);
  std::vector<evaluation::GroupDetections> groups;
  for (const auto& [dataset, frames] : frames_by_dataset) {
    pipeline::proto::BoxEvaluationOptions evaluation;
    for (const std::string& frame : frames) evaluation.add_only(frame);
    sensors::IssueLog fold_issues;
    const evaluation::BoxEvaluation result =
        evaluation::EvaluateBoxes(dataset, perception, run.tracker(), run.ego_motion(), evaluation,
                                  std::nullopt, fold_issues);
    Pool(result.detections, &groups);
  }
  return groups;
}

void PrintHeldOutLine(const std::string& drive,
                      const std::vector<evaluation::GroupDetections>& groups, std::ostream& out) {
  out << "held out " << std::left << std::setw(34) << drive << std::right;
  for (const evaluation::GroupDetections& g : groups) {
    int true_positives = 0, kept = 0;
    for (const auto& d : g.loose) {
      if (d.score < kDefaultScoreThreshold) continue;
      ++kept;
      true_positives += d.true_positive;
    }
    out << "  " << g.name << " " << true_positives << "/" << g.num_truth << " found, "
        << kept - true_positives << " false";
  }
  out << "\n";
}

// Held-out box scores: each real drive's frames perceived with a model (and calibration) that
// never saw that drive, printed per drive and pooled.
void PrintLeaveOneDriveOut(const TrainingSet& set, const std::set<std::string>& drives,
                           const std::vector<HeldOutVote>& votes, const TrainOptions& options,
                           const pipeline::proto::RunOptions& run, std::ostream& out) {
  std::vector<evaluation::GroupDetections> pooled;
  const fs::path scratch = fs::temp_directory_path() /
                           ("longtail-train-" + std::to_string(static_cast<long>(::getpid())));
  fs::create_directories(scratch);
  int fold = 0;
  for (const std::string& drive : drives) {
    if (IsSynthetic(drive)) continue;
    const fs::path fold_model = scratch / ("fold-" + std::to_string(fold++) + ".yml");
    WriteFile(fold_model, pipeline::TrainClassModel(Without(set.samples, drive), options.forest,
                                                    CalibrationWithout(votes, drive)));
    const std::vector<evaluation::GroupDetections> fold_groups =
        HeldOutDetections(set.frames_of_drive.at(drive), fold_model.string(), run);
    PrintHeldOutLine(drive, fold_groups, out);
    Pool(fold_groups, &pooled);
  }
  fs::remove_all(scratch);
  out << "leave-one-drive-out (" << fold
      << " folds, real drives), pooled held-out result files (tracks on tracking layouts):\n";
  PrintDetectionReport(pooled, out);
}

int RunTrain(const TrainOptions& options) {
  pipeline::proto::RunOptions run;
  if (!options.config.empty()) run = pipeline::LoadRunOptions(options.config);
  const TrainingSet set =
      Rethrow<CorruptInputError>([&] { return CollectTrainingSet(options, run); });
  for (const auto& issue : set.issues) std::cout << "problem: " << ToString(issue) << "\n";
  const ClassCounts counts = CountByDrive(set.samples);
  PrintClassCounts(set.samples.size(), counts, std::cout);
  const std::set<std::string> drives = DrivesOf(counts);
  if (drives.size() < 2) throw UsageError("held-out calibration needs at least two drives");

  // Calibration from every drive's held-out votes; the final model is trained on everything.
  const std::vector<HeldOutVote> votes = HeldOutVotes(set.samples, drives, options.forest);
  const pipeline::ScoreCalibration calibration = CalibrationWithout(votes, "");
  PrintCalibration(calibration, std::cout);
  const std::string model = pipeline::TrainClassModel(set.samples, options.forest, calibration);
  if (!options.output.empty()) WriteModel(options.output, model, std::cout);
  if (options.leave_one_drive_out) {
    PrintLeaveOneDriveOut(set, drives, votes, options, run, std::cout);
  }
  return kExitOk;
}

}  // namespace

void AddTrainClassifierCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<TrainOptions>();
  CLI::App* command = app.add_subcommand(
      "train-classifier",
      "Train the class model (a seeded OpenCV random forest over cluster features) on labelled\n"
      "KITTI object/tracking training folders: the geometric pipeline runs over every scan, each\n"
      "cluster is labelled by the ground-truth box it lies in (in-view clusters in none are\n"
      "background), scores are calibrated on held-out drives. The same data and seed give the\n"
      "same model file. --leave-one-drive-out also prints held-out box scores by drive.");
  command->add_option("datasets", options->datasets, "KITTI training/ folders")->required();
  command->add_option("--mapping", options->mapping,
                      "the devkit's mapping/ folder (object frame -> raw drive), for the folds");
  command->add_option("-o,--output", options->output,
                      "write the model file here (gzipped when the name ends in .gz)");
  command->add_option("--config", options->config, "run options, protobuf text format");
  command->add_flag("--leave-one-drive-out", options->leave_one_drive_out,
                    "print held-out precision, recall, AP and calibration, one fold per drive");
  command->add_option("--synthetic", options->synthetic,
                      "also train on logs synthesised from these scenarios (e.g. "
                      "sample_logs/scenarios); never held out, never calibrated on");
  command->add_option("--synthetic-seeds", options->synthetic_seeds, "seeds of the synthetic logs")
      ->capture_default_str();
  command
      ->add_option("--synthetic-frame-step", options->synthetic_frame_step,
                   "use every n-th synthetic frame")
      ->capture_default_str();
  command
      ->add_option("--synthetic-background-step", options->synthetic_background_step,
                   "keep every n-th synthetic background cluster")
      ->capture_default_str();
  command
      ->add_option("--real-weight", options->real_weight,
                   "with --synthetic: how many times each real cluster counts")
      ->capture_default_str();
  command->add_option("--trees", options->forest.num_trees, "trees in the forest")
      ->capture_default_str();
  command->add_option("--depth", options->forest.max_depth, "levels per tree")
      ->capture_default_str();
  command
      ->add_option("--min-samples", options->forest.min_sample_count,
                   "samples a node needs to be split")
      ->capture_default_str();
  command->add_option("--seed", options->forest.seed, "random seed")->capture_default_str();
  command->callback([options, exit_code] { *exit_code = RunTrain(*options); });
}

}  // namespace longtail::tools
