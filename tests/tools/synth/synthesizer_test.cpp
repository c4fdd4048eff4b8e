#include "tools/synth/synthesizer.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <numbers>

#include "sensors/image.h"
#include "sensors/kitti/kitti_raw_reader.h"
#include "sensors/log_reader.h"
#include "tests/test_support.h"
#include "tools/synth/camera.h"
#include "tools/synth/lidar.h"

namespace longtail::tools::synth {
namespace {

namespace fs = std::filesystem;

proto::Scenario Parse(const std::string& text) {
  proto::Scenario scenario;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &scenario)) << text;
  return scenario;
}

// A short street with one of each kind of actor; small sensors so each test runs quickly.
const char kStreet[] = R"pb(
  name: "street"
  duration_s: 0.3
  road { lanes_left: 1 lanes_right: 1 }
  ego { speed_mps { value: 5 } }
  actors {
    id: 1
    class: "Car"
    x_m { value: 18 }
    y_m { value: 0 }
    speed_mps { value: 3 }
  }
  actors {
    id: 2
    class: "Pedestrian"
    x_m { value: 12 }
    y_m { value: 4 }
    heading_deg { value: -90 }
    speed_mps { value: 1.5 }
  }
  actors {
    id: 3
    class: "Van"
    x_m { value: 25 }
    y_m { value: -3.5 }
  }
  actors {
    id: 4
    class: "Cyclist"
    x_m { value: 14 }
    y_m { value: -2.5 }
    speed_mps { value: 4 }
  }
  actors {
    id: 5
    class: "Misc"
    x_m { value: 9 }
    y_m { value: 1 }
  }
  actors {
    id: 6
    class: "Truck"
    x_m { value: 35 }
    y_m { value: 3.5 }
    heading_deg { value: 180 }
  }
  camera { width: 621 height: 188 }
)pb";

std::string Bytes(const sensors::Frame& frame) {
  std::string bytes(reinterpret_cast<const char*>(frame.lidar.points.data()),
                    frame.lidar.points.size() * sizeof(sensors::LidarPoint));
  const auto& image = *frame.cameras.at(0).image.data;
  bytes.append(image.begin(), image.end());
  return bytes;
}

TEST(SynthesizerTest, SameSeedGivesTheSameBytesAndAnotherSeedDoesNot) {
  proto::Scenario scenario = Parse(kStreet);
  scenario.mutable_actors(0)->mutable_x_m()->Clear();
  scenario.mutable_actors(0)->mutable_x_m()->set_min(15);
  scenario.mutable_actors(0)->mutable_x_m()->set_max(25);
  const Synthesizer a(scenario, 7), b(scenario, 7), c(scenario, 8);
  const std::string first = Bytes(a.Synthesize(1).frame);
  EXPECT_EQ(first, Bytes(b.Synthesize(1).frame));
  EXPECT_EQ(first, Bytes(a.Synthesize(1).frame));  // pure: asking again changes nothing
  EXPECT_NE(first, Bytes(c.Synthesize(1).frame));
  EXPECT_NE(a.Synthesize(1).truth.actors[0].box.center.x(),
            c.Synthesize(1).truth.actors[0].box.center.x());
}

TEST(SynthesizerTest, RangesAreDrawnInsideTheirBounds) {
  proto::Scenario scenario = Parse(kStreet);
  scenario.mutable_actors(0)->mutable_x_m()->Clear();
  scenario.mutable_actors(0)->mutable_x_m()->set_min(15);
  scenario.mutable_actors(0)->mutable_x_m()->set_max(25);
  double low = 1e9, high = -1e9;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Scene scene(scenario, seed);
    const double x = scene.ActorBoxAt(scene.actors()[0], 0).center.x();
    low = std::min(low, x);
    high = std::max(high, x);
  }
  EXPECT_GE(low, 15.0);
  EXPECT_LE(high, 25.0);
  EXPECT_GT(high - low, 3.0);  // twenty seeds spread over the range
}

