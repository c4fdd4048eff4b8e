// The detector registry: one line per detector. An explicit list rather than static-initialiser
// self-registration, which the linker drops from static libraries.
#include <algorithm>
#include <functional>
#include <stdexcept>

#include "pipeline/detectors/camera_health.h"
#include "pipeline/detectors/cut_in.h"
#include "pipeline/detectors/debris.h"
#include "pipeline/detectors/detector.h"
#include "pipeline/detectors/ego_corridor.h"
#include "pipeline/detectors/harsh_ego.h"
#include "pipeline/detectors/lidar_health.h"
#include "pipeline/detectors/low_ttc.h"
#include "pipeline/detectors/roadway_incursion.h"
#include "pipeline/detectors/sudden_appearance.h"
#include "pipeline/detectors/vulnerable_road_user.h"

namespace longtail::pipeline {
namespace {

struct Registration {
  std::string_view name;
  std::function<std::unique_ptr<Detector>(const proto::DetectorsOptions&)> create;
};

template <typename D>
Registration Register() {
  return {D::kName, [](const proto::DetectorsOptions& options) -> std::unique_ptr<Detector> {
            return std::make_unique<D>(options);
          }};
}

const std::vector<Registration>& Registry() {
  static const std::vector<Registration> registry = {
      Register<EgoCorridorDetector>(),
      Register<RoadwayIncursionDetector>(),
      Register<VulnerableRoadUserDetector>(),
      Register<LowTtcDetector>(),
      Register<CutInDetector>(),
      Register<DebrisDetector>(),
      Register<SuddenAppearanceDetector>(),
      Register<HarshEgoDetector>(),
      Register<LidarHealthDetector>(),
      Register<CameraHealthDetector>(),
  };
  return registry;
}

}  // namespace

std::vector<std::string> DetectorNames() {
  std::vector<std::string> names;
  for (const Registration& r : Registry()) names.emplace_back(r.name);
  return names;
}

std::unique_ptr<Detector> CreateDetector(std::string_view name,
                                         const proto::DetectorsOptions& options) {
  for (const Registration& r : Registry()) {
    if (r.name == name) return r.create(options);
  }
  std::string known;
  for (const Registration& r : Registry())
    known += (known.empty() ? "" : ", ") + std::string(r.name);
  throw std::invalid_argument("unknown detector \"" + std::string(name) + "\"; known: " + known);
}

std::vector<std::unique_ptr<Detector>> CreateDetectors(const proto::DetectorsOptions& options) {
  std::vector<std::unique_ptr<Detector>> detectors;
  // Unknown names fail before anything is built, whatever their position in the list.
  for (const std::string& name : options.enabled()) {
    const auto& registry = Registry();
    if (std::none_of(registry.begin(), registry.end(),
                     [&](const Registration& r) { return r.name == name; })) {
      CreateDetector(name, options);
    }
  }
  for (const Registration& r : Registry()) {
    const bool wanted = options.enabled().empty() ||
                        std::find(options.enabled().begin(), options.enabled().end(), r.name) !=
                            options.enabled().end();
    if (wanted) detectors.push_back(r.create(options));
  }
  return detectors;
}

}  // namespace longtail::pipeline
