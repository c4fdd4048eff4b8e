#include "labeling/formats/kitti_labels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "sensors/atomic_file.h"
#include "sensors/kitti/kitti_calibration.h"
#include "sensors/kitti/kitti_label.h"
#include "tests/labeling/formats/format_test_data.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

using sensors::IssueLog;

// KITTI prints two decimals: a value read back is within half a unit of the last digit, and a
// centre rebuilt from rounded h and y within about twice that.
constexpr double kPrintPrecision = 0.005;

void ExpectSameBox(const sensors::Box3D& expected, const sensors::Box3D& actual, double tolerance) {
  EXPECT_NEAR(expected.center.x(), actual.center.x(), 2 * tolerance);
  EXPECT_NEAR(expected.center.y(), actual.center.y(), 2 * tolerance);
  EXPECT_NEAR(expected.center.z(), actual.center.z(), 2 * tolerance);
  EXPECT_NEAR(expected.length, actual.length, tolerance);
  EXPECT_NEAR(expected.width, actual.width, tolerance);
  EXPECT_NEAR(expected.height, actual.height, tolerance);
  // Compare angles across the +-pi seam.
  EXPECT_NEAR(sensors::WrapAngle(expected.yaw - actual.yaw), 0.0, 2 * tolerance);
}

TEST(KittiObjectLabels, RoundTripsHardBoxesWithinPrintPrecision) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  LabeledFrame frame;
  frame.objects = testdata::HardObjects();
  IssueLog issues;
  const LabeledFrame back =
      ParseKittiObjectLabels(FormatKittiObjectLabels(frame, camera), camera, "mem", issues);
  EXPECT_EQ(issues.count(), 0u);
  ASSERT_EQ(back.objects.size(), frame.objects.size());
  for (std::size_t i = 0; i < frame.objects.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameBox(frame.objects[i].labeled.box, back.objects[i].labeled.box, kPrintPrecision);
    EXPECT_EQ(back.objects[i].labeled.object_class, frame.objects[i].labeled.object_class);
    EXPECT_NEAR(back.objects[i].labeled.score, frame.objects[i].labeled.score, 1e-4);
  }
}

TEST(KittiObjectLabels, ProjectsBoxesWithoutImageFields) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  LabeledFrame frame;
  frame.objects = testdata::HardObjects();
  IssueLog issues;
  const LabeledFrame back =
      ParseKittiObjectLabels(FormatKittiObjectLabels(frame, camera), camera, "mem", issues);
  ASSERT_EQ(back.objects.size(), 5u);
  // Behind the camera: nothing projects, the box is fully truncated.
  EXPECT_DOUBLE_EQ(back.objects[2].image->truncated, 1.0);
  // Close and to the left: partly outside the image, clipped at its left edge.
  EXPECT_GT(back.objects[3].image->truncated, 0.0);
  EXPECT_LT(back.objects[3].image->truncated, 1.0);
  EXPECT_DOUBLE_EQ(back.objects[3].image->bbox[0], 0.0);
  // Straight ahead: inside the image, not truncated, occlusion unknown.
  EXPECT_DOUBLE_EQ(back.objects[4].image->truncated, 0.0);
  EXPECT_EQ(back.objects[4].image->occluded, 3);
  EXPECT_GT(back.objects[4].image->bbox[2], back.objects[4].image->bbox[0]);
}

TEST(KittiObjectLabels, KeepsTheAnnotatorsTypeAndImageFields) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  const std::string text =
      "Person_sitting 0.31 2 -1.28 100.00 150.00 180.00 300.00 1.20 0.60 0.80 -2.00 1.60 9.00 "
      "-1.50\n";
  IssueLog issues;
  const LabeledFrame frame = ParseKittiObjectLabels(text, camera, "mem", issues);
  ASSERT_EQ(frame.objects.size(), 1u);
  EXPECT_EQ(frame.objects[0].labeled.object_class, sensors::ObjectClass::kPedestrian);
  const std::string again = FormatKittiObjectLabels(frame, camera);
  EXPECT_EQ(again.substr(0, 58), text.substr(0, 58)) << again;
}

TEST(KittiObjectLabels, AClassChangedInReviewWinsOverTheSourceTypeName) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  IssueLog issues;
  LabeledFrame frame = ParseKittiObjectLabels(
      "Person_sitting 0.00 0 0.00 1 1 2 2 1.2 0.6 0.8 -2 1.6 9 -1.5\n", camera, "mem", issues);
  frame.objects[0].labeled.object_class = sensors::ObjectClass::kCyclist;
  EXPECT_EQ(FormatKittiObjectLabels(frame, camera).rfind("Cyclist ", 0), 0u);
}