TEST(SynthesizerTest, ActorHitsLieInsideTheirGroundTruthBoxes) {
  proto::Scenario scenario = Parse(kStreet);
  // Without the rolling shutter every firing sees the world at the stamp, as the boxes do.
  scenario.mutable_lidar()->set_rolling_shutter(false);
  const Synthesizer synthesizer(scenario, 3);
  for (std::int64_t index = 0; index < synthesizer.frame_count(); ++index) {
    const SyntheticFrame frame = synthesizer.Synthesize(index);
    for (std::size_t k = 0; k < frame.truth.actors.size(); ++k) {
      const sensors::LabeledBox& actor = frame.truth.actors[k];
      int hits = 0, inside = 0;
      for (std::size_t i = 0; i < frame.frame.lidar.points.size(); ++i) {
        if (frame.point_track_ids[i] != actor.track_id) continue;
        const sensors::LidarPoint& p = frame.frame.lidar.points[i];
        ++hits;
        inside += sensors::Contains(actor.box, Eigen::Vector3d(p.x, p.y, p.z));
      }
      EXPECT_EQ(hits, frame.truth.lidar_points[k]);
      if (actor.track_id != 6) {  // the truck far ahead may be hidden
        EXPECT_GT(hits, 20) << "actor " << actor.track_id;
      }
      EXPECT_GE(inside, 0.99 * hits) << "actor " << actor.track_id << " frame " << index;
    }
  }
}

TEST(SynthesizerTest, RollingScanDisplacesASideObjectByTheEgoMotion) {
  // A person standing 90 deg to the left is scanned a quarter turn (25 ms) before the stamp, when
  // the ego was 10 m/s * 25 ms = 0.25 m behind: the points appear 0.25 m further ahead. (A narrow
  // object: along a long flat side the cloud looks the same, only its ends move.)
  const char text[] = R"pb(
    duration_s: 0.1
    ego { speed_mps { value: 10 } }
    actors {
      id: 1
      class: "Pedestrian"
      x_m { value: 0 }
      y_m { value: 5 }
    }
  )pb";
  proto::Scenario scenario = Parse(text);
  const auto mean_offset = [](const SyntheticFrame& frame) {
    double sum = 0;
    int n = 0;
    for (std::size_t i = 0; i < frame.frame.lidar.points.size(); ++i) {
      if (frame.point_track_ids[i] != 1) continue;
      sum += frame.frame.lidar.points[i].x - frame.truth.actors[0].box.center.x();
      ++n;
    }
    return sum / std::max(n, 1);
  };
  const double rolling = mean_offset(Synthesizer(scenario, 1).Synthesize(0));
  scenario.mutable_lidar()->set_rolling_shutter(false);
  const double global = mean_offset(Synthesizer(scenario, 1).Synthesize(0));
  EXPECT_NEAR(rolling - global, 0.25, 0.05);
}

TEST(SynthesizerTest, ProjectedBoxesEncloseTheActorsPixels) {
  const Synthesizer synthesizer(Parse(kStreet), 5);
  const sensors::CameraModel& camera = synthesizer.calibration()->cameras.front();
  const SyntheticFrame frame = synthesizer.Synthesize(1, /*with_pixel_track_ids=*/true);
  ASSERT_EQ(frame.pixel_track_ids.size(), std::size_t(camera.width) * camera.height);
  int actors_seen = 0;
  for (const sensors::LabeledBox& actor : frame.truth.actors) {
    double left = 1e9, top = 1e9, right = -1e9, bottom = -1e9;
    for (const Eigen::Vector3d& corner : sensors::Corners(actor.box)) {
      const Eigen::Vector3d pixel =
          camera.projection * (camera.camera_from_vehicle * corner).homogeneous();
      ASSERT_GT(pixel.z(), 0) << "actor " << actor.track_id << " reaches behind the camera";
      left = std::min(left, pixel.x() / pixel.z());
      right = std::max(right, pixel.x() / pixel.z());
      top = std::min(top, pixel.y() / pixel.z());
      bottom = std::max(bottom, pixel.y() / pixel.z());
    }
    int pixels = 0, outside = 0;
    for (int v = 0; v < camera.height; ++v) {
      for (int u = 0; u < camera.width; ++u) {
        if (frame.pixel_track_ids[std::size_t(v) * camera.width + u] != actor.track_id) continue;
        ++pixels;
        outside += u < left - 1 || u > right + 1 || v < top - 1 || v > bottom + 1;
      }
    }
    actors_seen += pixels > 0;
    EXPECT_EQ(outside, 0) << "actor " << actor.track_id << ": " << outside << " of " << pixels;
  }
  EXPECT_GE(actors_seen, 5);
}

