#include "pipeline/detectors/track_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

// Vehicle (x forward, y left, z up) -> camera (x right, y down, z forward).
Eigen::Isometry3d CameraFromVehicle() {
  Eigen::Matrix4d m;
  m << 0, -1, 0, 0,  //
      0, 0, -1, 0,   //
      1, 0, 0, 0,    //
      0, 0, 0, 1;
  return Eigen::Isometry3d(m);
}

// A car label whose box centre is at (x, y) in the vehicle frame, bottom on z = -1.73.
sensors::KittiLabel CarLabel(int frame, int id, double x, double y) {
  sensors::KittiLabel label;
  label.frame = frame;
  label.track_id = id;
  label.type = "Car";
  label.height = 1.5;
  label.width = 1.8;
  label.length = 4.5;
  label.location = {-y, 1.73, x};
  label.rotation_y = -M_PI / 2;  // heading along the camera's z, the vehicle's x
  return label;
}

Eigen::Isometry3d Pose(double x, double y, double yaw) {
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.translate(Eigen::Vector3d(x, y, 0));
  pose.rotate(Eigen::AngleAxisd(yaw, Eigen::Vector3d::UnitZ()));
  return pose;
}

std::filesystem::path WriteFile(const std::string& name, const std::string& text) {
  const auto path = longtail::testing::ScratchDir() / name;
  std::ofstream(path) << text;
  return path;
}

TEST(TrackImportTest, ReadsLabelLinesAndReportsBadOnesWithTheirOffset) {
  const std::string good = "0 1 Car 0 0 -1.57 100 150 200 250 1.5 1.8 4.5 -0.5 1.73 12 -1.57\n";
  const std::string bad = "0 2 Car 0 0 nonsense\n";
  const std::string other = "0 3 Car 0 0 -1.57 100 150 200 250 1.5 1.8 4.5 -0.5 1.73 12 -1.57\n";
  const auto path = WriteFile("0000.txt", good + bad + other);
  sensors::IssueLog issues;
  const auto labels = ReadLabel02File(path, issues);
  EXPECT_EQ(labels.size(), 2u);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].offset, good.size());
  EXPECT_EQ(issues.issues()[0].file, path.string());
}

TEST(TrackImportTest, MissingFilesThrow) {
  sensors::IssueLog issues;
  EXPECT_THROW(ReadLabel02File("/nonexistent/label.txt", issues), std::runtime_error);
  EXPECT_THROW(ReadPosesFile("/nonexistent/poses.txt", Eigen::Isometry3d::Identity(),
                             Eigen::Isometry3d::Identity(), issues),
               std::runtime_error);
}

TEST(TrackImportTest, ReadsMatrixPosesAndReportsBadLines) {
  const auto path = WriteFile("poses.txt",
                              "1 0 0 5 0 1 0 0 0 0 1 0\n"
                              "1 0 0\n"
                              "1 0 0 7 0 1 0 0 0 0 1 x\n"
                              "1 0 0 9 0 1 0 0 0 0 1 0\n");
  sensors::IssueLog issues;
  const auto poses =
      ReadPosesFile(path, Eigen::Isometry3d::Identity(), Eigen::Isometry3d::Identity(), issues);
  ASSERT_EQ(poses.size(), 4u);
  ASSERT_TRUE(poses[0]);
  EXPECT_NEAR(poses[0]->translation().x(), 5, 1e-12);
  EXPECT_FALSE(poses[1]);
  EXPECT_FALSE(poses[2]);
  ASSERT_TRUE(poses[3]);
  EXPECT_EQ(issues.count(), 2u);
}

TEST(TrackImportTest, BuildsTracksWithRelativeVelocitiesWithoutPoses) {
  TrackListInput input;
  input.camera_from_vehicle = CameraFromVehicle();
  // Car 3 approaches 1 m per frame in frames 0-2; car 4 appears in frame 4 only; a DontCare.
  input.labels = {CarLabel(0, 3, 20, 0), CarLabel(1, 3, 19, 0), CarLabel(2, 3, 18, 0),
                  CarLabel(4, 4, 10, 3)};
  sensors::KittiLabel dont_care = CarLabel(1, -1, 5, 5);
  dont_care.type = "DontCare";
  input.labels.push_back(dont_care);
  const auto frames = FrameResultsFromLabels(input);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames[1].tracks.size(), 1u);
  EXPECT_TRUE(frames[3].tracks.empty());
  const Track& middle = frames[1].tracks[0];
  EXPECT_EQ(middle.id, 3);
  EXPECT_EQ(middle.object_class, sensors::ObjectClass::kCar);
  EXPECT_NEAR(middle.box.center.x(), 19, 1e-9);
  EXPECT_NEAR(middle.box.center.z(), -1.73 + 0.75, 1e-9);
  EXPECT_NEAR(middle.box.yaw, 0, 1e-9);
  EXPECT_NEAR(middle.velocity_vehicle.x(), -10, 1e-9);
  EXPECT_EQ(middle.hits, 2);
  EXPECT_EQ(middle.age, 1);
  EXPECT_NEAR(frames[2].tracks[0].velocity_vehicle.x(), -10, 1e-9);  // one-sided at the end
  EXPECT_EQ(frames[4].tracks[0].velocity_vehicle, Eigen::Vector2d::Zero());
  EXPECT_FALSE(frames[0].ego.known);
  EXPECT_EQ(sensors::ToSeconds(frames[4].stamp - frames[0].stamp), 0.4);
}

