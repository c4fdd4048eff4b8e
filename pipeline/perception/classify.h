// Class guess from a box's visible size: which class's typical dimensions it fits best.
#pragma once

#include "pipeline/proto/perception.pb.h"
#include "sensors/box3d.h"

namespace longtail::pipeline {

struct ClassGuess {
  sensors::ObjectClass object_class = sensors::ObjectClass::kUnknown;
  double confidence = 0;  // [0,1]: how well the size fits the class (1 = squarely typical)
};

// `box` is the tight box of what the lidar saw (length >= width, height from the ground up).
// Partially seen vehicles are accepted: their visible length may be short.
ClassGuess GuessClass(const sensors::Box3D& box, int num_points,
                      const proto::ClassOptions& options);

// The kind of vehicle (car, van or truck) whose visible-size range `box` fits best; car when none
// fits (the learned model has already said it is a vehicle).
sensors::ObjectClass VehicleKind(const sensors::Box3D& box);

// How well a visible size fits each group's ranges (the best of its classes' trapezoids), [0,1]:
// the size rule's knowledge, handed to the learned model as features.
struct SizeFit {
  double vehicle = 0, pedestrian = 0, cyclist = 0;
};
SizeFit SizeFitOf(const sensors::Box3D& box);

// Typical full size of a class (KITTI means, rounded), m; zeros for unknown.
struct TypicalSize {
  double length = 0, width = 0, height = 0;  // m
};
TypicalSize TypicalSizeOf(sensors::ObjectClass object_class);

}  // namespace longtail::pipeline
