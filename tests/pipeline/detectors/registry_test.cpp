#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "pipeline/detectors/detector.h"

namespace longtail::pipeline {
namespace {

TEST(RegistryTest, ListsTheEgoCorridorDetector) {
  const std::vector<std::string> names = DetectorNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "ego_corridor"), names.end());
}

TEST(RegistryTest, CreatesEveryRegisteredDetectorByItsName) {
  for (const std::string& name : DetectorNames()) {
    const auto detector = CreateDetector(name, proto::DetectorsOptions());
    ASSERT_NE(detector, nullptr);
    EXPECT_EQ(detector->name(), name);
    EXPECT_GE(detector->version(), 1);
  }
}

TEST(RegistryTest, UnknownNameThrowsAndListsTheKnownOnes) {
  try {
    CreateDetector("no_such_detector", proto::DetectorsOptions());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no_such_detector"), std::string::npos);
    EXPECT_NE(message.find("ego_corridor"), std::string::npos);
  }
}

TEST(RegistryTest, EmptyEnabledListCreatesAll) {
  EXPECT_EQ(CreateDetectors(proto::DetectorsOptions()).size(), DetectorNames().size());
}

TEST(RegistryTest, EnabledListSelectsInRegistryOrder) {
  proto::DetectorsOptions options;
  options.add_enabled("ego_corridor");
  const auto detectors = CreateDetectors(options);
  ASSERT_EQ(detectors.size(), 1u);
  EXPECT_EQ(detectors[0]->name(), "ego_corridor");
}

TEST(RegistryTest, UnknownEnabledNameThrows) {
  proto::DetectorsOptions options;
  options.add_enabled("ego_corridor");
  options.add_enabled("typo");
  EXPECT_THROW(CreateDetectors(options), std::invalid_argument);
}

}  // namespace
}  // namespace longtail::pipeline
