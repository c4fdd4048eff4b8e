#include "tools/synth/ground_truth.h"

#include <gtest/gtest.h>

#include <fstream>

#include "sensors/kitti/kitti_label.h"
#include "tests/test_support.h"

namespace longtail::tools::synth {
namespace {

namespace fs = std::filesystem;

GroundTruth SmallTruth() {
  GroundTruth truth;
  truth.scenario = "lead_vehicle_hard_brake";
  truth.seed = 7;
  GroundTruthFrame frame;
  frame.index = 0;
  frame.stamp = sensors::FromNanos(1'317'042'000'000'000'000LL);
  sensors::LabeledBox car;
  car.box.center = {12.5, -0.25, -0.98};
  car.box.length = 4.2;
  car.box.width = 1.8;
  car.box.height = 1.5;
  car.box.yaw = 0.1;
  car.object_class = sensors::ObjectClass::kCar;
  car.track_id = 1;
  frame.actors.push_back(car);
  frame.lidar_points.push_back(412);
  truth.frames.push_back(frame);
  frame.index = 1;
  frame.stamp += std::chrono::milliseconds(100);
  frame.actors[0].box.center.x() = 11.5;
  frame.lidar_points[0] = 430;
  truth.frames.push_back(frame);
  ExpectedEvent event;
  event.type = "hard_brake";
  event.first_frame = 0;
  event.last_frame = 1;
  event.start = truth.frames[0].stamp;
  event.end = truth.frames[1].stamp;
  event.track_ids = {1};
  event.description = "the lead car brakes at 6 m/s^2";
  truth.events.push_back(event);
  return truth;
}

TEST(GroundTruthTest, JsonRoundTripKeepsEveryField) {
  const GroundTruth truth = SmallTruth();
  const GroundTruth back = ParseGroundTruth(ToJson(truth));
  EXPECT_EQ(back.scenario, truth.scenario);
  EXPECT_EQ(back.seed, truth.seed);
  EXPECT_FALSE(back.hard_negative);
  ASSERT_EQ(back.frames.size(), 2u);
  EXPECT_EQ(back.frames[1].index, 1);
  EXPECT_EQ(back.frames[1].stamp, truth.frames[1].stamp);
  ASSERT_EQ(back.frames[1].actors.size(), 1u);
  const sensors::LabeledBox& car = back.frames[1].actors[0];
  EXPECT_EQ(car.track_id, 1);
  EXPECT_EQ(car.object_class, sensors::ObjectClass::kCar);
  EXPECT_DOUBLE_EQ(car.box.center.x(), 11.5);
  EXPECT_DOUBLE_EQ(car.box.center.z(), -0.98);
  EXPECT_DOUBLE_EQ(car.box.length, 4.2);
  EXPECT_DOUBLE_EQ(car.box.yaw, 0.1);
  EXPECT_EQ(back.frames[1].lidar_points, std::vector<int>{430});
  ASSERT_EQ(back.events.size(), 1u);
  EXPECT_EQ(back.events[0].type, "hard_brake");
  EXPECT_EQ(back.events[0].last_frame, 1);
  EXPECT_EQ(back.events[0].end, truth.frames[1].stamp);
  EXPECT_EQ(back.events[0].track_ids, std::vector<int>{1});
  EXPECT_EQ(back.events[0].description, truth.events[0].description);
}

TEST(GroundTruthTest, SameTruthGivesSameBytes) {
  EXPECT_EQ(ToJson(SmallTruth()), ToJson(SmallTruth()));
}

TEST(GroundTruthTest, LidarPointCountsAreOptional) {
  GroundTruth truth = SmallTruth();
  for (GroundTruthFrame& frame : truth.frames) frame.lidar_points.clear();
  const GroundTruth back = ParseGroundTruth(ToJson(truth));
  EXPECT_TRUE(back.frames[0].lidar_points.empty());
  EXPECT_EQ(back.frames[0].actors.size(), 1u);
}

TEST(GroundTruthTest, RejectsTextThatIsNotJson) {
  EXPECT_THROW(ParseGroundTruth("{\"format\": "), std::runtime_error);
  EXPECT_THROW(ParseGroundTruth("[1, 2]"), std::runtime_error);
}

TEST(GroundTruthTest, RejectsAnotherFormatOrVersion) {
  std::string json = ToJson(SmallTruth());
  std::string other = json;
  other.replace(other.find("longtail-ground-truth"), 21, "something-else-entire");
  EXPECT_THROW(ParseGroundTruth(other), std::runtime_error);
  std::string version = json;
  version.replace(version.find("\"version\": 1"), 12, "\"version\": 2");
  try {
    ParseGroundTruth(version);
    FAIL() << "version 2 was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("version 2"), std::string::npos) << e.what();
  }
}

TEST(GroundTruthTest, NamesTheMissingFieldWithItsPath) {
  std::string json = ToJson(SmallTruth());
  json.replace(json.find("\"length\""), 8, "\"lenght\"");
  try {
    ParseGroundTruth(json);
    FAIL() << "a box without length was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("$.frames[0].actors[0].length"), std::string::npos)
        << e.what();
  }
}

TEST(GroundTruthTest, RejectsMistypedFieldsAndUnknownClasses) {
  std::string json = ToJson(SmallTruth());
  std::string mistyped = json;
  mistyped.replace(mistyped.find("\"track_id\": 1"), 13, "\"track_id\": \"1\"");
  EXPECT_THROW(ParseGroundTruth(mistyped), std::runtime_error);
  std::string unknown = json;
  unknown.replace(unknown.find("\"Car\""), 5, "\"Cow\"");
  EXPECT_THROW(ParseGroundTruth(unknown), std::runtime_error);
}

TEST(GroundTruthTest, RejectsAnEventThatEndsBeforeItStarts) {
  GroundTruth truth = SmallTruth();
  truth.events[0].first_frame = 5;
  truth.events[0].last_frame = 2;
  EXPECT_THROW(ParseGroundTruth(ToJson(truth)), std::runtime_error);
}

TEST(GroundTruthTest, RejectsLidarPointsGivenForSomeActorsOnly) {
  GroundTruth truth = SmallTruth();
  truth.frames[0].actors.push_back(truth.frames[0].actors[0]);
  truth.frames[0].actors[1].track_id = 2;  // no lidar_points entry for the second actor
  EXPECT_THROW(ParseGroundTruth(ToJson(truth)), std::runtime_error);
}

TEST(GroundTruthTest, FileRoundTripAndMissingFile) {
  const fs::path dir = testing::ScratchDir();
  const fs::path file = dir / "ground_truth.json";
  WriteGroundTruth(SmallTruth(), file);
  EXPECT_EQ(ReadGroundTruth(file).frames.size(), 2u);
  try {
    ReadGroundTruth(dir / "absent.json");
    FAIL() << "a missing file was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("absent.json"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "broken.json") << "{";
  EXPECT_THROW(ReadGroundTruth(dir / "broken.json"), std::runtime_error);
}

TEST(GroundTruthTest, FindsTheFileBesideEachKindOfLog) {
  const fs::path dir = testing::ScratchDir();
  EXPECT_EQ(GroundTruthPathForLog(dir), dir / "ground_truth.json");
  EXPECT_EQ(GroundTruthPathForLog(dir / "drive.mcap"), dir / "drive.ground_truth.json");
}

// KITTI's camera: x right, y down, z forward, 1.73 m lidar, P_rect_02 of the 2011_09_26 drives.
sensors::CameraModel KittiLikeCamera() {
  sensors::CameraModel camera;
  camera.name = "image_02";
  camera.width = 1242;
  camera.height = 375;
  camera.projection << 721.5377, 0, 609.5593, 44.85728, 0, 721.5377, 172.854, 0.2163791, 0, 0, 1,
      0.002745884;
  camera.camera_from_vehicle.linear() << 0, -1, 0, 0, 0, -1, 1, 0, 0;
  return camera;
}

TEST(GroundTruthTest, KittiTrackingLabelsRoundTripToTheSameBoxes) {
  const GroundTruth truth = SmallTruth();
  const sensors::CameraModel camera = KittiLikeCamera();
  const std::string text = ToKittiTrackingLabels(truth, camera);
  std::istringstream lines(text);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto label = sensors::ParseKittiLabel(line, /*tracking=*/true);
    ASSERT_TRUE(label) << label.error().message << ": " << line;
    EXPECT_EQ(label->frame, count);
    EXPECT_EQ(label->track_id, 1);
    EXPECT_EQ(label->type, "Car");
    const sensors::LabeledBox box = sensors::KittiLabelToBox(*label, camera.camera_from_vehicle);
    const sensors::Box3D& expected = truth.frames[count].actors[0].box;
    EXPECT_NEAR(box.box.center.x(), expected.center.x(), 0.01);  // labels keep two decimals
    EXPECT_NEAR(box.box.center.y(), expected.center.y(), 0.01);
    EXPECT_NEAR(box.box.center.z(), expected.center.z(), 0.01);
    EXPECT_NEAR(box.box.yaw, expected.yaw, 0.01);
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST(GroundTruthTest, KittiLabelsLeaveOutActorsBehindTheCamera) {
  GroundTruth truth = SmallTruth();
  for (GroundTruthFrame& frame : truth.frames) frame.actors[0].box.center.x() = -20;
  EXPECT_EQ(ToKittiTrackingLabels(truth, KittiLikeCamera()), "");
}

}  // namespace
}  // namespace longtail::tools::synth