TEST(SynthesizerTest, ScansHaveTheHdl64Layout) {
  const Synthesizer synthesizer(Parse(kStreet), 1);
  const SyntheticFrame frame = synthesizer.Synthesize(0);
  EXPECT_EQ(Hdl64ElevationsDeg().size(), 64u);
  EXPECT_GT(frame.frame.lidar.points.size(), 80000u);
  EXPECT_EQ(frame.point_track_ids.size(), frame.frame.lidar.points.size());
  for (const sensors::LidarPoint& p : frame.frame.lidar.points) {
    const double range = std::sqrt(p.x * p.x + p.y * p.y + p.z * p.z);
    ASSERT_GE(range, 2.5 - 0.05);
    ASSERT_LE(range, 80.0 + 0.05);
    ASSERT_GE(p.intensity, 0.0f);
    ASSERT_LE(p.intensity, 1.0f);
  }
  EXPECT_EQ(frame.frame.lidar.stamp, synthesizer.scene().FrameStamp(0));
  EXPECT_EQ(frame.frame.cameras.at(0).image.format, "png");
  ASSERT_TRUE(frame.frame.ego.has_value());
  EXPECT_NEAR(frame.frame.ego->world_from_vehicle.translation().z(), 1.73, 1e-9);
}

TEST(SynthesizerTest, GroundFollowsASlopeAheadAndTheCurbs) {
  // Flat up to 20 m, then 10 % uphill; the ego stands still on the flat part.
  const char text[] = R"pb(
    duration_s: 0.1
    road { lanes_left: 1 lanes_right: 1 slope: 0.1 slope_start_m: 20 buildings: false }
    ego { speed_mps { value: 0 } }
    lidar { range_noise_m: 0 }
  )pb";
  const Synthesizer synthesizer(Parse(text), 1);
  const SyntheticFrame frame = synthesizer.Synthesize(0);
  int flat = 0, uphill = 0, sidewalk = 0;
  for (const sensors::LidarPoint& p : frame.frame.lidar.points) {
    if (std::abs(p.y) < 1.5 && p.x > 5 && p.x < 15) {
      EXPECT_NEAR(p.z, -1.73, 1e-3);
      ++flat;
    } else if (std::abs(p.y) < 1.5 && p.x > 25 && p.x < 60) {
      EXPECT_NEAR(p.z, -1.73 + 0.1 * (p.x - 20), 1e-3);
      ++uphill;
    } else if (p.y > 6 && p.y < 7.5 && p.x > 3 && p.x < 15) {
      EXPECT_NEAR(p.z, -1.73 + 0.15, 1e-3);  // the sidewalk, one curb higher
      ++sidewalk;
    }
  }
  EXPECT_GT(flat, 500);
  EXPECT_GT(uphill, 300);
  EXPECT_GT(sidewalk, 100);
}

