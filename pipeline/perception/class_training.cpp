#include "pipeline/perception/class_training.h"

#include <fstream>
#include <sstream>

#include "pipeline/perception/perceive.h"
#include "sensors/kitti/kitti_object_reader.h"

namespace longtail::pipeline {
namespace {

namespace fs = std::filesystem;

ModelClass ModelClassOf(ScoredGroup group) {
  switch (group) {
    case ScoredGroup::kVehicle:
      return ModelClass::kVehicle;
    case ScoredGroup::kPedestrian:
      return ModelClass::kPedestrian;
    case ScoredGroup::kCyclist:
      return ModelClass::kCyclist;
    default:
      return ModelClass::kBackground;
  }
}

}  // namespace

std::map<std::string, std::string> ReadObjectFrameDrives(const fs::path& mapping_dir) {
  std::map<std::string, std::string> drives;
  // obj_to_raw_frame.txt: "<frame id> <date> <drive> <raw frame>" per line.
  std::ifstream direct(mapping_dir / "obj_to_raw_frame.txt");
  std::string line;
  while (std::getline(direct, line)) {
    std::istringstream fields(line);
    std::string id, date, drive;
    if (fields >> id >> date >> drive) drives[id] = drive;
  }
  if (!drives.empty()) return drives;
  // The devkit's own pair: train_rand.txt holds, for frame i, the 1-based line of
  // train_mapping.txt ("<date> <drive> <raw frame>") it was drawn from.
  std::ifstream rand_file(mapping_dir / "train_rand.txt"),
      mapping_file(mapping_dir / "train_mapping.txt");
  std::vector<std::string> mapped;
  while (std::getline(mapping_file, line)) {
    std::istringstream fields(line);
    std::string date, drive;
    fields >> date >> drive;
    mapped.push_back(drive);
  }
  std::string number;
  for (int frame = 0; std::getline(rand_file, number, ','); ++frame) {
    const int k = std::stoi(number) - 1;
    if (k < 0 || k >= static_cast<int>(mapped.size())) continue;
    char id[16];
    std::snprintf(id, sizeof(id), "%06d", frame);
    drives[id] = mapped[k];
  }
  return drives;
}

std::string DriveOfFrame(const fs::path& dataset, const std::string& sequence,
                         const std::string& id,
                         const std::map<std::string, std::string>& object_frame_drives) {
  if (!sequence.empty()) {
    const fs::path folder = dataset.filename() == "training" ? dataset.parent_path() : dataset;
    return folder.filename().string() + "/" + sequence;
  }
  const auto it = object_frame_drives.find(id);
  return it != object_frame_drives.end() ? it->second : id;
}

std::vector<TrainingSample> LabelClusters(
    const sensors::Frame& frame, const std::vector<TruthForTraining>& truths,
    const std::function<bool(const Eigen::Vector3d&)>& labelled,
    const proto::PerceptionOptions& perception, const SampleOptions& options) {
  proto::PerceptionOptions size_rule = perception;
  size_rule.mutable_classes()->set_learned(false);
  // Fixed, so the samples (through which small clusters count as fragments of a vehicle) do not
  // depend on the run's reporting threshold: the default command reproduces the committed model.
  size_rule.mutable_classes()->set_min_confidence(0.1);
  const PerceptionWithEvidence perceived = PerceiveWithEvidence(frame, size_rule);
  std::vector<TrainingSample> samples;
  for (const auto& evidence : perceived.evidence) {
    if (!evidence) continue;
    const Eigen::Vector3d centre = evidence->tight_box.center;
    const TruthForTraining* inside = nullptr;
    for (const TruthForTraining& truth : truths) {
      if (sensors::Contains(truth.box, centre, options.match_margin_m)) inside = &truth;
    }
    TrainingSample sample;
    sample.features = evidence->features;
    if (inside != nullptr) {
      // Inside a box of no scored group (Misc, a sign): neither a road user nor clutter.
      if (inside->group == ScoredGroup::kNone) continue;
      sample.label = ModelClassOf(inside->group);
    } else if (!labelled(centre)) {
      continue;
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

std::vector<TrainingSample> CollectTrainingSamples(
    const fs::path& dataset, const std::map<std::string, std::string>& object_drives,
    const proto::PerceptionOptions& perception, const SampleOptions& options,
    sensors::IssueLog& issues) {
  const sensors::KittiBenchmark benchmark = sensors::KittiBenchmark::Open(dataset, issues);
  std::vector<TrainingSample> samples;
  for (std::size_t i = 0; i < benchmark.size(); ++i) {
    const sensors::LabeledFrame labeled = benchmark.Load(i);
    const sensors::Frame& frame = labeled.frame;
    if (!frame.calibration || frame.calibration->cameras.empty()) continue;
    const sensors::CameraModel& camera = frame.calibration->cameras.front();
    std::vector<TruthForTraining> truths;
    std::vector<Eigen::Vector4d> dont_care;
    for (const sensors::KittiLabel& label : labeled.labels) {
      if (label.type == "DontCare") {
        dont_care.push_back(label.bbox);
        continue;
      }
      truths.push_back({sensors::KittiLabelToBox(label, camera.camera_from_vehicle).box,
                        ScoringOfLabelType(label.type).group});
    }
    // KITTI labels are complete in the image, within range, outside DontCare regions.
    const auto labelled = [&](const Eigen::Vector3d& centre) {
      const auto projected = sensors::ProjectToPixel(camera, centre);
      if (!projected || !sensors::InImage(camera, *projected)) return false;
      const Eigen::Vector2d& pixel = *projected;
      if ((camera.camera_from_vehicle * centre).norm() > options.max_background_range_m) {
        return false;
      }
      for (const Eigen::Vector4d& r : dont_care) {
        if (pixel.x() >= r[0] && pixel.x() <= r[2] && pixel.y() >= r[1] && pixel.y() <= r[3]) {
          return false;
        }
      }
      return true;
    };
    const std::string drive = DriveOfFrame(dataset, labeled.sequence, labeled.id, object_drives);
    for (TrainingSample& sample : LabelClusters(frame, truths, labelled, perception, options)) {
      sample.group = drive;
      sample.frame = labeled.sequence.empty() ? labeled.id : labeled.sequence;
      samples.push_back(std::move(sample));
    }
  }
  return samples;
}

}  // namespace longtail::pipeline
