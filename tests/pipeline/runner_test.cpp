#include "pipeline/runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "pipeline/options.h"

namespace longtail::pipeline {
namespace {

// A log of `count` frames, 0.1 s apart, whose lidar scans are empty in the inclusive frame ranges
// `empty`: the lidar health detector flags each empty one, so the flagged frames show which frames
// the runner judged. The other frames hold a patch of ground, so that nothing is flagged there and
// the runner drops them from its history as it goes (what it does on a long, quiet log).
class EmptyScans : public sensors::LogReader {
 public:
  using Range = std::pair<std::int64_t, std::int64_t>;
  EmptyScans(std::int64_t count, std::vector<Range> empty)
      : count_(count), empty_(std::move(empty)) {
    info_.log_id = "empty";
  }
  const sensors::LogInfo& info() const override { return info_; }
  std::optional<sensors::Frame> Next() override {
    if (next_ == count_) return std::nullopt;
    sensors::Frame frame;
    frame.index = next_;
    frame.lidar.stamp = sensors::Timestamp(sensors::FromSeconds(0.1 * double(next_)));
    const bool empty = std::any_of(empty_.begin(), empty_.end(), [&](const Range& range) {
      return range.first <= next_ && next_ <= range.second;
    });
    for (int i = 0; !empty && i < 400; ++i) {
      frame.lidar.points.push_back(
          {5.0f + 0.1f * float(i % 20), -1.0f + 0.1f * float(i / 20), -1.7f, 0.3f});
    }
    ++next_;
    return frame;
  }

 private:
  sensors::LogInfo info_;
  std::int64_t count_;
  std::vector<Range> empty_;
  std::int64_t next_ = 0;
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
  callbacks.on_window = [&](const ReviewWindow& window, std::span<const FrameResult>) {
    for (const Event& event : window.events) {
      if (event.type != "lidar_empty") continue;
      for (std::int64_t i = event.first_frame; i <= event.last_frame; ++i) flagged.insert(i);
    }
  };
  EmptyScans log(frames, {{first_empty, frames - 1}});
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

// What the window callback was handed for one window.
struct SeenWindow {
  ReviewWindow window;
  std::vector<std::int64_t> frame_indices;  // of the frames it was handed, in the order handed
  std::vector<Timestamp> frame_stamps;
};

std::vector<SeenWindow> WindowsSeen(EmptyScans& log) {
  proto::RunOptions options;
  options.mutable_detectors()->add_enabled("lidar_health");
  options = EffectiveOptions(options);
  std::vector<SeenWindow> seen;
  MineCallbacks callbacks;
  callbacks.on_window = [&](const ReviewWindow& window, std::span<const FrameResult> frames) {
    SeenWindow s{window, {}, {}};
    for (const FrameResult& frame : frames) {
      s.frame_indices.push_back(frame.index);
      s.frame_stamps.push_back(frame.stamp);
    }
    seen.push_back(std::move(s));
  };
  MineLog(log, options, callbacks);
  return seen;
}

// The indices first..last, in order.
std::vector<std::int64_t> Consecutive(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> indices;
  for (std::int64_t i = first; i <= last; ++i) indices.push_back(i);
  return indices;
}

TEST(MineLog, HandsEachWindowItsFramesInOrderAfterTheHistoryDroppedOldOnes) {
  // Three bursts of empty scans, each flagged into its own window ([first - 1 s, last + 1 s]) far
  // enough apart not to merge: by the later windows the history has dropped, and compacted away,
  // hundreds of quiet frames.
  EmptyScans log(400, {{30, 33}, {150, 152}, {370, 375}});
  const std::vector<SeenWindow> seen = WindowsSeen(log);
  ASSERT_EQ(seen.size(), 3u);
  const std::vector<std::pair<std::int64_t, std::int64_t>> covered = {
      {20, 43}, {140, 162}, {360, 385}};
  for (std::size_t w = 0; w < seen.size(); ++w) {
    const std::vector<std::int64_t>& indices = seen[w].frame_indices;
    ASSERT_FALSE(indices.empty()) << "window " << w;
    // Contiguous and in time order, with every frame of the window.
    EXPECT_EQ(indices, Consecutive(indices.front(), indices.back())) << "window " << w;
    EXPECT_LE(indices.front(), covered[w].first) << "window " << w;
    EXPECT_GE(indices.back(), covered[w].second) << "window " << w;
    for (std::size_t i = 0; i < indices.size(); ++i) {
      EXPECT_EQ(seen[w].frame_stamps[i],
                sensors::Timestamp(sensors::FromSeconds(0.1 * double(indices[i]))));
    }
  }
  // Bounded: the frames before a window's context are gone by the time it closes.
  EXPECT_GT(seen[1].frame_indices.front(), seen[0].frame_indices.back());
  EXPECT_GT(seen[2].frame_indices.front(), seen[1].frame_indices.back());
}

TEST(MineLog, HandsAWindowThatRunsPastTheLogItsFramesUpToTheLast) {
  EmptyScans log(50, {{45, 49}});
  const std::vector<SeenWindow> seen = WindowsSeen(log);
  ASSERT_EQ(seen.size(), 1u);
  const std::vector<std::int64_t>& indices = seen[0].frame_indices;
  ASSERT_FALSE(indices.empty());
  EXPECT_EQ(indices, Consecutive(indices.front(), 49));
  EXPECT_LE(indices.front(), 35);
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
