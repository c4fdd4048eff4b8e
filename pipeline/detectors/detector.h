// Rare-event detectors: chosen by name through a registry that fails loudly on an unknown name.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/proto/detectors.pb.h"
#include "pipeline/types.h"

namespace longtail::pipeline {

// Frames around the one being judged, in time order. frames[current] is judged; frames before it
// are the look-back, frames after it the look-ahead (offline mining may use the future).
struct FrameWindow {
  std::span<const FrameResult> frames;
  std::size_t current = 0;
  const FrameResult& now() const { return frames[current]; }
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual std::string_view name() const = 0;
  virtual int version() const = 0;
  // Frames of look-back and look-ahead this detector needs around the judged frame.
  virtual int lookback_frames() const { return 0; }
  virtual int lookahead_frames() const { return 0; }
  // Called once per frame, in time order. Returns the events that fire at window.now(); an ongoing
  // condition may fire on consecutive frames (the runner merges them into review windows).
  virtual std::vector<Event> Process(const FrameWindow& window) = 0;
};

std::vector<std::string> DetectorNames();
// Throws std::invalid_argument naming the known detectors when `name` is unknown.
std::unique_ptr<Detector> CreateDetector(std::string_view name,
                                         const proto::DetectorsOptions& options);
// The detectors `options.enabled` names (all registered ones when empty), in registry order.
std::vector<std::unique_ptr<Detector>> CreateDetectors(const proto::DetectorsOptions& options);

}  // namespace longtail::pipeline
