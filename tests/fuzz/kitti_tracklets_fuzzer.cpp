// libFuzzer target: a KITTI raw tracklet_labels.xml imported as `longtail import` does it (parse,
// then review-queue task drafts), and whatever parses written back out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "labeling/formats/kitti_tracklets.h"
#include "labeling/formats/label_set.h"
#include "labeling/formats/queue_import.h"
#include "sensors/issues.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  sensors::IssueLog issues(8);
  try {
    labeling::LabelSet labels;
    labels.frames =
        labeling::ParseKittiTracklets(std::string_view(reinterpret_cast<const char*>(data), size),
                                      fuzz::TinyCalibration(), "fuzz", issues);
    labeling::FormatKittiTracklets(labels.frames, fuzz::TinyCalibration());
    labeling::ImportOptions options;
    options.log_id = "fuzz";
    options.source = "kitti-tracklets";
    labeling::ImportDrafts(labels, options);
  } catch (const labeling::FormatError&) {
  }
  return 0;
}
