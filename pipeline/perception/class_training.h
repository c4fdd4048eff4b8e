// Training data for the class model: the geometric pipeline runs over labelled KITTI-layout scans
// and every cluster becomes a sample, labelled by the ground-truth box it lies in (clusters in the
// labelled camera view that lie in no box are background clutter).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "pipeline/perception/class_model.h"
#include "pipeline/perception/label_scoring.h"
#include "pipeline/proto/perception.pb.h"
#include "sensors/frame.h"
#include "sensors/issues.h"

namespace longtail::pipeline {

// The raw drive of every KITTI object training frame ("000006" -> "2011_09_29_drive_0026_sync"),
// from the devkit's mapping folder (obj_to_raw_frame.txt, or train_rand.txt + train_mapping.txt).
// Empty when neither is there.
std::map<std::string, std::string> ReadObjectFrameDrives(const std::filesystem::path& mapping_dir);

// The drive a frame belongs to: the mapped raw drive of an object frame (its own id when
// unmapped), or "<dataset>/<sequence>" for a tracking sequence (a sequence is one drive).
std::string DriveOfFrame(const std::filesystem::path& dataset, const std::string& sequence,
                         const std::string& id,
                         const std::map<std::string, std::string>& object_frame_drives);

struct SampleOptions {
  double match_margin_m = 0.3;  // a cluster's centre this far outside a box still belongs to it
  double max_background_range_m = 50;  // unmatched clusters farther than this are not background
                                       // (KITTI labels thin out), m
};

// A ground-truth box of one frame, vehicle frame, and the group it belongs to.
struct TruthForTraining {
  sensors::Box3D box;
  ScoredGroup group = ScoredGroup::kNone;
};

// The clusters of one frame, labelled by the truth box their centre lies in. A cluster in a box of
// no scored group (KITTI Misc) is left out; one in no box is background where `labelled(centre)`
// says the labels are complete there (vehicle frame), else left out. Classes are decided by the
// size rule while collecting, so the samples do not depend on the model being trained.
std::vector<TrainingSample> LabelClusters(
    const sensors::Frame& frame, const std::vector<TruthForTraining>& truths,
    const std::function<bool(const Eigen::Vector3d&)>& labelled,
    const proto::PerceptionOptions& perception, const SampleOptions& options);

// Every cluster of every frame of the KITTI object or tracking `training/` folder at `dataset`,
// labelled (LabelClusters; labels are complete in the camera image within max_background_range_m
// outside DontCare regions); `group` is DriveOfFrame. Throws sensors::LogError when `dataset` is
// neither layout.
std::vector<TrainingSample> CollectTrainingSamples(
    const std::filesystem::path& dataset, const std::map<std::string, std::string>& object_drives,
    const proto::PerceptionOptions& perception, const SampleOptions& options,
    sensors::IssueLog& issues);

}  // namespace longtail::pipeline
