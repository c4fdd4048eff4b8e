#include "pipeline/perception/classify.h"

#include <gtest/gtest.h>

namespace longtail::pipeline {
namespace {

using sensors::ObjectClass;

TEST(GuessClass, TellsCarsPedestriansTrucksAndFencesApart) {
  const auto box = [](double l, double w, double h) {
    sensors::Box3D b;
    b.length = l, b.width = w, b.height = h;
    return b;
  };
  const proto::ClassOptions options;
  EXPECT_EQ(GuessClass(box(4.0, 1.7, 1.5), 300, options).object_class, ObjectClass::kCar);
  EXPECT_EQ(GuessClass(box(0.6, 0.5, 1.75), 100, options).object_class, ObjectClass::kPedestrian);
  EXPECT_EQ(GuessClass(box(10, 2.5, 3.5), 800, options).object_class, ObjectClass::kTruck);
  EXPECT_EQ(GuessClass(box(12, 0.3, 1.2), 800, options).object_class, ObjectClass::kUnknown);
  EXPECT_EQ(GuessClass(box(2, 1, 0.2), 50, options).object_class, ObjectClass::kUnknown);
  EXPECT_GT(GuessClass(box(4.0, 1.7, 1.5), 300, options).confidence, 0.9);
  // A child 1.1 m tall is a pedestrian; something 0.85 m tall is not (the height ramp starts 0.1 m
  // below 1.0 m).
  EXPECT_EQ(GuessClass(box(0.4, 0.4, 1.1), 100, options).object_class, ObjectClass::kPedestrian);
  EXPECT_EQ(GuessClass(box(0.4, 0.4, 0.85), 100, options).object_class, ObjectClass::kUnknown);
}

}  // namespace
}  // namespace longtail::pipeline
