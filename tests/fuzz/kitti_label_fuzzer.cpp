// libFuzzer target: KITTI label files, read both as an object benchmark label_2 file and as a
// tracking label_02 file, as `longtail import` and `eval-boxes` read them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "labeling/formats/kitti_labels.h"
#include "labeling/formats/label_set.h"
#include "sensors/issues.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const sensors::CameraModel& camera = fuzz::TinyCalibration().cameras.front();
  sensors::IssueLog issues(8);
  try {
    const labeling::LabeledFrame frame =
        labeling::ParseKittiObjectLabels(text, camera, "fuzz", issues);
    labeling::FormatKittiObjectLabels(frame, camera);  // whatever parses must also format
  } catch (const labeling::FormatError&) {
  }
  try {
    const auto frames = labeling::ParseKittiTrackingLabels(text, camera, "fuzz", issues);
    labeling::FormatKittiTrackingLabels(frames, camera);
  } catch (const labeling::FormatError&) {
  }
  return 0;
}
