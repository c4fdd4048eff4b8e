#include "labeling/formats/openlabel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "tests/labeling/formats/format_test_data.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

using sensors::IssueLog;

LabelSet SampleSet() {
  LabelSet labels;
  labels.name = "2011_09_26_drive_0005_sync";
  labels.options_hash = "9f2c1e";
  labels.calibration = testdata::KittiCalibration();
  for (int f = 0; f < 3; ++f) {
    LabeledFrame frame;
    frame.frame_index = 10 + f;
    frame.stamp = sensors::FromNanos(1317042145964389445 + f * 103000000LL);
    frame.objects = testdata::HardObjects();
    frame.objects[1].labeled.track_id = -1;  // an untracked detection
    frame.objects[0].image = ImageLabel{"image_2", {10.5, 20.25, 300, 200}, 0.25, 1};
    frame.objects[0].type_name = "Car";
    labels.frames.push_back(frame);
  }
  labels.frames[1].objects.pop_back();  // track 4 leaves for one frame: two intervals
  pipeline::Event event;
  event.detector = "ego_corridor";
  event.detector_version = 3;
  event.type = "object_in_corridor";
  event.severity = 0.8;
  event.first_frame = 10;
  event.last_frame = 12;
  event.start = sensors::FromNanos(1317042145964389445);
  event.end = sensors::FromNanos(1317042146170389445);
  event.track_ids = {0, 4};
  event.reason = "car #0 in the ego corridor 12.4 m ahead";
  event.values = {{"distance_m", 12.4}, {"ttc_s", 1.9}};
  labels.events = {event, event};
  labels.events[1].first_frame = labels.events[1].last_frame = 11;
  return labels;
}

TEST(OpenLabel, ExportThenImportIsExact) {
  const LabelSet labels = SampleSet();
  IssueLog issues;
  const LabelSet back =
      ParseOpenLabel(FormatOpenLabel(labels), std::string(kOpenLabelVehicleFrame), "mem", issues);
  EXPECT_EQ(issues.count(), 0u);
  EXPECT_EQ(back.name, labels.name);
  EXPECT_EQ(back.options_hash, labels.options_hash);
  ASSERT_EQ(back.calibration.cameras.size(), 1u);
  const sensors::CameraModel& camera = back.calibration.cameras[0];
  EXPECT_EQ(camera.name, "image_2");
  EXPECT_EQ(camera.width, 1242);
  EXPECT_TRUE(camera.projection.isApprox(labels.calibration.cameras[0].projection, 1e-15));
  EXPECT_TRUE(camera.camera_from_vehicle.matrix().isApprox(
      labels.calibration.cameras[0].camera_from_vehicle.matrix(), 1e-12));
  ASSERT_EQ(back.frames.size(), labels.frames.size());
  for (std::size_t f = 0; f < labels.frames.size(); ++f) {
    const LabeledFrame& want = labels.frames[f];
    const LabeledFrame& got = back.frames[f];
    EXPECT_EQ(got.frame_index, want.frame_index);
    EXPECT_EQ(got.stamp, want.stamp);
    ASSERT_EQ(got.objects.size(), want.objects.size());
    // Objects come back in uid order: match them by box centre.
    for (const ObjectLabel& w : want.objects) {
      const auto it = std::find_if(got.objects.begin(), got.objects.end(), [&](const auto& g) {
        return (g.labeled.box.center - w.labeled.box.center).norm() < 1e-12;
      });
      ASSERT_NE(it, got.objects.end());
      EXPECT_NEAR(sensors::WrapAngle(it->labeled.box.yaw - w.labeled.box.yaw), 0, 1e-12);
      EXPECT_DOUBLE_EQ(it->labeled.box.length, w.labeled.box.length);
      EXPECT_DOUBLE_EQ(it->labeled.box.width, w.labeled.box.width);
      EXPECT_DOUBLE_EQ(it->labeled.box.height, w.labeled.box.height);
      EXPECT_EQ(it->labeled.object_class, w.labeled.object_class);
      EXPECT_DOUBLE_EQ(it->labeled.score, w.labeled.score);
      if (w.labeled.track_id >= 0) {
        EXPECT_EQ(it->labeled.track_id, w.labeled.track_id);
      }
      ASSERT_EQ(it->image.has_value(), w.image.has_value());
      if (w.image) {
        EXPECT_EQ(it->image->camera, w.image->camera);
        EXPECT_TRUE(it->image->bbox.isApprox(w.image->bbox, 1e-15));
        EXPECT_EQ(it->image->truncated, w.image->truncated);
        EXPECT_EQ(it->image->occluded, w.image->occluded);
      }
    }
  }
  ASSERT_EQ(back.events.size(), 2u);
  const pipeline::Event& event = back.events[0];
  EXPECT_EQ(event.detector, "ego_corridor");
  EXPECT_EQ(event.detector_version, 3);
  EXPECT_EQ(event.type, "object_in_corridor");
  EXPECT_EQ(event.severity, 0.8);
  EXPECT_EQ(event.first_frame, 10);
  EXPECT_EQ(event.last_frame, 12);
  EXPECT_EQ(event.start, labels.events[0].start);
  EXPECT_EQ(event.end, labels.events[0].end);
  EXPECT_EQ(event.track_ids, labels.events[0].track_ids);
  EXPECT_EQ(event.reason, labels.events[0].reason);
  EXPECT_EQ(event.values, labels.events[0].values);
  EXPECT_EQ(back.events[1].first_frame, 11);
}

