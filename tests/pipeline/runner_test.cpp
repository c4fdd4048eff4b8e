#include "pipeline/runner.h"

#include <gtest/gtest.h>

#include <set>

#include "pipeline/options.h"

namespace longtail::pipeline {
namespace {

// A log of `count` frames whose lidar scans are empty from frame `first_empty` on: the lidar health
// detector flags each empty one, so the flagged frames show which frames the runner judged. The
// frames before hold a patch of ground, so that nothing is flagged there and the runner drops them
// from its history as it goes (what it does on a long, quiet log).
class EmptyScans : public sensors::LogReader {
 public:
  EmptyScans(std::int64_t count, std::int64_t first_empty)
      : count_(count), first_empty_(first_empty) {
    info_.log_id = "empty";
  }
  const sensors::LogInfo& info() const override { return info_; }
  std::optional<sensors::Frame> Next() override {
    if (next_ == count_) return std::nullopt;
    sensors::Frame frame;
    frame.index = next_;
    frame.lidar.stamp = sensors::Timestamp(sensors::FromSeconds(0.1 * double(next_)));
    for (int i = 0; next_ < first_empty_ && i < 400; ++i) {
      frame.lidar.points.push_back(
          {5.0f + 0.1f * float(i % 20), -1.0f + 0.1f * float(i / 20), -1.7f, 0.3f});
    }
    ++next_;
    return frame;
  }

 private:
  sensors::LogInfo info_;
  std::int64_t count_, first_empty_, next_ = 0;
};

std::set<std::int64_t> FlaggedFrames(std::int64_t frames, std::int64_t first_empty,
                                     int lookahead_frames) {
  proto::RunOptions options;
  options.mutable_detectors()->add_enabled("lidar_health");
  // The look-ahead of the ego path decides how many frames are still unjudged at the log's end.
  options.mutable_detectors()->mutable_ego_path()->set_future_frames(lookahead_frames);
  options.mutable_detectors()->add_enabled("ego_corridor");
  options = EffectiveOptions(options);
  std::set<std::int64_t> flagged;
  MineCallbacks callbacks;
  callbacks.on_window = [&](const ReviewWindow& window, const std::deque<FrameResult>&) {
    for (const Event& event : window.events) {
      if (event.type != "lidar_empty") continue;
      for (std::int64_t i = event.first_frame; i <= event.last_frame; ++i) flagged.insert(i);
    }
  };
  EmptyScans log(frames, first_empty);
  const MineStats stats = MineLog(log, options, callbacks);
  EXPECT_EQ(stats.frames, frames);
  return flagged;
}

TEST(MineLog, JudgesEveryFrameIncludingTheLastOnesAwaitingLookAhead) {
  for (const int lookahead : {0, 5, 30}) {
    // Quiet until the last frames: the frames the runner drops while it judges the last ones at
    // the log's end must not make it skip any.
    const std::set<std::int64_t> flagged = FlaggedFrames(80, 72, lookahead);
    EXPECT_EQ(flagged, (std::set<std::int64_t>{72, 73, 74, 75, 76, 77, 78, 79}))
        << "look-ahead " << lookahead;
  }
}

TEST(MineLog, JudgesEveryFrameOfALogShorterThanTheLookAhead) {
  EXPECT_EQ(FlaggedFrames(12, 0, 30).size(), 12u);
}

// Three frames, each with one camera image that is not a decodable picture.
class UndecodableImages : public sensors::LogReader {
 public:
  UndecodableImages() { info_.log_id = "images"; }
  const sensors::LogInfo& info() const override { return info_; }
  std::optional<sensors::Frame> Next() override {
    if (next_ == 3) return std::nullopt;
    sensors::Frame frame;
    frame.index = next_;
    frame.lidar.stamp = sensors::Timestamp(sensors::FromSeconds(0.1 * double(next_++)));
    sensors::CameraFrame camera;
    camera.image.format = "png";
    camera.image.data = std::make_shared<const std::vector<std::uint8_t>>(64, 7);
    frame.cameras.push_back(camera);
    return frame;
  }

 private:
  sensors::LogInfo info_;
  std::int64_t next_ = 0;
};

// The camera statistics each frame carried out of the runner with only `detector` enabled.
std::vector<std::size_t> CameraStatsPerFrame(const std::string& detector) {
  proto::RunOptions options;
  options.mutable_detectors()->add_enabled(detector);
  options = EffectiveOptions(options);
  std::vector<std::size_t> stats;
  MineCallbacks callbacks;
  callbacks.on_frame = [&](const FrameResult& frame) {
    stats.push_back(frame.camera_stats.size());
    for (const ImageStats& s : frame.camera_stats) EXPECT_FALSE(s.valid);
  };
  UndecodableImages log;
  MineLog(log, options, callbacks);
  return stats;
}

TEST(MineLog, DecodesImagesOnlyWhenADetectorLooksAtThePixels) {
  EXPECT_EQ(CameraStatsPerFrame("camera_health"), (std::vector<std::size_t>{1, 1, 1}));
  EXPECT_EQ(CameraStatsPerFrame("lidar_health"), (std::vector<std::size_t>{0, 0, 0}));
}

}  // namespace
}  // namespace longtail::pipeline
