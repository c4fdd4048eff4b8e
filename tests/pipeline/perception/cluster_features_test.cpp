#include "pipeline/perception/cluster_features.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "tests/pipeline/perception/scenes.h"

namespace longtail::pipeline {
namespace {

using testing::PoleFeatures;

float Feature(const ClusterFeatures& f, std::string_view name) {
  for (int k = 0; k < kNumClusterFeatures; ++k) {
    if (kFeatureNames[k] == name) return f.values[k];
  }
  throw std::runtime_error("no feature " + std::string(name));
}

TEST(ComputeClusterFeatures, DescribesAPoleAsTallThinAndLinear) {
  const ClusterFeatures f = PoleFeatures();
  EXPECT_NEAR(Feature(f, "range_m"), 20.0, 0.1);
  EXPECT_NEAR(Feature(f, "height_m"), 3.0, 1e-6);
  EXPECT_NEAR(Feature(f, "bottom_m"), 0.0, 1e-5);
  EXPECT_NEAR(Feature(f, "z_p50_m"), 1.45, 0.06);
  EXPECT_GT(Feature(f, "linearity"), 0.95);  // one long axis
  EXPECT_NEAR(Feature(f, "normal_z"), 0.0, 0.2);
  EXPECT_NEAR(Feature(f, "reflect_mean"), 1.0, 1e-6);
  EXPECT_NEAR(Feature(f, "band_0_05") + Feature(f, "band_05_10") + Feature(f, "band_10_15") +
                  Feature(f, "band_15_20"),
              40.0 / 60, 0.02);                // the top metre is above 2 m
  EXPECT_EQ(Feature(f, "fit_vehicle"), 0.0f);  // far too thin for any vehicle
}

}  // namespace
}  // namespace longtail::pipeline