TEST(OpenLabel, WritesObjectsWithFrameIntervalsEventsAndTags) {
  const std::string text = FormatOpenLabel(SampleSet());
  // Track 4 is absent in frame 11: two intervals.
  EXPECT_NE(text.find("\"4\":{\"frame_intervals\":[{\"frame_end\":10,\"frame_start\":10},"
                      "{\"frame_end\":12,\"frame_start\":12}]"),
            std::string::npos);
  EXPECT_NE(text.find("\"schema_version\":\"1.0.0\""), std::string::npos);
  EXPECT_NE(text.find("\"tags\":{\"0\":{\"tag_data\""), std::string::npos);
  EXPECT_NE(text.find("\"options_hash\""), std::string::npos);
  EXPECT_NE(text.find("\"intrinsics_pinhole\""), std::string::npos);
}

// A camera-frame cuboid as VCD writes KITTI (x right, y down, z forward; sx = length along the
// heading, sy = height, sz = width), 9-value Euler form and the equivalent 10-value quaternion
// form.
std::string CameraCuboidFile(const std::string& val) {
  return R"({"openlabel":{"metadata":{"schema_version":"1.0.0"},
    "coordinate_systems":{
      "base":{"type":"local_cs","parent":"","children":["cam"]},
      "cam":{"type":"sensor_cs","parent":"base","children":[],
             "pose_wrt_parent":{"matrix4x4":[0,0,1,0.5, -1,0,0,0, 0,-1,0,1.5, 0,0,0,1]}}},
    "objects":{"7":{"name":"Car7","type":"Car"}},
    "frames":{"3":{"objects":{"7":{"object_data":{"cuboid":[
      {"name":"box3D","coordinate_system":"cam","val":)" +
         val + "}]}}}}}}}";
}

TEST(OpenLabel, ReadsEulerAndQuaternionCuboidsInACameraFrame) {
  // Camera at (0.5, 0, 1.5) in the base frame looking along base +x. Object 10 m ahead, 2 m to
  // the right, centre 1 m below the camera, heading along camera +x (= base -y): yaw -pi/2.
  const double ry = 0.0;
  const std::string euler = "[2, 1, 10, 0, " + std::to_string(ry) + ", 0, 4.5, 1.6, 1.9]";
  const std::string quaternion = "[2, 1, 10, 0, 0, 0, 1, 4.5, 1.6, 1.9]";
  for (const std::string& val : {euler, quaternion}) {
    IssueLog issues;
    const LabelSet labels = ParseOpenLabel(CameraCuboidFile(val), "base", "mem", issues);
    EXPECT_EQ(issues.count(), 0u);
    ASSERT_EQ(labels.frames.size(), 1u);
    EXPECT_EQ(labels.frames[0].frame_index, 3);
    ASSERT_EQ(labels.frames[0].objects.size(), 1u);
    const ObjectLabel& object = labels.frames[0].objects[0];
    EXPECT_EQ(object.labeled.track_id, 7);
    EXPECT_EQ(object.labeled.object_class, sensors::ObjectClass::kCar);
    EXPECT_TRUE(object.labeled.box.center.isApprox(Eigen::Vector3d(10.5, -2, 0.5), 1e-12));
    EXPECT_DOUBLE_EQ(object.labeled.box.length, 4.5);
    EXPECT_DOUBLE_EQ(object.labeled.box.height, 1.6);
    EXPECT_DOUBLE_EQ(object.labeled.box.width, 1.9);
    EXPECT_NEAR(object.labeled.box.yaw, -std::numbers::pi / 2, 1e-12);
  }
}

TEST(OpenLabel, EulerAnglesFollowTheZyxSequence) {
  // rz = pi/2 in the base frame itself: heading along +y, whatever rx does to the box's own x.
  IssueLog issues;
  const LabelSet labels = ParseOpenLabel(
      R"({"openlabel":{"metadata":{"schema_version":"1.0.0"},"objects":{"1":{"name":"a","type":"Van"}},
      "frames":{"0":{"objects":{"1":{"object_data":{"cuboid":[{"name":"c",
      "val":[1,2,3, 0.3,0,1.5707963267948966, 5,2,2.5]}]}}}}}}})",
      "vehicle", "mem", issues);
  ASSERT_EQ(labels.frames.at(0).objects.size(), 1u);
  EXPECT_NEAR(labels.frames[0].objects[0].labeled.box.yaw, std::numbers::pi / 2, 1e-12);
  EXPECT_DOUBLE_EQ(labels.frames[0].objects[0].labeled.box.length, 5);
}

TEST(OpenLabel, ReportsCuboidsItCannotPlaceAndKeepsTheOthers) {
  IssueLog issues;
  const LabelSet labels = ParseOpenLabel(
      R"({"openlabel":{"metadata":{"schema_version":"1.0.0"},
      "coordinate_systems":{"vehicle":{"type":"local_cs","parent":""},
                            "other":{"type":"local_cs","parent":""}},
      "objects":{"1":{"name":"a","type":"Car"},"2":{"name":"b","type":"Car"},
                 "3":{"name":"c","type":"Car"},"4":{"name":"d","type":"Car"},
                 "5":{"name":"e","type":"DontCare"}},
      "frames":{"0":{"objects":{
        "1":{"object_data":{"cuboid":[{"name":"c","coordinate_system":"other","val":[1,2,3,0,0,0,1,1,1]}]}},
        "2":{"object_data":{"cuboid":[{"name":"c","coordinate_system":"vehicle","val":[1,2,3,0,0,0,1,1]}]}},
        "3":{"object_data":{"cuboid":[{"name":"c","coordinate_system":"vehicle","val":[1,2,3,0,0,0,-1,1,1]}]}},
        "5":{"object_data":{"cuboid":[{"name":"c","val":[1,2,3,0,0,0,-1000,-1000,-1000]}]}},
        "4":{"object_data":{"cuboid":[{"name":"c","coordinate_system":"vehicle","val":[1,2,3,0,0,0,1,1,1]}]}}}},
      "x":{}}}})",
      "vehicle", "labels.json", issues);
  // Unconnected frame, 8 values, a negative size, a frame key that is not a number; DontCare is
  // skipped silently: it is not bad data.
  EXPECT_EQ(issues.count(), 4u);
  ASSERT_EQ(labels.frames.size(), 1u);
  ASSERT_EQ(labels.frames[0].objects.size(), 1u);
  EXPECT_EQ(labels.frames[0].objects[0].labeled.track_id, 4);
  EXPECT_EQ(issues.issues()[0].file, "labels.json");
}

