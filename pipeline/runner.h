// The streaming runner: one pass over a log through a oneTBB parallel_pipeline
//   read (serial) -> perceive (parallel) -> ego motion, track, detect, window (serial, in order)
// with a bounded number of frames in flight, so memory does not grow with the log's length.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "pipeline/proto/run.pb.h"
#include "pipeline/types.h"
#include "pipeline/windows.h"
#include "sensors/log_reader.h"

namespace longtail::pipeline {

struct MineStats {
  std::int64_t frames = 0;                             // frames perceived
  std::int64_t windows = 0;                            // review windows handed to the sink
  std::map<std::string, std::int64_t> events_by_type;  // episodes in the windows, by Event::type
  std::int64_t episodes_below_threshold = 0;  // below RunnerOptions::min_severity, not queued
  std::int64_t points = 0;                    // lidar points read
  std::int64_t invalid_points = 0;    // NaN/inf or out-of-range points dropped by perception
  double seconds = 0;                 // wall time of the pass
  bool ego_motion_estimated = false;  // true when any frame's ego motion came from the lidar
};

struct MineCallbacks {
  // A closed review window, with the frames that cover it (and possibly a few more), in time order.
  // The frames are the runner's history, not a copy: the span is valid only during the call.
  std::function<void(const ReviewWindow&, std::span<const FrameResult>)> on_window;
  // After each frame leaves the serial stage (progress reporting). Optional.
  std::function<void(const FrameResult&)> on_frame;
};

// Streams every frame of `reader`. Throws what the reader throws (sensors::LogError) and what the
// callbacks throw; bad records are the reader's IssueLog's business.
MineStats MineLog(sensors::LogReader& reader, const proto::RunOptions& options,
                  const MineCallbacks& callbacks);

}  // namespace longtail::pipeline
