#include "pipeline/windows.h"

#include <gtest/gtest.h>

namespace longtail::pipeline {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Timestamp At(double s) { return Timestamp(sensors::FromSeconds(s)); }

Event Fired(double s, const std::string& detector, int track, double severity = 0.5) {
  Event e;
  e.detector = detector;
  e.type = detector + "_event";
  e.severity = severity;
  e.start = e.end = At(s);
  e.first_frame = e.last_frame = static_cast<std::int64_t>(s * 10);
  e.track_ids = {track};
  e.reason = "fired at " + std::to_string(s);
  return e;
}

proto::RunnerOptions Options() {
  proto::RunnerOptions options;  // defaults: 1 s before, 1 s after, 0.5 s merge gap, 30 s max
  return options;
}

TEST(WindowBuilder, RepeatedFiringsOfOneConditionBecomeOneEventInOneWindow) {
  WindowBuilder builder(Options());
  std::vector<ReviewWindow> closed;
  for (int frame = 0; frame < 10; ++frame) {
    const double s = frame * 0.1;
    for (auto& w : builder.Add({Fired(s, "corridor", 3, 0.2 + frame * 0.05)}, At(s)))
      closed.push_back(w);
  }
  for (auto& w : builder.Flush()) closed.push_back(w);
  ASSERT_EQ(closed.size(), 1u);
  ASSERT_EQ(closed[0].events.size(), 1u);
  EXPECT_EQ(closed[0].events[0].first_frame, 0);
  EXPECT_EQ(closed[0].events[0].last_frame, 9);
  EXPECT_NEAR(closed[0].severity, 0.65, 1e-9);
  EXPECT_EQ(closed[0].events[0].reason, "fired at 0.900000");  // the worst moment's numbers
  // The window is the critical part (severity >= 0.5 from frame 6) with 1 s of context.
  EXPECT_EQ(closed[0].start, At(-0.4));
  EXPECT_EQ(closed[0].end, At(1.9));
}

Event WithPeak(Event e) {
  e.peak_frame = e.first_frame;
  e.peak = e.start;
  return e;
}

TEST(EpisodeBuilder, ALostFrameDoesNotSplitAnEpisodeAndThePeakKeepsItsNumbers) {
  EpisodeBuilder episodes(Options());  // 0.5 s gap
  std::vector<Episode> closed;
  for (int frame : {0, 1, 2, 4, 5, 11, 12}) {  // frame 3 lost; 6-10 silent (0.6 s)
    const double s = frame * 0.1;
    const double severity = frame == 4 ? 0.9 : 0.4;
    for (auto& e : episodes.Add({WithPeak(Fired(s, "vru", 7, severity))}, At(s))) {
      closed.push_back(e);
    }
  }
  for (auto& e : episodes.Flush()) closed.push_back(e);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].event.first_frame, 0);
  EXPECT_EQ(closed[0].event.last_frame, 5);
  EXPECT_EQ(closed[0].event.peak_frame, 4);
  EXPECT_EQ(closed[0].event.peak, At(0.4));
  EXPECT_EQ(closed[0].event.severity, 0.9);
  EXPECT_EQ(closed[0].event.reason, "fired at 0.400000");
  EXPECT_EQ(closed[1].event.first_frame, 11);
}

TEST(EpisodeBuilder, OtherActorsAndTypesAreOtherEpisodes) {
  EpisodeBuilder episodes(Options());
  episodes.Add({Fired(0, "vru", 1), Fired(0, "vru", 2), Fired(0, "ttc", 1)}, At(0));
  EXPECT_EQ(episodes.EarliestOpen(At(0.1)), At(0));
  EXPECT_EQ(episodes.Flush().size(), 3u);
  EXPECT_EQ(episodes.EarliestOpen(At(0.1)), At(0.1));  // none open
}

TEST(WindowBuilder, EpisodesBelowTheSeverityThresholdAreNotQueued) {
  proto::RunnerOptions options = Options();
  options.set_min_severity(0.5);
  WindowBuilder builder(options);
  std::vector<ReviewWindow> closed;
  for (int frame = 0; frame < 40; ++frame) {
    const double s = frame * 0.1;
    // Actor 1 peaks at 0.45 (ordinary), actor 2 at 0.55 once.
    std::vector<Event> fired = {Fired(s, "vru", 1, 0.45)};
    if (frame >= 20) fired.push_back(Fired(s, "vru", 2, frame == 30 ? 0.55 : 0.3));
    for (auto& w : builder.Add(fired, At(s))) closed.push_back(w);
  }
  for (auto& w : builder.Flush()) closed.push_back(w);
  ASSERT_EQ(closed.size(), 1u);
  ASSERT_EQ(closed[0].events.size(), 1u);
  EXPECT_EQ(closed[0].events[0].track_ids, std::vector<int>{2});
  // Its episode runs 2-3.9 s; the window is its critical part (3 s) with 1 s of context.
  EXPECT_EQ(closed[0].events[0].first_frame, 20);
  EXPECT_EQ(closed[0].start, At(2.0));
  EXPECT_EQ(closed[0].end, At(4.0));
  EXPECT_EQ(builder.dropped_episodes(), 1);
}

TEST(WindowBuilder, CloseEventsMergeAndDistantOnesDoNot) {
  WindowBuilder builder(Options());
  EXPECT_TRUE(builder.Add({Fired(0, "corridor", 1)}, At(0)).empty());
  EXPECT_TRUE(builder.Add({Fired(2.2, "ttc", 2)}, At(2.2)).empty());  // 1.2 s gap < 1+1+0.5
  auto closed = builder.Add({Fired(10, "corridor", 1)}, At(10));
  ASSERT_EQ(closed.size(), 1u);  // the first window can no longer grow
  EXPECT_EQ(closed[0].events.size(), 2u);
  EXPECT_EQ(closed[0].detectors, "corridor,ttc");
  const auto rest = builder.Flush();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].start, At(9));
}

TEST(WindowBuilder, AWindowStopsGrowingAtItsMaximumLength) {
  proto::RunnerOptions options = Options();
  options.set_max_window_s(5);
  WindowBuilder builder(options);
  std::vector<ReviewWindow> closed;
  for (int frame = 0; frame <= 100; ++frame) {
    for (auto& w : builder.Add({Fired(frame * 0.1, "corridor", 1)}, At(frame * 0.1)))
      closed.push_back(w);
  }
  for (auto& w : builder.Flush()) closed.push_back(w);
  ASSERT_GE(closed.size(), 2u);
  for (const auto& w : closed)
    EXPECT_LE(w.end - w.start, seconds(5) + milliseconds(100) + seconds(1));
  // Frames older than the open window are not needed any more.
  EXPECT_GE(builder.EarliestNeeded(At(10)), At(8.5));
}

}  // namespace
}  // namespace longtail::pipeline
