// One severity scale for every detector, from physical criticality, so that episodes of different
// types rank against each other (claim order, the run's severity threshold). Each function maps a
// physical quantity to [0,1]; 0.5 is where a careful driver would call the situation critical
// rather than ordinary, and a detector's severity is the largest that applies to its episode.
#pragma once

namespace longtail::pipeline {

// A time gap: time to collision, post-encroachment time (between the actor and the ego passing the
// same point of the ego's path), or the time headway to an object in the path, s. Linear from 1 at
// 0 s to 0 at 3 s for a vehicle (1.5 s -> 0.5, the usual line for a serious conflict between two
// vehicles), at 8 s for a pedestrian or cyclist (4 s -> 0.5): a road user without a crumple zone,
// whose path is less predictable and who is hurt by far less, gets a wider margin.
double SeverityFromTimeGap(double seconds, bool vulnerable);

// The deceleration the ego needs (or showed), m/s^2: a / 6 m/s^2, so 3 m/s^2 (hard braking) -> 0.5
// and 6 m/s^2 (an emergency stop on dry asphalt is about 8) -> 1.
double SeverityFromDeceleration(double mps2);

// Passing a pedestrian or cyclist at `clearance_m` (between the ego's footprint and theirs) while
// the ego drives at `speed_mps`: the margin a driver should leave grows with speed, 0.15 s x
// speed (2.1 m at 50 km/h, 1 m at 24 km/h, nothing when standing). Half that margin / clearance:
// 0.5 when the clearance is just the margin, 1 at half of it, less the wider the pass.
double SeverityFromClearance(double clearance_m, double speed_mps);

// Deceleration needed to stop from `speed_mps` within `distance_m`: v^2 / 2d, m/s^2 (a large
// number when the distance is nearly gone).
double RequiredDeceleration(double speed_mps, double distance_m);

// A driver stops about this far short of a standing obstacle, m.
inline constexpr double kStandoffM = 2.0;
// Deceleration the ego needs to stop kStandoffM short of an obstacle whose near edge is
// `distance_m` ahead of the vehicle origin, the ego's front being `front_m` ahead of it, m/s^2.
double StopShortDeceleration(double speed_mps, double distance_m, double front_m);

}  // namespace longtail::pipeline
