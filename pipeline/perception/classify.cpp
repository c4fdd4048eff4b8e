#include "pipeline/perception/classify.h"

#include <algorithm>
#include <array>

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;

// 1 inside [low, high], falling linearly to 0 at `margin` outside.
double Trapezoid(double value, double low, double high, double margin) {
  if (value >= low && value <= high) return 1;
  const double outside = value < low ? low - value : value - high;
  return std::max(0.0, 1 - outside / margin);
}

struct SizeRange {
  ObjectClass object_class;
  double length_low, length_high, length_margin;  // m, visible length
  double width_low, width_high, width_margin;     // m, visible width
  double height_low, height_high, height_margin;  // m, ground to top
};

// Visible-size ranges. A car seen end-on shows only its rear or front: a short line with up to a
// metre of depth (bumper to rear window). A cyclist from behind looks alike in the footprint and is
// told apart by height: cars seen end-on stop at 1.6 m, cyclists start there. Pedestrians need some
// width: thinner upright things are poles and trunks; a 1 m tall one may be a child.
constexpr std::array<SizeRange, 6> kRanges = {{
    {ObjectClass::kCar, 2.2, 5.4, 0.8, 0.0, 2.2, 0.3, 1.2, 1.7, 0.25},
    {ObjectClass::kCar, 1.3, 2.3, 0.3, 0.0, 1.0, 0.2, 1.1, 1.6, 0.1},  // seen end-on
    {ObjectClass::kVan, 1.8, 6.0, 0.8, 0.0, 2.3, 0.3, 1.85, 2.6, 0.3},
    {ObjectClass::kTruck, 5.5, 16.0, 2.0, 0.0, 3.0, 0.4, 2.6, 4.2, 0.4},
    {ObjectClass::kPedestrian, 0.3, 1.0, 0.3, 0.3, 0.9, 0.1, 1.0, 1.95, 0.1},
    {ObjectClass::kCyclist, 1.2, 2.1, 0.3, 0.45, 1.0, 0.15, 1.6, 2.0, 0.1},
}};

}  // namespace

ClassGuess GuessClass(const sensors::Box3D& box, int num_points,
                      const proto::ClassOptions& options) {
  ClassGuess best;
  for (const SizeRange& r : kRanges) {
    const double score = Trapezoid(box.length, r.length_low, r.length_high, r.length_margin) *
                         Trapezoid(box.width, r.width_low, r.width_high, r.width_margin) *
                         Trapezoid(box.height, r.height_low, r.height_high, r.height_margin);
    if (score > best.confidence) best = {r.object_class, score};
  }
  // Few points make any size guess shaky.
  best.confidence *= std::min(1.0, 0.5 + num_points / 60.0);
  if (best.confidence < options.min_confidence()) best.object_class = ObjectClass::kUnknown;
  return best;
}

SizeFit SizeFitOf(const sensors::Box3D& box) {
  SizeFit fit;
  for (const SizeRange& r : kRanges) {
    const double score = Trapezoid(box.length, r.length_low, r.length_high, r.length_margin) *
                         Trapezoid(box.width, r.width_low, r.width_high, r.width_margin) *
                         Trapezoid(box.height, r.height_low, r.height_high, r.height_margin);
    double& group = sensors::IsVehicle(r.object_class)           ? fit.vehicle
                    : r.object_class == ObjectClass::kPedestrian ? fit.pedestrian
                                                                 : fit.cyclist;
    group = std::max(group, score);
  }
  return fit;
}

sensors::ObjectClass VehicleKind(const sensors::Box3D& box) {
  ClassGuess best{ObjectClass::kCar, 0};
  for (const SizeRange& r : kRanges) {
    if (!sensors::IsVehicle(r.object_class)) continue;
    const double score = Trapezoid(box.length, r.length_low, r.length_high, r.length_margin) *
                         Trapezoid(box.width, r.width_low, r.width_high, r.width_margin) *
                         Trapezoid(box.height, r.height_low, r.height_high, r.height_margin);
    if (score > best.confidence) best = {r.object_class, score};
  }
  return best.object_class;
}

TypicalSize TypicalSizeOf(sensors::ObjectClass object_class) {
  switch (object_class) {
    case ObjectClass::kCar:
      return {3.9, 1.6, 1.5};
    case ObjectClass::kVan:
      return {5.1, 1.9, 2.2};
    case ObjectClass::kTruck:
      return {8.0, 2.5, 3.2};
    case ObjectClass::kPedestrian:
      return {0.8, 0.6, 1.75};
    case ObjectClass::kCyclist:
      return {1.75, 0.6, 1.7};
    default:
      return {};
  }
}

}  // namespace longtail::pipeline
