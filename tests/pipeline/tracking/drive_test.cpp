// Tracking on real drives without oxts: perception, lidar ego motion and the tracker together.
#include <gtest/gtest.h>

#include <map>

#include "pipeline/ego_motion/ego_motion.h"
#include "pipeline/perception/perceive.h"
#include "pipeline/tracking/tracker.h"
#include "sensors/log_reader.h"
#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

// Drive 0052: a car stopped (or creeping) about 8-10 m ahead in the ego lane for all 30 frames.
TEST(TrackerOnDrive0052, KeepsOneIdForTheCarAheadAcrossAllFrames) {
  LONGTAIL_REQUIRE_DATA(drive, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync");
  sensors::IssueLog issues;
  auto reader = sensors::OpenLog(drive.string(), issues);
  EgoMotionEstimator ego{proto::EgoMotionOptions()};
  Tracker tracker{proto::TrackerOptions()};
  std::map<int, int> frames_ahead_by_id;  // track id -> frames it was the car right ahead
  int frames = 0;
  while (auto frame = reader->Next()) {
    ++frames;
    const Perception perception = Perceive(*frame, proto::PerceptionOptions());
    const EgoMotion motion = ego.Update(*frame, perception);
    for (const Track& track : tracker.Update(frame->lidar.stamp, perception.objects, motion)) {
      const Eigen::Vector3d& c = track.box.center;
      if (sensors::IsVehicle(track.object_class) && c.x() > 5 && c.x() < 12 &&
          std::abs(c.y()) < 1.5) {
        ++frames_ahead_by_id[track.id];
        EXPECT_LT(track.velocity_world.norm(), 4.0) << "frame " << frame->index;
      }
    }
  }
  EXPECT_EQ(frames, 30);
  ASSERT_EQ(frames_ahead_by_id.size(), 1u);           // one id ...
  EXPECT_GE(frames_ahead_by_id.begin()->second, 28);  // ... from the second frame on
}

}  // namespace
}  // namespace longtail::pipeline
