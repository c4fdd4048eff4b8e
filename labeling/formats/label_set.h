// The in-memory form every label format is read into and written from: labelled frames of
// centre-based boxes in the vehicle frame, plus the few per-format fields a round trip must keep.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/types.h"
#include "sensors/box3d.h"
#include "sensors/frame.h"
#include "sensors/time.h"

namespace longtail::labeling {

// What only image-based formats know about a box. Kept from an import so a re-export writes the
// annotator's values, not ones recomputed by projection (KITTI's 2D boxes are hand-drawn).
struct ImageLabel {
  std::string camera;                              // CameraModel::name the fields refer to
  Eigen::Vector4d bbox = Eigen::Vector4d::Zero();  // left top right bottom, px
  double truncated = 0;                            // fraction outside the image, 0..1
  int occluded = 3;  // KITTI's code: 0 visible, 1 partly, 2 largely, 3 unknown
};

struct ObjectLabel {
  sensors::LabeledBox labeled;  // box in the vehicle frame, class, track id, score
  // The source format's class name ("Person_sitting"); writers use it while it still parses to
  // `labeled.object_class`, so a class changed in review wins. Empty: use the class's own name.
  std::string type_name;
  std::optional<ImageLabel> image;  // absent: writers project the box into the camera
};

struct LabeledFrame {
  std::int64_t frame_index = 0;             // 0-based position in the log (KITTI frame number)
  std::optional<sensors::Timestamp> stamp;  // when the frame was taken, if the format says
  std::vector<ObjectLabel> objects;
  // KITTI DontCare regions (left top right bottom, px, in the label camera): areas the annotator
  // skipped. Kept so a KITTI round trip writes them back; other formats ignore them.
  std::vector<Eigen::Vector4d> dont_care;
};

// A labelled sequence: one log, one review task, or one KITTI file set.
struct LabelSet {
  std::string name;                     // log id or sequence name, for metadata
  sensors::Calibration calibration;     // cameras[0] is the camera image fields refer to by default
  std::vector<LabeledFrame> frames;     // ascending frame_index, one entry per frame with labels
  std::vector<pipeline::Event> events;  // the rare events that flagged this sequence
  std::string options_hash;             // hash of the run options that produced the pre-labels
};

// A label file that cannot be used at all (unreadable, not the format). Bad single records are
// reported to the caller's sensors::IssueLog instead, and skipped.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The camera named `name` in `calibration`, or cameras[0] when `name` is empty. Throws FormatError.
const sensors::CameraModel& FindCamera(const sensors::Calibration& calibration,
                                       const std::string& name);

}  // namespace longtail::labeling