TEST(SynthesizerTest, BehavioursChangeSpeedAndLaneWhenTriggered) {
  const char text[] = R"pb(
    duration_s: 4
    ego { speed_mps { value: 10 } }
    actors {
      id: 1
      class: "Car"
      x_m { value: 20 }
      speed_mps { value: 10 }
      behaviours {
        name: "brake"
        at_s { value: 1 }
        target_speed_mps { value: 0 }
        acceleration_mps2 { value: 8 }
      }
    }
    actors {
      id: 2
      class: "Car"
      x_m { value: 30 }
      y_m { value: 3.5 }
      speed_mps { value: 8 }
      behaviours {
        name: "cut_in"
        within_m { value: 28 }
        target_y_m { value: 0 }
        lateral_speed_mps { value: 1.5 }
      }
    }
  )pb";
  const Scene scene(Parse(text), 1);
  const ActorSpec& braking = scene.actors()[0];
  ASSERT_TRUE(braking.first_behaviour_s.has_value());
  EXPECT_NEAR(*braking.first_behaviour_s, 1.0, 0.01);
  EXPECT_NEAR(scene.ActorBoxAt(braking, 1.0).center.x(), 30.0, 0.05);
  // 10 m/s at 8 m/s^2 stops in 1.25 s: from 2.25 s on it stands still, 6.25 m further on.
  EXPECT_NEAR(scene.ActorBoxAt(braking, 2.3).center.x(), 36.25, 0.05);
  EXPECT_NEAR(scene.ActorBoxAt(braking, 3.5).center.x(), 36.25, 0.05);

  // The ego closes in at 2 m/s from 30 m; the cut-in fires at 28 m (dx = 27.8 m, t = 1.1 s) and
  // reaches the ego lane 3.5 m / 1.5 m/s = 2.3 s later, the body turned towards it meanwhile.
  const ActorSpec& cutting = scene.actors()[1];
  ASSERT_TRUE(cutting.first_behaviour_s.has_value());
  EXPECT_NEAR(*cutting.first_behaviour_s, 1.1, 0.02);
  EXPECT_NEAR(scene.ActorBoxAt(cutting, 1.0).center.y(), 3.5, 1e-9);
  EXPECT_NEAR(scene.ActorBoxAt(cutting, 2.0).yaw, std::atan2(-1.5, 8.0), 0.01);
  EXPECT_NEAR(scene.ActorBoxAt(cutting, 3.9).center.y(), 0.0, 1e-9);
  EXPECT_NEAR(scene.ActorBoxAt(cutting, 3.9).yaw, 0.0, 1e-9);
}

TEST(SynthesizerTest, WaypointsAreFollowedOnTime) {
  const char text[] = R"pb(
    duration_s: 4
    actors {
      id: 1
      class: "Pedestrian"
      waypoints {
        t_s { value: 1 }
        x_m { value: 20 }
        y_m { value: -4 }
      }
      waypoints {
        t_s { value: 3 }
        x_m { value: 20 }
        y_m { value: 2 }
      }
      waypoints {
        t_s { value: 3.5 }
        x_m { value: 21 }
        y_m { value: 2 }
      }
    }
  )pb";
  const Scene scene(Parse(text), 1);
  const ActorSpec& walker = scene.actors()[0];
  EXPECT_NEAR(*walker.first_behaviour_s, 1.0, 1e-9);
  EXPECT_NEAR(scene.ActorBoxAt(walker, 0.5).center.y(), -4, 1e-9);  // waits at the first one
  EXPECT_NEAR(scene.ActorBoxAt(walker, 2.0).center.y(), -1, 1e-6);  // halfway, 3 m/s
  EXPECT_NEAR(scene.ActorBoxAt(walker, 2.0).yaw, std::numbers::pi / 2, 1e-6);
  EXPECT_NEAR(scene.ActorBoxAt(walker, 3.25).center.x(), 20.5, 1e-6);
  EXPECT_NEAR(scene.ActorBoxAt(walker, 3.9).center.x(), 21, 1e-9);  // stays at the last one
  proto::Scenario backwards = Parse(text);
  backwards.mutable_actors(0)->mutable_waypoints(1)->mutable_t_s()->set_value(0.5);
  EXPECT_THROW(Scene(backwards, 1), std::invalid_argument);
}

