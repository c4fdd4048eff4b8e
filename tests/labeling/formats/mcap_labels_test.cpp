#include "labeling/formats/mcap_labels.h"

#include <gtest/gtest.h>

#include <map>

#include "foxglove/Log.pb.h"
#include "sensors/log_reader.h"
#include "sensors/mcap/mcap_reader.h"
#include "tests/labeling/formats/format_test_data.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

LabeledFrame HardFrame() {
  LabeledFrame frame;
  frame.frame_index = 3;
  frame.stamp = sensors::FromNanos(1317042145964389445);
  frame.objects = testdata::HardObjects();
  frame.objects[1].labeled.track_id = -1;
  return frame;
}

TEST(McapLabels, SceneUpdateReplacesEveryEntityWithOneCubePerBox) {
  const foxglove::SceneUpdate update = ToSceneUpdate(HardFrame(), *HardFrame().stamp, "vehicle");
  ASSERT_EQ(update.deletions_size(), 1);
  EXPECT_EQ(update.deletions(0).type(), foxglove::SceneEntityDeletion::ALL);
  ASSERT_EQ(update.entities_size(), 5);
  const foxglove::SceneEntity& car = update.entities(0);
  EXPECT_EQ(car.id(), "track_0");
  EXPECT_EQ(update.entities(1).id(), "box_1");
  EXPECT_EQ(car.frame_id(), "vehicle");
  EXPECT_EQ(car.timestamp().seconds(), 1317042145);
  EXPECT_EQ(car.timestamp().nanos(), 964389445);
  ASSERT_EQ(car.cubes_size(), 1);
  EXPECT_DOUBLE_EQ(car.cubes(0).size().x(), 4.2);  // length along the heading
  EXPECT_DOUBLE_EQ(car.cubes(0).size().z(), 1.5);
  EXPECT_DOUBLE_EQ(car.cubes(0).pose().position().x(), 15.3);
  ASSERT_EQ(car.metadata_size(), 3);
  EXPECT_EQ(car.metadata(0).key(), "class");
  EXPECT_EQ(car.metadata(0).value(), "Car");
  // Yaw just below pi: the quaternion is a half turn about z.
  EXPECT_NEAR(std::abs(car.cubes(0).pose().orientation().z()), 1.0, 1e-6);
}

TEST(McapLabels, ImageAnnotationsDrawOnlyEdgesInFrontOfTheCamera) {
  const foxglove::ImageAnnotations annotations =
      ToImageAnnotations(HardFrame(), testdata::KittiCamera(), *HardFrame().stamp);
  // The box behind the camera draws nothing; the other four draw all 12 edges.
  ASSERT_EQ(annotations.points_size(), 4);
  for (const foxglove::PointsAnnotation& lines : annotations.points()) {
    EXPECT_EQ(lines.type(), foxglove::PointsAnnotation::LINE_LIST);
    EXPECT_EQ(lines.points_size(), 24);
  }
  ASSERT_EQ(annotations.texts_size(), 4);
  EXPECT_EQ(annotations.texts(0).text(), "Car #0");
}

struct ReadBack {
  std::map<std::string, int> messages_by_topic;
  std::vector<foxglove::SceneUpdate> updates;
  std::vector<foxglove::Log> logs;
  std::size_t issues = 0;
};

ReadBack Read(const std::filesystem::path& file) {
  ReadBack result;
  sensors::IssueLog issues;
  sensors::mcap::McapStreamReader reader(sensors::mcap::OpenFileSource(file), issues);
  std::map<std::uint16_t, std::string> topics;
  while (const auto record = reader.Next()) {
    if (const auto* channel = std::get_if<sensors::mcap::Channel>(&record->record)) {
      topics[channel->id] = channel->topic;
    } else if (const auto* message = std::get_if<sensors::mcap::Message>(&record->record)) {
      const std::string& topic = topics[message->channel_id];
      ++result.messages_by_topic[topic];
      if (topic == kBoxesTopic) {
        result.updates.emplace_back();
        EXPECT_TRUE(result.updates.back().ParseFromArray(message->data.data(),
                                                         static_cast<int>(message->data.size())));
      }
      if (topic == kEventsTopic) {
        result.logs.emplace_back();
        EXPECT_TRUE(result.logs.back().ParseFromArray(message->data.data(),
                                                      static_cast<int>(message->data.size())));
      }
    }
  }
  result.issues = issues.count();
  EXPECT_TRUE(reader.report().trailing_magic_ok);
  return result;
}

LabelSet TwoFramesWithAnEvent() {
  LabelSet labels;
  labels.calibration = testdata::KittiCalibration();
  labels.frames = {HardFrame(), HardFrame()};
  labels.frames[1].frame_index = 4;
  pipeline::Event event;
  event.detector = "ego_corridor";
  event.detector_version = 2;
  event.type = "object_in_corridor";
  event.reason = "car #0 ahead";
  event.first_frame = 3;
  event.last_frame = 4;
  event.peak_frame = 4;
  labels.events = {event};
  return labels;
}

TEST(McapLabels, WritesLabelsAloneWhenTheSourceFramesAreMissing) {
  const std::filesystem::path file = testing::ScratchDir() / "labels.mcap";
  WriteLabelsMcap(file, TwoFramesWithAnEvent(),
                  [](std::int64_t) -> std::optional<sensors::Frame> { return std::nullopt; });
  const ReadBack back = Read(file);
  EXPECT_EQ(back.issues, 0u);
  EXPECT_EQ(back.messages_by_topic.at(kBoxesTopic), 2);
  EXPECT_EQ(back.messages_by_topic.at("/camera/image_2/labels"), 2);
  ASSERT_EQ(back.logs.size(), 1u);
  EXPECT_EQ(back.logs[0].message(), "object_in_corridor (frames 3-4, peak 4): car #0 ahead");
  EXPECT_EQ(back.logs[0].name(), "ego_corridor v2");
  ASSERT_EQ(back.updates.size(), 2u);
  EXPECT_EQ(back.updates[0].entities_size(), 5);
}

TEST(McapLabels, WritesTheSourceFramesUnderTheLabels) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");
  const std::filesystem::path file = testing::ScratchDir() / "labels.mcap";
  sensors::IssueLog issues;
  WriteLabelsMcap(file, TwoFramesWithAnEvent(), [&](std::int64_t index) {
    return sensors::ReadFrameAt(drive.string(), index, issues);
  });
  EXPECT_EQ(issues.count(), 0u);
  const ReadBack back = Read(file);
  EXPECT_EQ(back.issues, 0u);
  EXPECT_EQ(back.messages_by_topic.at("/lidar/points"), 2);
  EXPECT_EQ(back.messages_by_topic.at("/camera/image_02/compressed"), 2);
  EXPECT_EQ(back.messages_by_topic.at("/camera/image_02/labels"), 2);
  EXPECT_EQ(back.messages_by_topic.at(kBoxesTopic), 2);
}

}  // namespace
}  // namespace longtail::labeling
