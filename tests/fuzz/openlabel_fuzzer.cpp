// libFuzzer target: an OpenLABEL JSON file imported as `longtail import` does it (parse, then
// review-queue task drafts), and whatever parses written back out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "labeling/formats/label_set.h"
#include "labeling/formats/openlabel.h"
#include "labeling/formats/queue_import.h"
#include "sensors/issues.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace longtail;
  sensors::IssueLog issues(8);
  try {
    const labeling::LabelSet labels =
        labeling::ParseOpenLabel(std::string_view(reinterpret_cast<const char*>(data), size),
                                 std::string(labeling::kOpenLabelVehicleFrame), "fuzz", issues);
    labeling::FormatOpenLabel(labels);
    labeling::ImportOptions options;
    options.log_id = "fuzz";
    options.source = "openlabel";
    labeling::ImportDrafts(labels, options);
  } catch (const labeling::FormatError&) {
  }
  return 0;
}
