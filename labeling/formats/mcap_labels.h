// Labels as Foxglove messages in an MCAP that opens in Foxglove with no extension: the source
// frames (lidar, images, calibration, transforms: sensors/mcap/foxglove_log.h), and over them
//   /labels/boxes                 foxglove.SceneUpdate, one per frame: a cube per box in the
//   vehicle
//                                 frame, metadata class, track_id, score
//   /camera/<name>/labels         foxglove.ImageAnnotations, one per frame and camera: projected
//   box
//                                 edges (LINE_LIST) and a class/track text, at the image's stamp
//   /labels/events                foxglove.Log, one per rare event at its start: type and reason
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "foxglove/ImageAnnotations.pb.h"
#include "foxglove/SceneUpdate.pb.h"
#include "labeling/formats/label_set.h"
#include "sensors/frame.h"

namespace longtail::labeling {

inline constexpr char kBoxesTopic[] = "/labels/boxes";
inline constexpr char kEventsTopic[] = "/labels/events";
inline constexpr char kAnnotationsTopicSuffix[] = "/labels";  // after "/camera/<name>"

// Deletes every earlier entity, then adds one cube entity per box ("track_<id>" or "box_<n>").
foxglove::SceneUpdate ToSceneUpdate(const LabeledFrame& frame, sensors::Timestamp stamp,
                                    const std::string& vehicle_frame_id);
// The 12 edges of every box whose both ends are in front of the camera, as LINE_LIST points (px).
foxglove::ImageAnnotations ToImageAnnotations(const LabeledFrame& frame,
                                              const sensors::CameraModel& camera,
                                              sensors::Timestamp stamp);

// The source frame with the given index, or nullopt when it cannot be read (labels are then
// written alone, at the label's own time stamp).
using SourceFrames = std::function<std::optional<sensors::Frame>(std::int64_t frame_index)>;

// Writes `labels` (with the frames `source_frames` gives) to `file`, write-then-rename. Throws
// std::runtime_error when the file cannot be written.
void WriteLabelsMcap(const std::filesystem::path& file, const LabelSet& labels,
                     const SourceFrames& source_frames);

}  // namespace longtail::labeling