TEST(TrackImportTest, WorldVelocitiesAndEgoMotionFromPoses) {
  TrackListInput input;
  input.camera_from_vehicle = CameraFromVehicle();
  // The ego drives 1 m per frame along the world's y axis (heading 90 deg); the car stands still
  // in the world at (0, 30).
  for (int f = 0; f < 5; ++f) input.poses.push_back(Pose(0, f * 1.0, M_PI / 2));
  for (int f = 0; f < 5; ++f) {
    const Eigen::Vector3d in_vehicle = input.poses[f]->inverse() * Eigen::Vector3d(0, 30, -0.98);
    input.labels.push_back(CarLabel(f, 7, in_vehicle.x(), in_vehicle.y()));
  }
  const auto frames = FrameResultsFromLabels(input);
  ASSERT_EQ(frames.size(), 5u);
  const EgoMotion& ego = frames[2].ego;
  EXPECT_TRUE(ego.known);
  EXPECT_NEAR(ego.speed, 10, 0.01);
  EXPECT_NEAR(ego.yaw_rate, 0, 1e-9);
  EXPECT_NEAR(ego.acceleration, 0, 1e-6);
  const Track& car = frames[2].tracks[0];
  EXPECT_NEAR(car.velocity_world.norm(), 0, 1e-6);
  EXPECT_NEAR(car.velocity_vehicle.norm(), 0, 1e-6);
}

TEST(TrackImportTest, YawRateAndBrakingFromPoses) {
  TrackListInput input;
  // Heading turns 0.02 rad per frame; the distance per frame shrinks by 0.05 m each frame. Speeds
  // and rates are fitted over 5 frames each side: frame 10 has them all.
  double x = 0;
  for (int f = 0; f < 21; ++f) {
    input.poses.push_back(Pose(x, 0, 0.02 * f));
    x += 1.0 - 0.05 * f;
  }
  const auto frames = FrameResultsFromLabels(input);
  EXPECT_NEAR(frames[10].ego.yaw_rate, 0.2, 1e-9);
  EXPECT_NEAR(frames[10].ego.acceleration, -5, 0.1);
}

}  // namespace
}  // namespace longtail::pipeline

namespace longtail::pipeline {
namespace {

TEST(TrackImportTest, TrackListOptionsLeaveOutSensorHealthUnlessAsked) {
  const proto::DetectorsOptions defaults = ForTrackLists({});
  const auto& enabled = defaults.enabled();
  EXPECT_EQ(std::find(enabled.begin(), enabled.end(), "lidar_health"), enabled.end());
  EXPECT_EQ(std::find(enabled.begin(), enabled.end(), "sudden_appearance"), enabled.end());
  EXPECT_NE(std::find(enabled.begin(), enabled.end(), "ego_corridor"), enabled.end());
  EXPECT_EQ(defaults.sudden_appearance().min_points(), 0);
  proto::DetectorsOptions asked;
  asked.add_enabled("lidar_health");
  asked.mutable_sudden_appearance()->set_min_points(5);
  const proto::DetectorsOptions kept = ForTrackLists(asked);
  EXPECT_EQ(kept.enabled_size(), 1);
  EXPECT_EQ(kept.sudden_appearance().min_points(), 5);
}

TEST(TrackImportTest, FrameNumbersFarBeyondTheOthersAndRepeatedTracksAreReportedNotAllocated) {
  const std::string car = " Car 0 0 -1.57 100 150 200 250 1.5 1.8 4.5 -0.5 1.73 12 -1.57\n";
  const std::string first = "0 1" + car, far = "30000000 1" + car, again = "0 1" + car,
                    later = "5 1" + car;
  const auto path = WriteFile("far.txt", first + far + again + later);
  sensors::IssueLog issues;
  const auto labels = ReadLabel02File(path, issues);
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[1].frame, 5);
  ASSERT_EQ(issues.count(), 2u);
  EXPECT_EQ(issues.issues()[0].offset, first.size());
  EXPECT_NE(issues.issues()[0].reason.find("frame 30000000 is more than 3000 frames after"),
            std::string::npos);
  EXPECT_EQ(issues.issues()[1].offset, first.size() + far.size());
  EXPECT_NE(issues.issues()[1].reason.find("track 1 appears twice in frame 0"), std::string::npos);
}

TEST(TrackImportTest, APoseThatIsNotARotationIsReportedAndLeftUnknown) {
  const std::string identity = "1 0 0 0 0 1 0 0 0 0 1 0\n", scaled = "2 0 0 0 0 1 0 0 0 0 1 0\n";
  const auto path = WriteFile("poses.txt", identity + scaled + identity);
  sensors::IssueLog issues;
  const auto poses =
      ReadPosesFile(path, Eigen::Isometry3d::Identity(), Eigen::Isometry3d::Identity(), issues);
  ASSERT_EQ(poses.size(), 3u);
  EXPECT_TRUE(poses[0] && poses[2]);
  EXPECT_FALSE(poses[1]);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].offset, identity.size());
  EXPECT_NE(issues.issues()[0].reason.find("not a rotation"), std::string::npos);
}

