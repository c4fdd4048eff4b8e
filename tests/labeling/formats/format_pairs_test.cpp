// Every pair of formats, chained through Box3D: boxes written in format A, read back, written in
// format B, read back, match the originals (within KITTI's print precision when KITTI is in the
// chain, exactly otherwise).
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "labeling/formats/foxglove_cube.h"
#include "labeling/formats/kitti_labels.h"
#include "labeling/formats/kitti_tracklets.h"
#include "labeling/formats/openlabel.h"
#include "tests/labeling/formats/format_test_data.h"

namespace longtail::labeling {
namespace {

using Conversion = std::function<std::vector<ObjectLabel>(const std::vector<ObjectLabel>&)>;

std::vector<ObjectLabel> ThroughKitti(const std::vector<ObjectLabel>& objects) {
  sensors::IssueLog issues;
  LabeledFrame frame;
  frame.objects = objects;
  const sensors::CameraModel camera = testdata::KittiCamera();
  LabeledFrame back =
      ParseKittiObjectLabels(FormatKittiObjectLabels(frame, camera), camera, "mem", issues);
  EXPECT_EQ(issues.count(), 0u);
  for (std::size_t i = 0; i < back.objects.size(); ++i) {
    back.objects[i].labeled.track_id = objects[i].labeled.track_id;  // label_2 has no track ids
  }
  return back.objects;
}

std::vector<ObjectLabel> ThroughOpenLabel(const std::vector<ObjectLabel>& objects) {
  LabelSet labels;
  labels.calibration = testdata::KittiCalibration();
  labels.frames.resize(1);
  labels.frames[0].objects = objects;
  sensors::IssueLog issues;
  const LabelSet back = ParseOpenLabel(FormatOpenLabel(labels), "vehicle", "mem", issues);
  EXPECT_EQ(issues.count(), 0u);
  // OpenLABEL lists objects by uid (track id): put them back in the input order.
  std::map<int, ObjectLabel> by_track;
  for (const ObjectLabel& object : back.frames.at(0).objects) {
    by_track[object.labeled.track_id] = object;
  }
  std::vector<ObjectLabel> ordered;
  for (const ObjectLabel& object : objects) ordered.push_back(by_track.at(object.labeled.track_id));
  return ordered;
}

std::vector<ObjectLabel> ThroughTracklets(const std::vector<ObjectLabel>& objects) {
  std::vector<LabeledFrame> frames(1);
  frames[0].objects = objects;
  sensors::IssueLog issues;
  const auto back = ParseKittiTracklets(FormatKittiTracklets(frames, testdata::KittiCalibration()),
                                        testdata::KittiCalibration(), "mem", issues);
  EXPECT_EQ(issues.count(), 0u);
  // Tracklets are numbered in track order, which is the input order here.
  std::vector<ObjectLabel> result = back.at(0).objects;
  for (std::size_t i = 0; i < result.size(); ++i) {
    result[i].labeled.track_id = objects[i].labeled.track_id;
  }
  return result;
}

std::vector<ObjectLabel> ThroughFoxglove(const std::vector<ObjectLabel>& objects) {
  std::vector<ObjectLabel> result = objects;
  for (ObjectLabel& object : result) {
    object.labeled.box = FoxgloveCubeToBox(BoxToFoxgloveCube(object.labeled.box));
  }
  return result;
}

TEST(FormatPairs, EveryPairRoundTripsThroughBox3D) {
  const std::map<std::string, Conversion> formats = {{"kitti", ThroughKitti},
                                                     {"openlabel", ThroughOpenLabel},
                                                     {"tracklets", ThroughTracklets},
                                                     {"foxglove", ThroughFoxglove}};
  const std::vector<ObjectLabel> original = testdata::HardObjects();
  for (const auto& [name_a, a] : formats) {
    for (const auto& [name_b, b] : formats) {
      SCOPED_TRACE(name_a + " -> " + name_b);
      const bool kitti = name_a == "kitti" || name_b == "kitti";
      // Two decimals per KITTI value; the centre also mixes y and h/2, rounded twice in a chain.
      const double tolerance = kitti ? 0.011 : 1e-9;
      const std::vector<ObjectLabel> back = b(a(original));
      ASSERT_EQ(back.size(), original.size());
      for (std::size_t i = 0; i < original.size(); ++i) {
        const sensors::Box3D& want = original[i].labeled.box;
        const sensors::Box3D& got = back[i].labeled.box;
        EXPECT_LE((got.center - want.center).cwiseAbs().maxCoeff(), tolerance) << i;
        EXPECT_NEAR(got.length, want.length, tolerance);
        EXPECT_NEAR(got.width, want.width, tolerance);
        EXPECT_NEAR(got.height, want.height, tolerance);
        EXPECT_NEAR(sensors::WrapAngle(got.yaw - want.yaw), 0, tolerance);
        EXPECT_EQ(back[i].labeled.object_class, original[i].labeled.object_class);
      }
    }
  }
}

}  // namespace
}  // namespace longtail::labeling