TEST(KittiObjectLabels, KeepsDontCareRegions) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  const std::string text =
      "DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000 -10\n";
  IssueLog issues;
  const LabeledFrame frame = ParseKittiObjectLabels(text, camera, "mem", issues);
  EXPECT_TRUE(frame.objects.empty());
  ASSERT_EQ(frame.dont_care.size(), 1u);
  EXPECT_EQ(FormatKittiObjectLabels(frame, camera),
            "DontCare -1.00 -1 -10.00 503.89 169.71 590.61 190.13 -1.00 -1.00 -1.00 -1000.00 "
            "-1000.00 -1000.00 -10.00\n");
}

TEST(KittiObjectLabels, ReportsBadLinesWithTheirOffsetAndKeepsTheRest) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  const std::string good = "Car 0.00 0 0.00 1 1 2 2 1.5 1.6 4.0 1 1.6 10 0\n";
  const std::string short_line = "Car 0.00 0\n";
  const std::string not_number = "Car 0.00 0 0.00 1 1 2 2 1.5 x 4.0 1 1.6 10 0\r\n";
  IssueLog issues;
  const LabeledFrame frame = ParseKittiObjectLabels(good + short_line + "\n" + not_number + good,
                                                    camera, "000001.txt", issues);
  EXPECT_EQ(frame.objects.size(), 2u);
  ASSERT_EQ(issues.count(), 2u);
  EXPECT_EQ(issues.issues()[0].file, "000001.txt");
  EXPECT_EQ(issues.issues()[0].offset, good.size());
  EXPECT_EQ(issues.issues()[1].offset, good.size() + short_line.size() + 1);
  EXPECT_NE(issues.issues()[1].reason.find("not a number"), std::string::npos);
}

TEST(KittiTrackingLabels, RoundTripsFramesAndTrackIds) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  std::vector<LabeledFrame> frames(2);
  frames[0].frame_index = 7;
  frames[0].objects = testdata::HardObjects();
  frames[1].frame_index = 3;
  frames[1].objects = {testdata::HardObjects()[4]};
  frames[1].dont_care = {Eigen::Vector4d(1, 2, 30, 40)};
  IssueLog issues;
  const std::vector<LabeledFrame> back = ParseKittiTrackingLabels(
      FormatKittiTrackingLabels(frames, camera), camera, "0000.txt", issues);
  EXPECT_EQ(issues.count(), 0u);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].frame_index, 3);  // written and read in frame order
  EXPECT_EQ(back[0].dont_care.size(), 1u);
  EXPECT_EQ(back[1].frame_index, 7);
  ASSERT_EQ(back[1].objects.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(back[1].objects[i].labeled.track_id, frames[0].objects[i].labeled.track_id);
    ExpectSameBox(frames[0].objects[i].labeled.box, back[1].objects[i].labeled.box,
                  kPrintPrecision);
  }
}

TEST(KittiTrackingLabels, GivesUntrackedBoxesFreshIds) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  std::vector<LabeledFrame> frames(1);
  frames[0].objects = testdata::HardObjects();  // ids 0..4
  frames[0].objects[1].labeled.track_id = -1;
  frames[0].objects[2].labeled.track_id = -1;
  IssueLog issues;
  const auto back =
      ParseKittiTrackingLabels(FormatKittiTrackingLabels(frames, camera), camera, "mem", issues);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].objects[1].labeled.track_id, 5);
  EXPECT_EQ(back[0].objects[2].labeled.track_id, 6);
}

TEST(KittiTrackingLabels, ReportsNegativeFramesAndMissingFields) {
  const sensors::CameraModel camera = testdata::KittiCamera();
  IssueLog issues;
  const auto frames = ParseKittiTrackingLabels(
      "-1 0 Car 0 0 0 1 1 2 2 1.5 1.6 4 1 1.6 10 0\n"  // negative frame
      "Car 0 0 0 1 1 2 2 1.5 1.6 4 1 1.6 10 0\n"       // a label_2 line: no frame, no id
      "2 0 Car 0 0 0 1 1 2 2 1.5 1.6 4 1 1.6 10 0\n",
      camera, "mem", issues);
  EXPECT_EQ(issues.count(), 2u);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].frame_index, 2);
}

