#include "labeling/formats/kitti_labels.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "sensors/atomic_file.h"
#include "sensors/kitti/kitti_label.h"

namespace longtail::labeling {
namespace {

using sensors::CameraModel;
using sensors::KittiLabel;

constexpr std::string_view kDontCare = "DontCare";

ObjectLabel FromKitti(const KittiLabel& label, const CameraModel& camera) {
  ObjectLabel object;
  object.labeled = sensors::KittiLabelToBox(label, camera.camera_from_vehicle);
  object.type_name = label.type;
  object.image = ImageLabel{camera.name, label.bbox, label.truncated, label.occluded};
  return object;
}

KittiLabel ToKitti(const ObjectLabel& object, const CameraModel& camera) {
  KittiLabel label = sensors::BoxToKittiLabel(object.labeled, camera);
  label.occluded = 3;  // unknown unless the annotator said
  const bool type_still_valid =
      !object.type_name.empty() &&
      sensors::ParseObjectClass(object.type_name).value_or(sensors::ObjectClass::kUnknown) ==
          object.labeled.object_class;
  if (type_still_valid) label.type = object.type_name;
  if (object.image && object.image->camera == camera.name) {
    label.bbox = object.image->bbox;
    label.truncated = object.image->truncated;
    label.occluded = object.image->occluded;
  }
  return label;
}

// KITTI's own spelling of a DontCare line; the tracking devkit swaps the size and location fields.
KittiLabel DontCareLabel(const Eigen::Vector4d& region, bool tracking) {
  KittiLabel label;
  label.type = std::string(kDontCare);
  label.truncated = -1;
  label.occluded = -1;
  label.alpha = -10;
  label.bbox = region;
  if (tracking) {
    label.height = label.width = label.length = -1000;
    label.location = {-10, -1, -1};
    label.rotation_y = -1;
  } else {
    label.height = label.width = label.length = -1;
    label.location = {-1000, -1000, -1000};
    label.rotation_y = -10;
  }
  return label;
}

// Calls `on_line(line, byte_offset)` for every non-blank line; strips a trailing '\r'.
template <typename OnLine>
void ForEachLine(std::string_view text, OnLine on_line) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) on_line(line, start);
    start = end + 1;
  }
}

void ReportBadLine(sensors::IssueLog& issues, const std::string& source, std::size_t offset,
                   std::string_view line, const std::string& why) {
  issues.Report({source, offset, line.size(), "bad KITTI label line: " + why});
}

}  // namespace

std::string FormatKittiObjectLabels(const LabeledFrame& frame, const CameraModel& camera) {
  std::string text;
  for (const ObjectLabel& object : frame.objects) {
    text += sensors::FormatKittiLabel(ToKitti(object, camera), /*tracking=*/false) + "\n";
  }
  for (const Eigen::Vector4d& region : frame.dont_care) {
    text += sensors::FormatKittiLabel(DontCareLabel(region, false), /*tracking=*/false) + "\n";
  }
  return text;
}

LabeledFrame ParseKittiObjectLabels(std::string_view text, const CameraModel& camera,
                                    const std::string& source, sensors::IssueLog& issues) {
  LabeledFrame frame;
  ForEachLine(text, [&](std::string_view line, std::size_t offset) {
    const sensors::Decoded<KittiLabel> label = sensors::ParseKittiLabel(line, false);
    if (!label) return ReportBadLine(issues, source, offset, line, label.error().message);
    if (label->type == kDontCare) {
      frame.dont_care.push_back(label->bbox);
    } else {
      frame.objects.push_back(FromKitti(*label, camera));
    }
  });
  return frame;
}

