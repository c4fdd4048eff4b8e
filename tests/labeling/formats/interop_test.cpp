// Acceptance: the same KITTI tracking sequence read from its label_02 file and from the VCD
// library's independent OpenLABEL conversion gives the same boxes; exporting and re-importing loses
// nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "labeling/formats/kitti_labels.h"
#include "labeling/formats/kitti_tracklets.h"
#include "labeling/formats/openlabel.h"
#include "sensors/kitti/kitti_calibration.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

using sensors::IssueLog;

struct MaxErrors {
  double center = 0, size = 0, yaw = 0;
  int compared = 0;
};

using BoxIndex = std::map<std::pair<std::int64_t, int>, sensors::Box3D>;

BoxIndex ByFrameAndTrack(const std::vector<LabeledFrame>& frames) {
  BoxIndex index;
  for (const LabeledFrame& frame : frames) {
    for (const ObjectLabel& object : frame.objects) {
      index[{frame.frame_index, object.labeled.track_id}] = object.labeled.box;
    }
  }
  return index;
}

MaxErrors Compare(const BoxIndex& expected, const BoxIndex& actual) {
  MaxErrors errors;
  for (const auto& [key, want] : expected) {
    const auto it = actual.find(key);
    if (it == actual.end()) {
      ADD_FAILURE() << "frame " << key.first << " track " << key.second << " missing";
      continue;
    }
    const sensors::Box3D& got = it->second;
    errors.center = std::max(errors.center, (got.center - want.center).cwiseAbs().maxCoeff());
    errors.size = std::max({errors.size, std::abs(got.length - want.length),
                            std::abs(got.width - want.width), std::abs(got.height - want.height)});
    errors.yaw = std::max(errors.yaw, std::abs(sensors::WrapAngle(got.yaw - want.yaw)));
    ++errors.compared;
  }
  EXPECT_EQ(actual.size(), expected.size());
  return errors;
}

class KittiTracking0001 : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path dir = testing::RequireSharedData("openlabel/kitti-tracking-0001");
    if (dir.empty()) GTEST_SKIP() << "../shared/data/openlabel/kitti-tracking-0001 is absent";
    calibration_ = sensors::ReadKittiBenchmarkCalibration(dir / "calib_0001.txt");
    kitti_ =
        ReadKittiTrackingLabels(dir / "label_02_0001.txt", calibration_.cameras.at(0), issues_);
    // longtail's KITTI vehicle frame is the Velodyne's: VCD calls it VELO_TOP.
    vcd_ = ReadOpenLabel(dir / "openlabel100_kitti_tracking_0001.json", "VELO_TOP", issues_);
  }

  sensors::Calibration calibration_;
  IssueLog issues_;
  std::vector<LabeledFrame> kitti_;
  LabelSet vcd_;
};

TEST_F(KittiTracking0001, Label02AndVcdOpenLabelGiveTheSameBoxes) {
  EXPECT_EQ(issues_.count(), 0u);
  const MaxErrors errors = Compare(ByFrameAndTrack(kitti_), ByFrameAndTrack(vcd_.frames));
  EXPECT_EQ(errors.compared, 3030);
  // VCD's file holds its values cut to 2 decimals (most truncated, not rounded; some from a
  // slightly different label version): up to 0.02 m and 0.02 rad from label_02.
  EXPECT_LE(errors.center, 0.025);
  EXPECT_LE(errors.size, 0.02);
  EXPECT_LE(errors.yaw, 0.02);
  std::printf(
      "label_02 vs VCD OpenLABEL: %d boxes, max |error| centre %.4f m, size %.4f m, "
      "yaw %.4f rad\n",
      errors.compared, errors.center, errors.size, errors.yaw);
}

TEST_F(KittiTracking0001, VcdCameraIsKittisImage2) {
  ASSERT_FALSE(vcd_.calibration.cameras.empty());
  const auto& cameras = vcd_.calibration.cameras;
  const auto left = std::find_if(cameras.begin(), cameras.end(),
                                 [](const auto& c) { return c.name == "CAM_LEFT"; });
  ASSERT_NE(left, cameras.end());
  EXPECT_TRUE(left->projection.isApprox(calibration_.cameras[0].projection, 1e-9));
  EXPECT_LE(
      (left->camera_from_vehicle.matrix() - calibration_.cameras[0].camera_from_vehicle.matrix())
          .cwiseAbs()
          .maxCoeff(),
      1e-6);
}