TEST(SynthesizerTest, ExpectedEventsFollowTheirAnchorAndFaults) {
  const char text[] = R"pb(
    name: "brake"
    duration_s: 3
    actors {
      id: 1
      class: "Car"
      x_m { value: 20 }
      speed_mps { value: 8 }
      behaviours {
        at_s { min: 0.5 max: 1.5 }
        target_speed_mps { value: 0 }
        acceleration_mps2 { value: 7 }
      }
    }
    events { type: "hard_brake" actor_ids: 1 anchor_actor_id: 1 start_s: 0 end_s: 1 }
    faults {
      kind: LIDAR_DROPOUT
      start_s { value: 2 }
      end_s { value: 2.5 }
      fraction: 1
      event_type: "lidar_dropout"
    }
  )pb";
  const Synthesizer synthesizer(Parse(text), 11);
  const GroundTruth truth = synthesizer.TruthWithoutFrames();
  EXPECT_EQ(truth.scenario, "brake");
  EXPECT_EQ(truth.seed, 11u);
  ASSERT_EQ(truth.events.size(), 2u);
  const double fired = *synthesizer.scene().actors()[0].first_behaviour_s;
  EXPECT_EQ(truth.events[0].type, "hard_brake");
  EXPECT_EQ(truth.events[0].first_frame, std::llround(std::ceil(fired * 10 - 1e-9)));
  EXPECT_EQ(truth.events[0].last_frame, std::llround(std::floor((fired + 1) * 10 + 1e-9)));
  EXPECT_EQ(truth.events[0].track_ids, std::vector<int>{1});
  EXPECT_EQ(truth.events[1].type, "lidar_dropout");
  EXPECT_EQ(truth.events[1].first_frame, 20);
  EXPECT_EQ(truth.events[1].last_frame, 25);
  // The dropout empties the scans inside its window and only those.
  EXPECT_TRUE(synthesizer.Synthesize(22).frame.lidar.points.empty());
  EXPECT_FALSE(synthesizer.Synthesize(19).frame.lidar.points.empty());
}

TEST(SynthesizerTest, CameraFaultsFreezeDarkenAndBlur) {
  const char text[] = R"pb(
    duration_s: 0.6
    ego { speed_mps { value: 10 } }
    camera { width: 311 height: 94 }
    faults {
      kind: CAMERA_FREEZE
      start_s { value: 0.25 }
      end_s { value: 0.45 }
    }
    faults {
      kind: CAMERA_EXPOSURE
      start_s { value: 0.5 }
      gain: 0.2
    }
  )pb";
  const Synthesizer synthesizer(Parse(text), 1);
  const auto image = [&](int i) { return *synthesizer.Synthesize(i).frame.cameras[0].image.data; };
  EXPECT_EQ(image(3), image(2));  // frozen on the last image before 0.25 s
  EXPECT_EQ(image(4), image(2));
  EXPECT_NE(image(1), image(2));
  const auto mean = [&](int i) {
    const auto decoded = sensors::DecodeImage(synthesizer.Synthesize(i).frame.cameras[0].image);
    double sum = 0;
    for (std::uint8_t v : decoded->pixels) sum += v;
    return sum / decoded->pixels.size();
  };
  EXPECT_LT(mean(5), 0.7 * mean(1));
}

