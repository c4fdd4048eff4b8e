// Hindsight: logs are mined after the fact, so a detector may confirm a prediction with what
// actually happened next: the ego's actual future positions and an actor's actual future boxes,
// from the look-ahead frames, in the judged frame's vehicle frame. Each function looks no further
// than the frames the window holds (the detector's lookahead_frames()).
#pragma once

#include <optional>

#include "pipeline/detectors/detector.h"
#include "pipeline/detectors/ego_path.h"
#include "sensors/box3d.h"

namespace longtail::pipeline {

// Whether the window holds look-ahead frames with known ego poses: hindsight is possible.
bool HasHindsight(const FrameWindow& window);

// Track `id`'s box at window.frames[i], in the vehicle frame of the judged frame; nullopt when the
// track is not in that frame or either ego pose is unknown.
std::optional<sensors::Box3D> BoxInNowFrame(const FrameWindow& window, std::size_t i, int id);

// Seconds after the judged frame of window.frames[i].
double SecondsAfterNow(const FrameWindow& window, std::size_t i);

// Seconds from now until the ego's front (front_m ahead of its origin) reaches `s_m` along `path`:
// from its actual future positions, then at its last speed past the look-ahead. nullopt when the
// ego does not get there (it stops short, or its motion is unknown).
std::optional<double> EgoArrival(const FrameWindow& window, const EgoPath& path, double s_m,
                                 double front_m);

// An actor's actual entry into the strip the ego sweeps along its path.
struct PathEntry {
  double actor_time_s = 0;  // s after now when the actor's centre was nearest the path's centreline
  double s_m = 0;           // m along the path of the near edge of its footprint then
  double ahead_of_ego_m = 0;  // m from the ego's origin then (it drove on too) to that edge
  double center_d_m = 0;      // m left of the centreline, of its centre then
  // s after now when the ego's front got to s_m, and the gap between the two (post-encroachment
  // time, whichever came first); nullopt when the ego never got there.
  std::optional<double> ego_arrival_s;
  std::optional<double> time_gap_s;
};
// The first time within `horizon_s` that track `id` actually lay in the strip of `half_width_m`
// either side of `path`, ahead of `front_m`: any part of its footprint, or with `by_center` its
// centre (a pedestrian's box edge on the kerb is not yet on the road); nullopt when it did not.
std::optional<PathEntry> FuturePathEntry(const FrameWindow& window, int id, const EgoPath& path,
                                         double half_width_m, double front_m, double horizon_s,
                                         bool by_center = false);

// Seconds after now when track `id`'s centre was last inside the strip of `half_width_m` about
// `path` before leaving it, looking no further than `horizon_s`; `horizon_s` when it never left
// while seen, nullopt when it is not inside now.
std::optional<double> FuturePathExit(const FrameWindow& window, int id, const EgoPath& path,
                                     double half_width_m, double horizon_s);

// The actual closest approach of track `id` to the ego over `horizon_s`: footprints at their
// actual future poses.
struct ClosestPass {
  double distance_m = 0;     // between the footprints, 0 when they touched
  double time_s = 0;         // after now
  double ego_speed_mps = 0;  // the ego's speed then
};
std::optional<ClosestPass> FutureClosestPass(const FrameWindow& window, int id,
                                             const sensors::Box3D& ego_footprint, double horizon_s);

}  // namespace longtail::pipeline