TEST(KittiLabelFiles, WriteThenReadAndNoTemporaryIsLeft) {
  const std::filesystem::path dir = testing::ScratchDir();
  const sensors::CameraModel camera = testdata::KittiCamera();
  LabeledFrame frame;
  frame.objects = testdata::HardObjects();
  WriteKittiObjectLabels(dir / "000000.txt", frame, camera);
  IssueLog issues;
  EXPECT_EQ(ReadKittiObjectLabels(dir / "000000.txt", camera, issues).objects.size(), 5u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

TEST(KittiLabelFiles, CalibrationFileReadsBackAsTheSameCamera) {
  sensors::Calibration calibration = testdata::KittiCalibration();
  calibration.vehicle_from_lidar =
      Eigen::Translation3d(0.8, 0, 1.7) * Eigen::AngleAxisd(0.02, Eigen::Vector3d::UnitZ());
  const sensors::CameraModel& camera = calibration.cameras[0];
  const std::filesystem::path file = testing::ScratchDir() / "000000.txt";
  sensors::WriteFileAtomically(file, FormatKittiCalibration(calibration, camera));
  const sensors::Calibration back = sensors::ReadKittiBenchmarkCalibration(file);
  ASSERT_EQ(back.cameras.size(), 1u);
  EXPECT_TRUE(back.cameras[0].projection.isApprox(camera.projection, 1e-11));
  // KITTI's vehicle frame is the lidar's: the file holds camera_from_lidar.
  const Eigen::Matrix4d camera_from_lidar =
      camera.camera_from_vehicle.matrix() * calibration.vehicle_from_lidar.matrix();
  EXPECT_LE(
      (back.cameras[0].camera_from_vehicle.matrix() - camera_from_lidar).cwiseAbs().maxCoeff(),
      1e-11);
}

TEST(KittiLabelFiles, ReadingAMissingFileThrowsFormatError) {
  IssueLog issues;
  EXPECT_THROW(ReadKittiTrackingLabels("/nonexistent/0000.txt", testdata::KittiCamera(), issues),
               FormatError);
}

std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

// Acceptance: KITTI exports of the object benchmark's ground truth reproduce label_2 within print
// precision: every field of every line, boxes through Box3D and back.
TEST(KittiObjectLabels, GroundTruthExportReproducesLabel2Fields) {
  LONGTAIL_REQUIRE_DATA(training, "kitti-object/training");
  double max_error[15] = {};
  int lines = 0;
  for (int i = 0; i <= 5; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "%06d.txt", i);
    const sensors::Calibration calibration =
        sensors::ReadKittiBenchmarkCalibration(training / "calib" / name);
    const sensors::CameraModel& camera = calibration.cameras.at(0);
    IssueLog issues;
    const std::string original = ReadTextFile(training / "label_2" / name);
    const LabeledFrame frame =
        ParseKittiObjectLabels(original, camera, (training / "label_2" / name).string(), issues);
    EXPECT_EQ(issues.count(), 0u);
    // The export lists objects first, DontCare regions after: compare in that order.
    std::vector<std::string> expected_objects, expected_dont_care;
    std::istringstream in(original);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      (line.rfind("DontCare", 0) == 0 ? expected_dont_care : expected_objects).push_back(line);
    }
    expected_objects.insert(expected_objects.end(), expected_dont_care.begin(),
                            expected_dont_care.end());
    std::istringstream exported(FormatKittiObjectLabels(frame, camera));
    std::size_t k = 0;
    for (std::string line; std::getline(exported, line); ++k) {
      ASSERT_LT(k, expected_objects.size());
      const std::vector<std::string> want = Fields(expected_objects[k]), got = Fields(line);
      ASSERT_EQ(want.size(), 15u);
      ASSERT_EQ(got.size(), 15u) << line;
      EXPECT_EQ(want[0], got[0]);
      for (int f = 1; f < 15; ++f) {
        double error = std::abs(std::stod(want[f]) - std::stod(got[f]));
        if (f == 3 || f == 14)
          error = std::abs(sensors::WrapAngle(std::stod(want[f]) - std::stod(got[f])));
        max_error[f] = std::max(max_error[f], error);
        EXPECT_LE(error, 0.0101) << name << " line " << k << " field " << f << ": " << want[f]
                                 << " vs " << got[f];
      }
      ++lines;
    }
    EXPECT_EQ(k, expected_objects.size());
  }
  EXPECT_GT(lines, 20);
  std::printf(
      "label_2 export of %d lines, max |error| alpha %.4f bbox %.4f hwl %.4f %.4f %.4f "
      "xyz %.4f %.4f %.4f rotation_y %.4f\n",
      lines, max_error[3], std::max({max_error[4], max_error[5], max_error[6], max_error[7]}),
      max_error[8], max_error[9], max_error[10], max_error[11], max_error[12], max_error[13],
      max_error[14]);
}

}  // namespace
}  // namespace longtail::labeling
