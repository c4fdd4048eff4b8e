// KITTI raw `tracklet_labels.xml` (boost::serialization XML), the "Kitti Raw Format 1.0" CVAT
// imports for 3D cuboid annotation: teams keep correcting boxes in CVAT and bring them back.
//
// A tracklet is one object over consecutive frames with one size: objectType, h w l (m),
// first_frame, then one pose per frame: tx ty tz = the box's *bottom* centre in the Velodyne frame
// (m), rx ry rz = rotation (rad, rz = yaw about the Velodyne's z), plus state/occlusion/truncation
// codes. A track with gaps or a size change is written as several tracklets. Tracklets carry no id:
// a re-import numbers tracks by tracklet (0, 1, ...) and scores become 1.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "labeling/formats/label_set.h"
#include "sensors/issues.h"

namespace longtail::labeling {

// `calibration.vehicle_from_lidar` places the boxes in the Velodyne frame.
std::string FormatKittiTracklets(const std::vector<LabeledFrame>& frames,
                                 const sensors::Calibration& calibration);
// Throws FormatError when the text is not XML or has no <tracklets>; a tracklet with missing or
// non-numeric fields is reported (byte offset of its <item>) and skipped.
std::vector<LabeledFrame> ParseKittiTracklets(std::string_view xml,
                                              const sensors::Calibration& calibration,
                                              const std::string& source, sensors::IssueLog& issues);

void WriteKittiTracklets(const std::filesystem::path& file, const std::vector<LabeledFrame>& frames,
                         const sensors::Calibration& calibration);
std::vector<LabeledFrame> ReadKittiTracklets(const std::filesystem::path& file,
                                             const sensors::Calibration& calibration,
                                             sensors::IssueLog& issues);

}  // namespace longtail::labeling
