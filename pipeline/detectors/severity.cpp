#include "pipeline/detectors/severity.h"

#include <algorithm>

namespace longtail::pipeline {

double SeverityFromTimeGap(double seconds, bool vulnerable) {
  return std::clamp(1.0 - seconds / (vulnerable ? 8.0 : 3.0), 0.0, 1.0);
}

double SeverityFromDeceleration(double mps2) { return std::clamp(mps2 / 6.0, 0.0, 1.0); }

double SeverityFromClearance(double clearance_m, double speed_mps) {
  const double margin = 0.15 * std::max(0.0, speed_mps);
  return std::clamp(0.5 * margin / std::max(clearance_m, 1e-3), 0.0, 1.0);
}

double StopShortDeceleration(double speed_mps, double distance_m, double front_m) {
  return RequiredDeceleration(speed_mps, distance_m - front_m - kStandoffM);
}

double RequiredDeceleration(double speed_mps, double distance_m) {
  const double v = std::max(0.0, speed_mps);
  return v * v / (2.0 * std::max(distance_m, 0.1));
}

}  // namespace longtail::pipeline
