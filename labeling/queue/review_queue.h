// The review queue: flagged windows waiting for, and going through, human review.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/types.h"
#include "sensors/box3d.h"

namespace longtail::labeling {

// The pre-labels of one frame of a task's window.
struct FramePrelabels {
  std::int64_t frame_index = 0;
  sensors::Timestamp stamp;
  std::vector<sensors::LabeledBox> boxes;  // vehicle frame
};

// What mining hands to the queue: one flagged window of one log.
struct TaskDraft {
  std::string log_id;      // stable id of the log (LogInfo::log_id)
  std::string log_path;    // where the source log was read from (a pointer, never a copy)
  std::string log_format;  // "kitti-raw", "mcap", ...
  std::string detectors;   // sorted, comma-separated names of the detectors that fired in the window
  std::string options_hash;  // hash of the effective run options
  std::int64_t first_frame = 0, last_frame = 0;  // inclusive
  sensors::Timestamp start, end;
  double severity = 0;  // max over the window's events, [0,1]
  std::vector<pipeline::Event> events;
  std::vector<FramePrelabels> frames;
};

struct EnqueueResult {
  int inserted = 0;
  int already_present = 0;  // same (log_id, detectors, frame range, options_hash): not added again
};

// A database that cannot be used (corrupt, newer schema, locked, unreachable). Nothing was written.
class QueueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ReviewQueue {
 public:
  virtual ~ReviewQueue() = default;
  // Adds the drafts in one transaction: all or none. Idempotent on the key above.
  virtual EnqueueResult Enqueue(const std::vector<TaskDraft>& drafts) = 0;
  virtual std::int64_t CountTasks() = 0;
};

// "sqlite:///abs/path.db", "sqlite://rel.db", a plain path, or "postgresql://...".
std::unique_ptr<ReviewQueue> OpenQueue(const std::string& url);

}  // namespace longtail::labeling