TEST(TrackImportTest, ALabelAfterTheLastPoseIsReportedAndLeftOut) {
  const auto dir = longtail::testing::ScratchDir();
  const auto calib = dir / "calib.txt", tracks = dir / "tracks.txt", poses = dir / "poses.txt";
  std::ofstream(calib) << "P2: 721 0 609 44 0 721 172 0.2 0 0 1 0.003\n"
                          "R0_rect: 1 0 0 0 1 0 0 0 1\n"
                          "Tr_velo_to_cam: 0 -1 0 0 0 0 -1 -0.08 1 0 0 -0.27\n";
  const std::string car = " Car 0 0 -1.57 100 150 200 250 1.5 1.8 4.5 -0.5 1.73 12 -1.57\n";
  std::ofstream(tracks) << "0 1" + car + "1 1" + car + "4 1" + car;
  std::ofstream(poses) << "1 0 0 0 0 1 0 0 0 0 1 0\n1 0 0 0 0 1 0 0 0 0 1 1\n";
  sensors::IssueLog issues;
  const TrackListInput input = LoadTrackList(tracks, calib, poses, 10.0, issues);
  EXPECT_EQ(input.labels.size(), 2u);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].file, tracks.string());
  EXPECT_NE(issues.issues()[0].reason.find("frame 4 (track 1) is after the log's last frame 1"),
            std::string::npos);
  EXPECT_EQ(FrameResultsFromLabels(input).size(), 2u);
}

TEST(TrackImportTest, FrameStampsAreNanosecondsOrKittiStampsAndBadLinesAreReported) {
  const std::filesystem::path file = longtail::testing::ScratchDir() / "timestamps.txt";
  std::ofstream(file) << "1317042504967930880\n2011-09-26 13:08:25.000000000\nsoon\n";
  sensors::IssueLog issues;
  const auto stamps = ReadFrameStamps(file, issues);
  ASSERT_EQ(stamps.size(), 3u);
  EXPECT_EQ(sensors::ToNanos(*stamps[0]), 1317042504967930880);
  ASSERT_TRUE(stamps[1]);
  EXPECT_EQ(*stamps[1], *sensors::ParseKittiTimestamp("2011-09-26 13:08:25.000000000"));
  EXPECT_FALSE(stamps[2]);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_EQ(issues.issues()[0].file, file.string());
  EXPECT_EQ(issues.issues()[0].offset, 20u + 30u);  // the third line
  EXPECT_THROW(ReadFrameStamps(file.parent_path() / "none.txt", issues), std::runtime_error);
}

TEST(TrackImportTest, SampleDriveStoppedCarIsOneSevereEpisodeWithEgoMotionFromOxts) {
  // The bundled synthetic drive: the ego approaches a car stopped 22 m ahead at 11 m/s without
  // braking. Stopping 2 m short of it takes 3.8 m/s^2 at the first frame and more after.
  const std::filesystem::path date =
      std::filesystem::path(LONGTAIL_SOURCE_DIR) / "sample_logs" / "kitti" / "2026_01_01";
  const std::filesystem::path drive = date / "2026_01_01_drive_0001_sync";
  if (!std::filesystem::exists(drive / "label_02.txt")) GTEST_SKIP() << "no sample drive";
  sensors::IssueLog issues;
  const auto frames = FrameResultsFromLabels(
      LoadTrackList(drive / "label_02.txt", date, drive / "oxts" / "data", 10.0, issues));
  EXPECT_EQ(issues.count(), 0u);
  ASSERT_GE(frames.size(), 10u);
  EXPECT_TRUE(frames[5].ego.known);
  EXPECT_NEAR(frames[5].ego.speed, 11.0, 0.2);
  proto::RunOptions options;
  *options.mutable_detectors() = ForTrackLists({});
  const OfflineDetection detection = DetectOffline(frames, options);
  std::vector<Event> stopped_car;
  for (const Event& e : detection.episodes) {
    if (e.type == "object_in_corridor" && e.track_ids == std::vector<int>{1}) {
      stopped_car.push_back(e);
    }
  }
  ASSERT_EQ(stopped_car.size(), 1u);  // one episode, not one event per frame
  EXPECT_LT(stopped_car[0].first_frame, 3);
  EXPECT_EQ(stopped_car[0].last_frame, static_cast<std::int64_t>(frames.size()) - 1);
  // The closer it gets at the same speed, the harder the stop: the peak is where severity first
  // reaches 1, not the first frame.
  EXPECT_GT(stopped_car[0].peak_frame, stopped_car[0].first_frame);
  EXPECT_GT(stopped_car[0].values.at("required_deceleration_mps2"), 3.0);
  EXPECT_GE(stopped_car[0].severity, 0.5);
  EXPECT_EQ(detection.windows.size(), 1u);
}

}  // namespace
}  // namespace longtail::pipeline
