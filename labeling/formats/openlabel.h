// ASAM OpenLABEL 1.0 JSON: labels for exchange with other tools (VCD, annotation platforms) and the
// rare events that flagged them, as `events` and scenario `tags`.
//
// Written: coordinate systems (the vehicle frame as root, one child per camera with its pose),
// camera streams with pinhole intrinsics, objects keyed by track id with frame intervals, per-frame
// cuboids in the vehicle frame as the 10-value form (x y z, qx qy qz qw, sx sy sz = length width
// height), the score, the KITTI-style 2D box, truncation and occlusion, frame timestamps, events
// with reason, detector, version, severity, values and actors, and one tag per detector with the
// options hash. Numbers are written with 17 significant digits: a re-import is exact.
//
// Read: cuboids of 9 values (Euler ZYX: R = Rz(rz) Ry(ry) Rx(rx)) or 10 values, in any coordinate
// system connected to the target frame through `pose_wrt_parent` (parent_from_child). The size
// along the local axis most aligned with the target's z is the height, the local x axis (or the
// next one when x is vertical) is the heading. DontCare objects and static (frame-less) object data
// are skipped.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "labeling/formats/label_set.h"
#include "sensors/issues.h"

namespace longtail::labeling {

// The coordinate system longtail writes boxes in: the vehicle frame (ISO 8855).
inline constexpr std::string_view kOpenLabelVehicleFrame = "vehicle";

std::string FormatOpenLabel(const LabelSet& labels);
void WriteOpenLabel(const std::filesystem::path& file, const LabelSet& labels);

// `vehicle_frame`: the coordinate system whose axes become the vehicle frame of the result (e.g.
// "VELO_TOP" for VCD's KITTI conversions, where longtail's KITTI vehicle frame is the Velodyne's).
// Cameras with pinhole intrinsics and a pose connected to it become the calibration's cameras.
// Throws FormatError when the text is not OpenLABEL JSON; bad elements are reported and skipped.
LabelSet ParseOpenLabel(std::string_view json_text, const std::string& vehicle_frame,
                        const std::string& source, sensors::IssueLog& issues);
LabelSet ReadOpenLabel(const std::filesystem::path& file, const std::string& vehicle_frame,
                       sensors::IssueLog& issues);

}  // namespace longtail::labeling
