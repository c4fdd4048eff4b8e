#include "labeling/review/review_json.h"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

namespace longtail::labeling::review {
namespace {

using nlohmann::json;

json Box() {
  return {{"x", 1.5},      {"y", -2},    {"z", 0.25},          {"length", 4},   {"width", 2},
          {"height", 1.5}, {"yaw", 4.0}, {"class", "cyclist"}, {"track_id", -1}};
}

TEST(BoxFromJson, ReadsEveryFieldAndWrapsYaw) {
  const auto box = BoxFromJson(Box(), proto::ReviewServerOptions());
  EXPECT_EQ(box.box.center, Eigen::Vector3d(1.5, -2, 0.25));
  EXPECT_EQ(box.box.length, 4);
  EXPECT_NEAR(box.box.yaw, 4.0 - 2 * M_PI, 1e-12);
  EXPECT_EQ(box.object_class, sensors::ObjectClass::kCyclist);
  EXPECT_EQ(box.track_id, -1);
  EXPECT_EQ(box.score, 1.0);
}

TEST(BoxFromJson, RoundTripsThroughBoxToJson) {
  const auto box = BoxFromJson(Box(), proto::ReviewServerOptions());
  const auto again = BoxFromJson(BoxToJson(box), proto::ReviewServerOptions());
  EXPECT_EQ(again.box.center, box.box.center);
  EXPECT_EQ(again.box.yaw, box.box.yaw);
  EXPECT_EQ(again.object_class, box.object_class);
}

TEST(BoxFromJson, RefusesZeroHeight) {
  json b = Box();
  b["height"] = 0;
  try {
    BoxFromJson(b, proto::ReviewServerOptions());
    FAIL() << "accepted a zero height";
  } catch (const RequestError& e) {
    EXPECT_EQ(e.status(), 400);
  }
}

TEST(PointsToBytes, MovesPointsIntoTheVehicleFrame) {
  sensors::Frame frame;
  auto calibration = std::make_shared<sensors::Calibration>();
  calibration->vehicle_from_lidar = Eigen::Translation3d(0, 0, 1.5) * Eigen::Isometry3d::Identity();
  frame.calibration = calibration;
  frame.lidar.points = {{1, 2, 3, 0.5f}};
  const std::string bytes = PointsToBytes(frame);
  ASSERT_EQ(bytes.size(), 16u);
  float values[4];
  std::memcpy(values, bytes.data(), 16);
  EXPECT_EQ(values[0], 1);
  EXPECT_EQ(values[2], 4.5f);
  EXPECT_EQ(values[3], 0.5f);
}

TEST(FrameToJson, GivesTheRoadHeightFromTheLogsMountingHeight) {
  sensors::Frame frame;
  EXPECT_TRUE(FrameToJson(1, frame).at("ground_z").is_null());
  auto calibration = std::make_shared<sensors::Calibration>();
  calibration->vehicle_from_lidar = Eigen::Translation3d(0, 0, 1.2) * Eigen::Isometry3d::Identity();
  calibration->lidar_height_m = 1.55;
  frame.calibration = calibration;
  EXPECT_NEAR(FrameToJson(1, frame).at("ground_z").get<double>(), -0.35, 1e-9);
}

TEST(ParseClaimRef, NeedsAnIntegerClaimId) {
  EXPECT_THROW(ParseClaimRef(R"({"claim_id": 1.5, "reviewer": "a"})"), RequestError);
  EXPECT_THROW(ParseClaimRef(R"({"reviewer": "a"})"), RequestError);
  EXPECT_EQ(ParseClaimRef(R"({"claim_id": 3, "reviewer": "a", "reason": "r"})").reason, "r");
}

}  // namespace
}  // namespace longtail::labeling::review
