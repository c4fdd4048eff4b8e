#include "pipeline/runner.h"

#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "pipeline/detectors/camera_health.h"
#include "pipeline/detectors/detector.h"
#include "pipeline/detectors/image_stats.h"
#include "pipeline/ego_motion/ego_motion.h"
#include "pipeline/frame_history.h"
#include "pipeline/perception/perceive.h"
#include "pipeline/tracking/tracker.h"

namespace longtail::pipeline {
namespace {

struct InFlight {
  sensors::Frame frame;
  Perception perception;
  std::vector<ImageStats> camera_stats;  // one per frame.cameras entry
  std::optional<PointGrid2D> scan_grid;  // for lidar ego motion, built in the parallel stage
};

// The serial end of the pipeline: everything that needs frames in time order.
class SerialStage {
 public:
  SerialStage(const proto::RunOptions& options, const MineCallbacks& callbacks, MineStats* stats)
      : ego_motion_(options.ego_motion()),
        tracker_(options.tracker()),
        detectors_(CreateDetectors(options.detectors())),
        windows_(options.runner()),
        callbacks_(callbacks),
        stats_(stats) {
    for (const auto& detector : detectors_) {
      lookback_ = std::max(lookback_, detector->lookback_frames());
      lookahead_ = std::max(lookahead_, detector->lookahead_frames());
      needs_camera_stats_ |= detector->name() == CameraHealthDetector::kName;
    }
  }

  // Whether a detector reads FrameResult::camera_stats: only then are images decoded (the decode
  // costs about as much CPU as perceiving the scan).
  bool needs_camera_stats() const { return needs_camera_stats_; }

  void Process(InFlight& item) {
    FrameResult result;
    result.index = item.frame.index;
    result.stamp = item.frame.lidar.stamp;
    result.ego = ego_motion_.Update(item.frame, item.perception, std::move(item.scan_grid));
    result.tracks = tracker_.Update(result.stamp, item.perception.objects, result.ego);
    for (const auto& camera : item.frame.cameras) result.camera_skews.push_back(camera.skew);
    result.camera_stats = std::move(item.camera_stats);
    result.perception = std::move(item.perception);
    stats_->frames += 1;
    stats_->points += result.perception.num_points + result.perception.num_invalid_points;
    stats_->invalid_points += result.perception.num_invalid_points;
    stats_->ego_motion_estimated |= result.ego.estimated;
    // Points are not needed past this stage: keep the history small.
    result.perception.registration_points.clear();
    result.perception.registration_points.shrink_to_fit();
    history_.push_back(std::move(result));
    if (callbacks_.on_frame) callbacks_.on_frame(history_.back());
    // The frame `lookahead_` frames back now has all the future its detectors want.
    const std::int64_t judged = static_cast<std::int64_t>(history_.size()) - 1 - lookahead_;
    if (judged >= judged_from_) Judge(judged);
  }

  void Finish() {
    // Judge() drops frames from the front and shifts judged_from_ with them: index by it alone.
    while (judged_from_ < static_cast<std::int64_t>(history_.size())) Judge(judged_from_);
    Emit(windows_.Flush());
    stats_->episodes_below_threshold = windows_.dropped_episodes();
  }

 private:
  // Runs the detectors on history_[index] with its look-back and look-ahead.
  void Judge(std::int64_t index) {
    const std::int64_t first = std::max<std::int64_t>(0, index - lookback_);
    const std::int64_t last = std::min<std::int64_t>(history_.size() - 1, index + lookahead_);
    const FrameWindow window{history_.frames().subspan(static_cast<std::size_t>(first),
                                                       static_cast<std::size_t>(last - first + 1)),
                             static_cast<std::size_t>(index - first)};
    std::vector<Event> events;
    for (const auto& detector : detectors_) {
      for (Event& event : detector->Process(window)) events.push_back(std::move(event));
    }
    const Timestamp now = history_[index].stamp;
    Emit(windows_.Add(events, now));
    judged_from_ = index + 1;
    // Drop frames no window and no detector will look at again.
    const Timestamp keep_from = windows_.EarliestNeeded(now);
    while (judged_from_ - lookback_ > 0 && history_.front().stamp < keep_from) {
      history_.pop_front();
      --judged_from_;
    }
  }

  void Emit(std::vector<ReviewWindow> closed) {
    for (const ReviewWindow& window : closed) {
      stats_->windows += 1;
      for (const Event& event : window.events) stats_->events_by_type[event.type] += 1;
      if (callbacks_.on_window) callbacks_.on_window(window, history_.frames());
    }
  }

  EgoMotionEstimator ego_motion_;
  Tracker tracker_;
  std::vector<std::unique_ptr<Detector>> detectors_;
  WindowBuilder windows_;
  const MineCallbacks& callbacks_;
  MineStats* stats_;
  int lookback_ = 0, lookahead_ = 0;
  bool needs_camera_stats_ = false;
  FrameHistory history_;          // contiguous, so detectors and callbacks get spans without a copy
  std::int64_t judged_from_ = 0;  // index into history_ of the next frame to judge
};

}  // namespace

MineStats MineLog(sensors::LogReader& reader, const proto::RunOptions& options,
                  const MineCallbacks& callbacks) {
  const auto started = std::chrono::steady_clock::now();
  MineStats stats;
  SerialStage serial(options, callbacks, &stats);
  const int threads = options.runner().threads() > 0 ? options.runner().threads()
                                                     : tbb::info::default_concurrency();
  const int in_flight = options.runner().max_frames_in_flight() > 0
                            ? options.runner().max_frames_in_flight()
                            : 2 * threads;
  tbb::task_arena arena(threads);
  arena.execute([&] {
    const auto read = [&](tbb::flow_control& control) -> InFlight* {
      std::optional<sensors::Frame> frame = reader.Next();
      if (!frame) {
        control.stop();
        return nullptr;
      }
      return new InFlight{std::move(*frame), {}, {}, {}};
    };
    const auto perceive = [&](InFlight* item) {
      item->perception = Perceive(item->frame, options.perception());
      // The grid the next scan registers against needs only this scan: built here, in parallel,
      // it leaves the in-order stage (the one stage that cannot use both cores) the ICP alone.
      item->scan_grid = ScanGrid(item->frame, item->perception, options.ego_motion());
      // Decoding images is the other per-frame cost: it runs here, in parallel, and only when a
      // detector looks at the pixels.
      if (serial.needs_camera_stats()) {
        for (const auto& camera : item->frame.cameras) {
          item->camera_stats.push_back(ComputeImageStats(camera.image));
        }
      }
      return item;
    };
    const auto in_order = [&](InFlight* item) {
      std::unique_ptr<InFlight> owned(item);
      serial.Process(*owned);
    };
    tbb::parallel_pipeline(
        static_cast<std::size_t>(in_flight),
        tbb::make_filter<void, InFlight*>(tbb::filter_mode::serial_in_order, read) &
            tbb::make_filter<InFlight*, InFlight*>(tbb::filter_mode::parallel, perceive) &
            tbb::make_filter<InFlight*, void>(tbb::filter_mode::serial_in_order, in_order));
  });
  serial.Finish();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return stats;
}

}  // namespace longtail::pipeline