TEST(OpenLabel, RejectsTextThatIsNotOpenLabel) {
  IssueLog issues;
  EXPECT_THROW(ParseOpenLabel("{\"openlabel\": [", "vehicle", "a.json", issues), FormatError);
  EXPECT_THROW(ParseOpenLabel("{\"vcd\": {}}", "vehicle", "a.json", issues), FormatError);
  EXPECT_THROW(ReadOpenLabel("/nonexistent.json", "vehicle", issues), FormatError);
  // Elements of the wrong JSON type.
  EXPECT_THROW(ParseOpenLabel(R"({"openlabel":{"metadata":5}})", "vehicle", "a.json", issues),
               FormatError);
  EXPECT_THROW(ParseOpenLabel(R"({"openlabel":{"metadata":{"schema_version":"1.0.0"},
      "objects":{"1":{"name":"a","type":"Car"}},"frames":{"0":{"objects":{"1":{"object_data":
      {"cuboid":[{"name":"c","coordinate_system":7,"val":[1,2,3,0,0,0,1,1,1]}]}}}}}}})",
                              "vehicle", "a.json", issues),
               FormatError);
  // Found by the OpenLABEL fuzzer: a number beyond double's range made nlohmann throw
  // out_of_range, which escaped as a crash.
  EXPECT_THROW(ParseOpenLabel(R"({"openlabel":{"frames":{"0":{"x":-0.3e1030960531}}}})", "vehicle",
                              "a.json", issues),
               FormatError);
}

TEST(OpenLabel, DeeplyNestedJsonIsAClearErrorNotACrash) {
  IssueLog issues;
  const int depth = 300000;  // what overflows a stack when the document is walked or destroyed
  const std::string nested = R"({"openlabel":{"frames":{"0":{"objects":{"1":{"object_data":)" +
                             std::string(depth, '[') + std::string(depth, ']') + "}}}}}}";
  try {
    ParseOpenLabel(nested, "vehicle", "deep.json", issues);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()), "deep.json: JSON nested deeper than 64 levels");
  }
}

TEST(OpenLabel, WritesTheFileAtomically) {
  const std::filesystem::path dir = testing::ScratchDir();
  WriteOpenLabel(dir / "labels.json", SampleSet());
  IssueLog issues;
  EXPECT_EQ(ReadOpenLabel(dir / "labels.json", "vehicle", issues).frames.size(), 3u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

}  // namespace
}  // namespace longtail::labeling
