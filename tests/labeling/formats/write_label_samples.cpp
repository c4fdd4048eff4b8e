// Writes label files longtail produces into DIR for the Node tests in tests/js:
//   *.json      OpenLABEL, validated against the official schema (openlabel_schema.test.mjs): a
//               synthetic set with events, tags and untracked boxes, and KITTI tracking sequence
//               0001 re-exported from its label_02 file and from VCD's conversion;
//   labels.mcap the synthetic boxes over the first frames of KITTI raw drive 0052, read back by
//               @mcap/core with CRC checks and decoded as Foxglove messages (label_mcap.test.mjs).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <numbers>

#include "labeling/formats/kitti_labels.h"
#include "labeling/formats/mcap_labels.h"
#include "labeling/formats/openlabel.h"
#include "sensors/kitti/kitti_calibration.h"
#include "sensors/log_reader.h"

namespace {

using namespace longtail;

labeling::LabelSet Synthetic(const sensors::Calibration& calibration) {
  labeling::LabelSet labels;
  labels.name = "synthetic";
  labels.options_hash = "0123abcd";
  labels.calibration = calibration;
  for (int f = 0; f < 4; ++f) {
    labeling::LabeledFrame frame;
    frame.frame_index = f;
    frame.stamp = sensors::FromNanos(1317042145964389445 + f * 100000000LL);
    for (int k = 0; k < 3; ++k) {
      labeling::ObjectLabel object;
      object.labeled.box.center = {5.0 + 7 * k - f, 2.0 - 2 * k, -0.8};
      object.labeled.box.length = 4.1;
      object.labeled.box.width = 1.7;
      object.labeled.box.height = 1.5;
      object.labeled.box.yaw = k == 0 ? std::numbers::pi - 1e-4 : -0.3 * k;
      object.labeled.object_class = sensors::ObjectClass::kCar;
      object.labeled.track_id = k == 2 ? -1 : k;
      object.labeled.score = 0.9;
      if (k == 1) object.image = labeling::ImageLabel{"image_2", {100, 150, 220, 260}, 0.1, 1};
      frame.objects.push_back(object);
    }
    labels.frames.push_back(frame);
  }
  pipeline::Event event;
  event.detector = "ego_corridor";
  event.detector_version = 2;
  event.type = "object_in_corridor";
  event.severity = 0.7;
  event.first_frame = 1;
  event.last_frame = 3;
  event.peak_frame = 2;
  event.track_ids = {0};
  event.reason = "car #0 in the ego corridor 9.1 m ahead";
  event.values = {{"distance_m", 9.1}};
  labels.events = {event};
  return labels;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    const std::filesystem::path out = argv[1];
    std::filesystem::create_directories(out);
    const char* env = std::getenv("LONGTAIL_SHARED_DATA");
    const std::filesystem::path data = env ? env : LONGTAIL_SHARED_DATA_DEFAULT;
    const std::filesystem::path sequence = data / "openlabel" / "kitti-tracking-0001";
    const sensors::Calibration calibration =
        sensors::ReadKittiBenchmarkCalibration(sequence / "calib_0001.txt");
    labeling::WriteOpenLabel(out / "synthetic.json", Synthetic(calibration));

    sensors::IssueLog issues;
    labeling::LabelSet kitti;
    kitti.name = "kitti-tracking-0001";
    kitti.calibration = calibration;
    kitti.frames = labeling::ReadKittiTrackingLabels(sequence / "label_02_0001.txt",
                                                     calibration.cameras.at(0), issues);
    labeling::WriteOpenLabel(out / "kitti_tracking_0001.json", kitti);
    labeling::LabelSet vcd = labeling::ReadOpenLabel(
        sequence / "openlabel100_kitti_tracking_0001.json", "VELO_TOP", issues);
    labeling::WriteOpenLabel(out / "vcd_kitti_tracking_0001.json", vcd);
    const std::string drive =
        (data / "kitti-raw" / "2011_09_26" / "2011_09_26_drive_0052_sync").string();
    labeling::LabelSet over_drive = Synthetic(calibration);
    labeling::WriteLabelsMcap(out / "labels.mcap", over_drive, [&](std::int64_t index) {
      return sensors::ReadFrameAt(drive, index, issues);
    });
    std::printf("wrote 4 files to %s (%zu input issues)\n", out.c_str(), issues.count());
    return issues.count() == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_label_samples: %s\n", e.what());
    return 1;
  }
}
