// Whole KITTI label files: the object benchmark's label_2 (one file per frame) and the tracking
// benchmark's label_02 (one file per sequence). Lines go through sensors/kitti/kitti_label.h; this
// adds files, DontCare regions, the image fields of an import, and bad-line reporting.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "labeling/formats/label_set.h"
#include "sensors/frame.h"
#include "sensors/issues.h"

namespace longtail::labeling {

// label_2 text of one frame, boxes converted to the rectified camera of `camera`. Values have
// KITTI's print precision (2 decimals). A box with an ImageLabel for this camera keeps its 2D box,
// truncation and occlusion; others get them from projection (occlusion 3, unknown).
std::string FormatKittiObjectLabels(const LabeledFrame& frame, const sensors::CameraModel& camera);
// Parses label_2 text. A bad line is reported (`source` + byte offset) and skipped.
LabeledFrame ParseKittiObjectLabels(std::string_view text, const sensors::CameraModel& camera,
                                    const std::string& source, sensors::IssueLog& issues);

// label_02 text of a sequence: every frame's lines, in frame order. Boxes without a track id get
// fresh ids above the largest one in the sequence (KITTI requires an id on every non-DontCare
// line).
std::string FormatKittiTrackingLabels(const std::vector<LabeledFrame>& frames,
                                      const sensors::CameraModel& camera);
// Parses label_02 text into frames in ascending order (frames with no line are absent).
std::vector<LabeledFrame> ParseKittiTrackingLabels(std::string_view text,
                                                   const sensors::CameraModel& camera,
                                                   const std::string& source,
                                                   sensors::IssueLog& issues);

// File versions: write-then-rename; reading throws FormatError when the file cannot be opened.
void WriteKittiObjectLabels(const std::filesystem::path& file, const LabeledFrame& frame,
                            const sensors::CameraModel& camera);
LabeledFrame ReadKittiObjectLabels(const std::filesystem::path& file,
                                   const sensors::CameraModel& camera, sensors::IssueLog& issues);
void WriteKittiTrackingLabels(const std::filesystem::path& file,
                              const std::vector<LabeledFrame>& frames,
                              const sensors::CameraModel& camera);
std::vector<LabeledFrame> ReadKittiTrackingLabels(const std::filesystem::path& file,
                                                  const sensors::CameraModel& camera,
                                                  sensors::IssueLog& issues);

// A KITTI benchmark calibration file for `camera` (what sensors::ReadKittiBenchmarkCalibration
// reads): P2 = its projection, R0_rect = identity, Tr_velo_to_cam = camera_from_vehicle *
// vehicle_from_lidar. Only this camera is known, so P0, P1, P3 and Tr_imu_to_velo are left out.
std::string FormatKittiCalibration(const sensors::Calibration& calibration,
                                   const sensors::CameraModel& camera);

// The whole text of a file. Throws FormatError naming it when it cannot be read.
std::string ReadTextFile(const std::filesystem::path& file);

}  // namespace longtail::labeling