TEST(SynthesizerTest, BadScenariosAreRejectedWithTheField) {
  const auto message = [](const std::string& text) -> std::string {
    try {
      Synthesizer(Parse(text), 1);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(message(R"pb(actors { class: "Cow" })pb").find("Cow"), std::string::npos);
  EXPECT_NE(message(R"pb(actors { x_m { min: 5 max: 1 } })pb").find("actors.x_m"),
            std::string::npos);
  EXPECT_NE(message(R"pb(ego { speed_mps { min: 5 } })pb").find("ego.speed_mps"),
            std::string::npos);
  EXPECT_NE(message("duration_s: 0").find("duration_s"), std::string::npos);
  EXPECT_NE(message(R"pb(actors { id: 2 }
                         actors { id: 2 })pb")
                .find("id 2"),
            std::string::npos);
  EXPECT_NE(message(R"pb(camera { format: "bmp" })pb").find("bmp"), std::string::npos);
  EXPECT_NE(message(R"pb(events { type: "x" anchor_actor_id: 9 })pb").find("9"), std::string::npos);
}

TEST(SynthesizerTest, ReadScenarioNamesTheBadLine) {
  const fs::path dir = testing::ScratchDir();
  std::ofstream(dir / "bad.pbtxt") << "duration_s: 1\nno_such_field: 3\n";
  try {
    ReadScenario(dir / "bad.pbtxt");
    FAIL() << "an unknown field was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bad.pbtxt:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ReadScenario(dir / "absent.pbtxt"), std::invalid_argument);
  std::ofstream(dir / "unnamed.pbtxt") << "duration_s: 1\n";
  EXPECT_EQ(ReadScenario(dir / "unnamed.pbtxt").name(), "unnamed");
}

TEST(SynthesizerTest, WrittenKittiLogReadsBackWithItsGroundTruth) {
  const fs::path dir = testing::ScratchDir();
  const Synthesizer synthesizer(Parse(kStreet), 2);
  const fs::path drive = WriteSyntheticLog(synthesizer, {.directory = dir / "a"});
  EXPECT_EQ(drive, dir / "a" / "2026_01_01" / "2026_01_01_drive_0001_sync");
  const GroundTruth truth = ReadGroundTruth(GroundTruthPathForLog(drive));
  ASSERT_EQ(std::int64_t(truth.frames.size()), synthesizer.frame_count());
  EXPECT_TRUE(fs::exists(drive / "label_02.txt"));

  sensors::IssueLog issues;
  const auto reader = sensors::KittiRawLogFormat().open(drive.string(), issues);
  std::int64_t frames = 0;
  while (const auto frame = reader->Next()) {
    const SyntheticFrame expected = synthesizer.Synthesize(frames);
    EXPECT_EQ(frame->lidar.points.size(), expected.frame.lidar.points.size());
    EXPECT_EQ(frame->lidar.stamp, truth.frames[frames].stamp);
    ASSERT_EQ(frame->cameras.size(), 1u);
    ASSERT_TRUE(frame->ego.has_value());
    EXPECT_NEAR(frame->ego->world_from_vehicle.translation().x(),
                expected.frame.ego->world_from_vehicle.translation().x(), 1e-3);
    ++frames;
  }
  EXPECT_EQ(frames, synthesizer.frame_count());
  EXPECT_EQ(issues.count(), 0u);

  // Writing again gives the same bytes, file for file.
  const fs::path again = WriteSyntheticLog(synthesizer, {.directory = dir / "b"});
  std::size_t compared = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "a")) {
    if (!entry.is_regular_file()) continue;
    const fs::path twin = dir / "b" / fs::relative(entry.path(), dir / "a");
    std::ifstream x(entry.path(), std::ios::binary), y(twin, std::ios::binary);
    const std::string bx((std::istreambuf_iterator<char>(x)), {}),
        by((std::istreambuf_iterator<char>(y)), {});
    EXPECT_EQ(bx, by) << entry.path();
    ++compared;
  }
  EXPECT_GT(compared, 10u);
}

TEST(SynthesizerTest, WrittenMcapLogReadsBackWithItsGroundTruth) {
  const fs::path dir = testing::ScratchDir();
  const Synthesizer synthesizer(Parse(kStreet), 4);
  const fs::path log = WriteSyntheticLog(synthesizer, {.directory = dir / "a", .format = "mcap"});
  EXPECT_EQ(log, dir / "a" / "2026_01_01_drive_0001.mcap");
  EXPECT_EQ(ReadGroundTruth(dir / "a" / "2026_01_01_drive_0001.ground_truth.json").frames.size(),
            std::size_t(synthesizer.frame_count()));
  EXPECT_TRUE(fs::exists(dir / "a" / "2026_01_01_drive_0001.label_02.txt"));
  sensors::IssueLog issues;
  const auto reader = sensors::OpenLog(log.string(), issues);
  EXPECT_EQ(reader->info().format, "mcap");
  std::int64_t frames = 0;
  while (const auto frame = reader->Next()) {
    EXPECT_EQ(frame->lidar.points.size(), synthesizer.Synthesize(frames).frame.lidar.points.size());
    EXPECT_EQ(frame->cameras.size(), 1u);
    ++frames;
  }
  EXPECT_EQ(frames, synthesizer.frame_count());
  EXPECT_EQ(issues.count(), 0u);
  const fs::path again = WriteSyntheticLog(synthesizer, {.directory = dir / "b", .format = "mcap"});
  std::ifstream x(log, std::ios::binary), y(again, std::ios::binary);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(x)), {}),
            std::string((std::istreambuf_iterator<char>(y)), {}));
}

TEST(SynthesizerTest, UnknownFormatIsRejected) {
  const Synthesizer synthesizer(Parse("duration_s: 0.1"), 1);
  EXPECT_THROW(
      WriteSyntheticLog(synthesizer, {.directory = testing::ScratchDir(), .format = "rosbag"}),
      std::invalid_argument);
}

}  // namespace
}  // namespace longtail::tools::synth