TEST_F(KittiTracking0001, OpenLabelExportAndReimportIsLossless) {
  LabelSet labels;
  labels.name = "kitti-tracking-0001";
  labels.calibration = calibration_;
  labels.frames = kitti_;
  const std::filesystem::path file = testing::ScratchDir() / "0001.json";
  WriteOpenLabel(file, labels);
  IssueLog issues;
  const LabelSet back = ReadOpenLabel(file, std::string(kOpenLabelVehicleFrame), issues);
  EXPECT_EQ(issues.count(), 0u);
  const MaxErrors errors = Compare(ByFrameAndTrack(kitti_), ByFrameAndTrack(back.frames));
  EXPECT_EQ(errors.compared, 3030);
  EXPECT_LE(errors.center, 1e-12);
  EXPECT_EQ(errors.size, 0.0);
  EXPECT_LE(errors.yaw, 1e-12);
  std::printf("OpenLABEL re-import: max |error| centre %.3g m, size %.3g m, yaw %.3g rad\n",
              errors.center, errors.size, errors.yaw);
}

TEST_F(KittiTracking0001, VcdReexportedAsKittiMatchesTheOriginalLabel02) {
  const sensors::CameraModel& camera = calibration_.cameras.at(0);
  const std::filesystem::path file = testing::ScratchDir() / "0001.txt";
  WriteKittiTrackingLabels(file, vcd_.frames, camera);
  IssueLog issues;
  const std::vector<LabeledFrame> back = ReadKittiTrackingLabels(file, camera, issues);
  EXPECT_EQ(issues.count(), 0u);
  const MaxErrors errors = Compare(ByFrameAndTrack(kitti_), ByFrameAndTrack(back));
  EXPECT_LE(errors.center, 0.03);
  EXPECT_LE(errors.size, 0.025);
  EXPECT_LE(errors.yaw, 0.025);
}

TEST_F(KittiTracking0001, KittiTrackingExportAndReimportKeepsPrintPrecision) {
  const sensors::CameraModel& camera = calibration_.cameras.at(0);
  IssueLog issues;
  const std::vector<LabeledFrame> back =
      ParseKittiTrackingLabels(FormatKittiTrackingLabels(kitti_, camera), camera, "mem", issues);
  EXPECT_EQ(issues.count(), 0u);
  const MaxErrors errors = Compare(ByFrameAndTrack(kitti_), ByFrameAndTrack(back));
  EXPECT_EQ(errors.compared, 3030);
  // Two printed decimals: 0.005 per value, a little more where the slightly tilted camera mixes
  // them (the centre from y and h, the yaw from rotation_y about the tilted camera y).
  EXPECT_LE(errors.center, 0.0101);
  EXPECT_LE(errors.size, 0.0051);
  EXPECT_LE(errors.yaw, 0.0055);
  std::printf(
      "label_02 re-export (2 decimals): max |error| centre %.4f m, size %.4f m, "
      "yaw %.4f rad\n",
      errors.center, errors.size, errors.yaw);
}

TEST_F(KittiTracking0001, TrackletExportAndReimportKeepsEveryBox) {
  IssueLog issues;
  const std::vector<LabeledFrame> back =
      ParseKittiTracklets(FormatKittiTracklets(kitti_, calibration_), calibration_, "mem", issues);
  EXPECT_EQ(issues.count(), 0u);
  // Tracklets renumber tracks: match by frame and centre.
  int matched = 0;
  double yaw_error = 0;
  std::map<std::int64_t, const LabeledFrame*> by_frame;
  for (const LabeledFrame& frame : back) by_frame[frame.frame_index] = &frame;
  for (const LabeledFrame& frame : kitti_) {
    for (const ObjectLabel& want : frame.objects) {
      const LabeledFrame* got = by_frame.at(frame.frame_index);
      for (const ObjectLabel& g : got->objects) {
        if ((g.labeled.box.center - want.labeled.box.center).norm() > 1e-9) continue;
        EXPECT_DOUBLE_EQ(g.labeled.box.length, want.labeled.box.length);
        yaw_error = std::max(
            yaw_error, std::abs(sensors::WrapAngle(g.labeled.box.yaw - want.labeled.box.yaw)));
        ++matched;
        break;
      }
    }
  }
  EXPECT_EQ(matched, 3030);
  EXPECT_LE(yaw_error, 1e-12);
}

}  // namespace
}  // namespace longtail::labeling
