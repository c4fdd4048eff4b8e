#include "sensors/kitti/kitti_label.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include "sensors/kitti/kitti_calibration.h"
#include "tests/test_support.h"

namespace longtail::sensors {
namespace {

TEST(KittiLabel, ParsesObjectAndTrackingLines) {
  const auto label = ParseKittiLabel(
      "Car 0.00 0 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57", false);
  ASSERT_TRUE(label) << label.error().message;
  EXPECT_EQ(label->type, "Car");
  EXPECT_DOUBLE_EQ(label->length, 3.69);
  EXPECT_DOUBLE_EQ(label->location.z(), 58.49);
  EXPECT_FALSE(label->score);
  const auto tracked = ParseKittiLabel(
      "3 7 Cyclist 0 0 -1.9 737.6 161.5 931.1 374.0 1.74 0.82 1.79 1.64 1.68 5.78 -1.68 0.9", true);
  ASSERT_TRUE(tracked) << tracked.error().message;
  EXPECT_EQ(tracked->frame, 3);
  EXPECT_EQ(tracked->track_id, 7);
  EXPECT_DOUBLE_EQ(*tracked->score, 0.9);
}

TEST(KittiLabel, RejectsWrongFieldCountsAndNonNumbers) {
  const auto short_line = ParseKittiLabel("Car 0 0 1.0", false);
  ASSERT_FALSE(short_line);
  EXPECT_EQ(short_line.error().kind, DecodeErrorKind::kMalformed);
  EXPECT_NE(short_line.error().message.find("expected 15 or 16 fields"), std::string::npos);
  const auto not_a_number = ParseKittiLabel("Car 0.00 0 x 1 2 3 4 1 1 1 1 1 1 1", false);
  ASSERT_FALSE(not_a_number);
  EXPECT_EQ(not_a_number.error().kind, DecodeErrorKind::kMalformed);
  EXPECT_EQ(not_a_number.error().message, "field 4 is not a number: 'x'");
  EXPECT_FALSE(ParseKittiLabel("Car 0.00 0 1 1 2 3 4 1 1 1 1 1 1 1", true));
}

TEST(KittiLabel, ABoxNeedsARealSizeButDontCareKeepsItsMinusOnes) {
  const auto negative = ParseKittiLabel("Car 0 0 1 1 2 3 4 1.5 -1.8 4.2 1 1 10 0", false);
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().message.find("box size"), std::string::npos)
      << negative.error().message;
  EXPECT_FALSE(ParseKittiLabel("Car 0 0 1 1 2 3 4 1.5 1.8 0 1 1 10 0", false));
  EXPECT_FALSE(ParseKittiLabel("Car 0 0 1 1 2 3 4 1.5 1.8 400 1 1 10 0", false));
  EXPECT_TRUE(ParseKittiLabel("DontCare -1 -1 -10 1 2 3 4 -1 -1 -1 -1000 -1000 -1000 -10", false));
}

TEST(KittiLabel, BoxRoundTripKeepsEveryField) {
  CameraModel camera;
  camera.width = 1242;
  camera.height = 375;
  camera.projection << 721.5, 0, 609.6, 44.9, 0, 721.5, 172.9, 0.2, 0, 0, 1, 0.003;
  camera.camera_from_vehicle.linear() << 0, -1, 0, 0, 0, -1, 1, 0, 0;
  camera.camera_from_vehicle.translation() << 0.0, -0.08, -0.27;
  for (double yaw : {0.0, 0.7, std::numbers::pi - 1e-6, -std::numbers::pi + 1e-6, -2.0}) {
    LabeledBox box{{{15.0, -3.0, -0.8}, 4.2, 1.8, 1.5, yaw}, ObjectClass::kVan, 4, 0.75};
    const KittiLabel label = BoxToKittiLabel(box, camera);
    const auto parsed = ParseKittiLabel(FormatKittiLabel(label, true), true);
    ASSERT_TRUE(parsed) << parsed.error().message;
    const LabeledBox back = KittiLabelToBox(*parsed, camera.camera_from_vehicle);
    EXPECT_NEAR((back.box.center - box.box.center).norm(), 0, 0.02) << yaw;
    EXPECT_NEAR(std::abs(WrapAngle(back.box.yaw - box.box.yaw)), 0, 0.01) << yaw;
    EXPECT_NEAR(back.box.length, 4.2, 0.01);
    EXPECT_NEAR(back.box.width, 1.8, 0.01);
    EXPECT_NEAR(back.box.height, 1.5, 0.01);
    EXPECT_EQ(back.object_class, ObjectClass::kVan);
    EXPECT_EQ(back.track_id, 4);
    EXPECT_NEAR(back.score, 0.75, 1e-4);
  }
}

TEST(KittiLabel, BoxBehindTheCameraIsFullyTruncated) {
  CameraModel camera;
  camera.width = 100;
  camera.height = 100;
  camera.projection << 50, 0, 50, 0, 0, 50, 50, 0, 0, 0, 1, 0;
  camera.camera_from_vehicle.linear() << 0, -1, 0, 0, 0, -1, 1, 0, 0;
  const KittiLabel label =
      BoxToKittiLabel({{{-10, 0, 0}, 4, 2, 1.5, 0}, ObjectClass::kCar, -1, 1}, camera);
  EXPECT_DOUBLE_EQ(label.truncated, 1.0);
}

double Iou2d(const Eigen::Vector4d& a, const Eigen::Vector4d& b) {
  const double w = std::min(a[2], b[2]) - std::max(a[0], b[0]);
  const double h = std::min(a[3], b[3]) - std::max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const double area = [](const Eigen::Vector4d& r) { return (r[2] - r[0]) * (r[3] - r[1]); }(a) +
                      (b[2] - b[0]) * (b[3] - b[1]);
  return w * h / (area - w * h);
}

// The real KITTI object labels, projected with the real calibration, land on their 2D boxes.
TEST(KittiLabel, ProjectedRealLabelsLandInsideTheirImageBoxes) {
  LONGTAIL_REQUIRE_DATA(root, "kitti-object/training");
  int checked = 0;
  for (const char* id : {"000000", "000001", "000002", "000003", "000004", "000005"}) {
    const Calibration calibration =
        ReadKittiBenchmarkCalibration(root / "calib" / (std::string(id) + ".txt"));
    const CameraModel& camera = calibration.cameras.front();
    std::ifstream in(root / "label_2" / (std::string(id) + ".txt"));
    std::string line;
    while (std::getline(in, line)) {
      const auto label = ParseKittiLabel(line, false);
      ASSERT_TRUE(label) << line << ": " << label.error().message;
      if (label->type == "DontCare" || label->truncated > 0.1) continue;
      const LabeledBox box = KittiLabelToBox(*label, camera.camera_from_vehicle);
      const KittiLabel projected = BoxToKittiLabel(box, camera);
      // The projected box centre lands inside the annotated 2D box, and the projected corners'
      // extent overlaps it well (3D boxes are a little looser than tight 2D boxes).
      const Eigen::Vector3d centre =
          camera.projection * (camera.camera_from_vehicle * box.box.center).homogeneous();
      const double u = centre.x() / centre.z(), v = centre.y() / centre.z();
      EXPECT_TRUE(u > label->bbox[0] && u < label->bbox[2] && v > label->bbox[1] &&
                  v < label->bbox[3])
          << id << " " << line;
      EXPECT_GT(Iou2d(projected.bbox, label->bbox), 0.7) << id << " " << line;
      EXPECT_NEAR(projected.alpha, label->alpha, 0.02) << id << " " << line;
      // Back to KITTI: the fields come back (yaw up to the camera's tilt against the ground).
      EXPECT_NEAR(WrapAngle(projected.rotation_y - label->rotation_y), 0, 1e-3);
      EXPECT_NEAR((projected.location - label->location).norm(), 0, 1e-6);
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
}

}  // namespace
}  // namespace longtail::sensors