std::string FormatKittiTrackingLabels(const std::vector<LabeledFrame>& frames,
                                      const CameraModel& camera) {
  int next_free_id = 0;
  for (const LabeledFrame& frame : frames) {
    for (const ObjectLabel& object : frame.objects) {
      next_free_id = std::max(next_free_id, object.labeled.track_id + 1);
    }
  }
  std::vector<const LabeledFrame*> ordered;
  for (const LabeledFrame& frame : frames) ordered.push_back(&frame);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto* a, const auto* b) { return a->frame_index < b->frame_index; });
  std::string text;
  for (const LabeledFrame* frame : ordered) {
    for (const ObjectLabel& object : frame->objects) {
      KittiLabel label = ToKitti(object, camera);
      label.frame = static_cast<int>(frame->frame_index);
      if (label.track_id < 0) label.track_id = next_free_id++;
      text += sensors::FormatKittiLabel(label, /*tracking=*/true) + "\n";
    }
    for (const Eigen::Vector4d& region : frame->dont_care) {
      KittiLabel label = DontCareLabel(region, true);
      label.frame = static_cast<int>(frame->frame_index);
      text += sensors::FormatKittiLabel(label, /*tracking=*/true) + "\n";
    }
  }
  return text;
}

std::vector<LabeledFrame> ParseKittiTrackingLabels(std::string_view text, const CameraModel& camera,
                                                   const std::string& source,
                                                   sensors::IssueLog& issues) {
  std::map<int, LabeledFrame> frames;
  ForEachLine(text, [&](std::string_view line, std::size_t offset) {
    const sensors::Decoded<KittiLabel> label = sensors::ParseKittiLabel(line, true);
    if (!label) return ReportBadLine(issues, source, offset, line, label.error().message);
    if (label->frame < 0) return ReportBadLine(issues, source, offset, line, "negative frame");
    LabeledFrame& frame = frames[label->frame];
    frame.frame_index = label->frame;
    if (label->type == kDontCare) {
      frame.dont_care.push_back(label->bbox);
    } else {
      frame.objects.push_back(FromKitti(*label, camera));
    }
  });
  std::vector<LabeledFrame> ordered;
  ordered.reserve(frames.size());
  for (auto& [index, frame] : frames) ordered.push_back(std::move(frame));
  return ordered;
}

std::string FormatKittiCalibration(const sensors::Calibration& calibration,
                                   const CameraModel& camera) {
  const auto row_major = [](const auto& matrix) {
    std::string text;
    char buffer[32];
    for (int row = 0; row < matrix.rows(); ++row) {
      for (int col = 0; col < matrix.cols(); ++col) {
        std::snprintf(buffer, sizeof(buffer), " %.12e", matrix(row, col));
        text += buffer;
      }
    }
    return text;
  };
  const Eigen::Matrix4d camera_from_lidar =
      camera.camera_from_vehicle.matrix() * calibration.vehicle_from_lidar.matrix();
  return "P2:" + row_major(camera.projection) + "\n" +
         "R0_rect:" + row_major(Eigen::Matrix3d::Identity()) + "\n" +
         "Tr_velo_to_cam:" + row_major(camera_from_lidar.topRows<3>()) + "\n";
}

std::string ReadTextFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FormatError(file.string() + ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw FormatError(file.string() + ": read failed");
  return std::move(buffer).str();
}

void WriteKittiObjectLabels(const std::filesystem::path& file, const LabeledFrame& frame,
                            const CameraModel& camera) {
  sensors::WriteFileAtomically(file, FormatKittiObjectLabels(frame, camera));
}

LabeledFrame ReadKittiObjectLabels(const std::filesystem::path& file, const CameraModel& camera,
                                   sensors::IssueLog& issues) {
  return ParseKittiObjectLabels(ReadTextFile(file), camera, file.string(), issues);
}

void WriteKittiTrackingLabels(const std::filesystem::path& file,
                              const std::vector<LabeledFrame>& frames, const CameraModel& camera) {
  sensors::WriteFileAtomically(file, FormatKittiTrackingLabels(frames, camera));
}

std::vector<LabeledFrame> ReadKittiTrackingLabels(const std::filesystem::path& file,
                                                  const CameraModel& camera,
                                                  sensors::IssueLog& issues) {
  return ParseKittiTrackingLabels(ReadTextFile(file), camera, file.string(), issues);
}

const sensors::CameraModel& FindCamera(const sensors::Calibration& calibration,
                                       const std::string& name) {
  if (calibration.cameras.empty()) throw FormatError("the calibration has no camera");
  if (name.empty()) return calibration.cameras.front();
  for (const sensors::CameraModel& camera : calibration.cameras) {
    if (camera.name == name) return camera;
  }
  throw FormatError("no camera named '" + name + "' in the calibration");
}

}  // namespace longtail::labeling
