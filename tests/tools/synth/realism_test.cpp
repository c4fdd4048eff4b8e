// Synthetic scans against real HDL-64E scans (../shared/data/lidar-scans-hdl64 and a KITTI raw
// drive): points per scan, the per-beam elevation pattern, the range distribution, the ground
// fraction, and how the pipeline's own ground segmentation and clustering see both. Prints the
// numbers; asserts them within the tolerances written next to each check.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "pipeline/perception/perceive.h"
#include "sensors/image.h"
#include "sensors/kitti/kitti_files.h"
#include "tests/test_support.h"
#include "tools/synth/synthesizer.h"

namespace longtail::tools::synth {
namespace {

namespace fs = std::filesystem;

constexpr double kBinM = 0.5;  // range histogram bin, m
constexpr int kBins = 160;     // 0 .. 80 m

struct ScanStats {
  double points = 0;
  double ground_fraction =
      0;  // points more than 1.4 m below the sensor (within 0.33 m of the road)
  std::vector<double> ring_elevation_deg;  // median elevation of each ring, top to bottom
  std::vector<double> range_histogram = std::vector<double>(kBins, 0.0);  // normalised
  double pipeline_ground_fraction = 0;
  double pipeline_clusters = 0;
  double mean_intensity = 0;  // KITTI reflectance, [0,1]
};

double Median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

// KITTI's .bin lists ring after ring, each counter-clockwise from straight ahead: a ring ends
// where the azimuth crosses from negative back to non-negative near straight ahead.
ScanStats Measure(const std::vector<sensors::LidarPoint>& points) {
  ScanStats stats;
  stats.points = double(points.size());
  std::vector<std::vector<double>> rings(1);
  double previous_azimuth = 0;
  int ground = 0;
  for (const sensors::LidarPoint& p : points) {
    const double azimuth = std::atan2(p.y, p.x);
    // Near straight ahead only (|azimuth| < 0.7 rad): some scans store a ring's two halves split
    // at +-pi, and the ego body hides the lowest rings up to about 0.5 rad either side of ahead.
    if (previous_azimuth < 0 && previous_azimuth > -0.7 && azimuth >= 0 && azimuth < 0.7 &&
        rings.back().size() > 200) {
      rings.emplace_back();
    }
    previous_azimuth = azimuth;
    const double horizontal = std::hypot(p.x, p.y);
    rings.back().push_back(std::atan2(p.z, horizontal) * 180 / std::numbers::pi);
    ground += p.z < -1.4f;
    stats.mean_intensity += p.intensity / points.size();
    const double range = std::sqrt(horizontal * horizontal + p.z * p.z);
    stats.range_histogram[std::min(kBins - 1, int(range / kBinM))] += 1.0 / points.size();
  }
  stats.ground_fraction = double(ground) / points.size();
  for (const auto& ring : rings) stats.ring_elevation_deg.push_back(Median(ring));

  sensors::Frame frame;
  frame.lidar.points = points;
  const pipeline::Perception perception = pipeline::Perceive(frame, {});
  stats.pipeline_ground_fraction = double(perception.num_ground_points) / perception.num_points;
  stats.pipeline_clusters = double(perception.objects.size());
  return stats;
}

ScanStats Mean(const std::vector<ScanStats>& all) {
  ScanStats mean;
  mean.ring_elevation_deg.assign(64, 0.0);
  for (const ScanStats& s : all) {
    mean.points += s.points / all.size();
    mean.ground_fraction += s.ground_fraction / all.size();
    mean.pipeline_ground_fraction += s.pipeline_ground_fraction / all.size();
    mean.pipeline_clusters += s.pipeline_clusters / all.size();
    mean.mean_intensity += s.mean_intensity / all.size();
    for (int b = 0; b < kBins; ++b) mean.range_histogram[b] += s.range_histogram[b] / all.size();
    for (int r = 0; r < 64; ++r) mean.ring_elevation_deg[r] += s.ring_elevation_deg[r] / all.size();
  }
  return mean;
}

// Earth mover's (1-Wasserstein) distance between two range distributions, m: how far, on average,
// returns would have to move to turn one histogram into the other.
double RangeDistanceM(const std::vector<double>& a, const std::vector<double>& b) {
  double cumulative_a = 0, cumulative_b = 0, distance = 0;
  for (int i = 0; i < kBins; ++i) {
    cumulative_a += a[i];
    cumulative_b += b[i];
    distance += std::abs(cumulative_a - cumulative_b) * kBinM;
  }
  return distance;
}

std::vector<sensors::LidarPoint> ReadScan(const fs::path& file) {
  sensors::IssueLog issues;
  auto points = sensors::kitti::ReadVelodyneBin(file, issues);
  EXPECT_TRUE(points) << file;
  return points.value_or(std::vector<sensors::LidarPoint>{});
}

// An urban street like the ones the reference scans were taken in: two lanes each way... in
// spirit: a wide street between building rows, parked cars, people on the sidewalks.
// The street the realism numbers are measured on (tools/synth/scenes/urban_street.pbtxt).
proto::Scenario UrbanStreet(double duration_s) {
  proto::Scenario scenario = ReadScenario(fs::path(LONGTAIL_SOURCE_DIR) / "tools" / "synth" /
                                          "scenes" / "urban_street.pbtxt");
  scenario.set_duration_s(duration_s);
  return scenario;
}

TEST(RealismTest, SyntheticScansMatchRealHdl64Scans) {
  LONGTAIL_REQUIRE_DATA(hdl64, "lidar-scans-hdl64");
  LONGTAIL_REQUIRE_DATA(drive,
                        "kitti-raw/2011_09_26/2011_09_26_drive_0005_sync/velodyne_points/data");
  std::vector<ScanStats> real;
  for (int i = 0; i < 6; ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "%06d.bin", i);
    real.push_back(Measure(ReadScan(hdl64 / name)));
  }
  for (int i = 0; i < 40; i += 10) {
    char name[32];
    std::snprintf(name, sizeof(name), "%010d.bin", i);
    real.push_back(Measure(ReadScan(drive / name)));
  }
  for (const ScanStats& s : real) ASSERT_EQ(s.ring_elevation_deg.size(), 64u);

  const proto::Scenario scenario = UrbanStreet(0.3);
  std::vector<ScanStats> synthetic;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const Synthesizer synthesizer(scenario, seed);
    synthetic.push_back(Measure(synthesizer.Synthesize(1).frame.lidar.points));
    ASSERT_EQ(synthetic.back().ring_elevation_deg.size(), 64u);
  }
  const ScanStats r = Mean(real), s = Mean(synthetic);

  double worst_ring = 0, mean_ring = 0;
  for (int ring = 0; ring < 64; ++ring) {
    const double difference = std::abs(r.ring_elevation_deg[ring] - s.ring_elevation_deg[ring]);
    worst_ring = std::max(worst_ring, difference);
    mean_ring += difference / 64;
  }
  const double range_distance = RangeDistanceM(r.range_histogram, s.range_histogram);
  double spread_real = 0;  // how far the real scans lie from their own mean, for scale
  for (const ScanStats& one : real)
    spread_real += RangeDistanceM(one.range_histogram, r.range_histogram) / real.size();
  std::printf(
      "realism (mean of %zu real scans vs %zu synthetic scans)\n"
      "  points per scan          real %8.0f  synthetic %8.0f  (%+.1f %%)\n"
      "  ground fraction (z<-1.4) real %8.3f  synthetic %8.3f\n"
      "  ring elevation |diff|    mean %.3f deg, worst %.3f deg over 64 rings\n"
      "  range EMD                %.2f m (real scans vs their own mean: %.2f m)\n"
      "  pipeline ground fraction real %8.3f  synthetic %8.3f\n"
      "  pipeline clusters/scan   real %8.1f  synthetic %8.1f  (ratio %.2f)\n"
      "  mean intensity           real %8.3f  synthetic %8.3f\n",
      real.size(), synthetic.size(), r.points, s.points, 100 * (s.points / r.points - 1),
      r.ground_fraction, s.ground_fraction, mean_ring, worst_ring, range_distance, spread_real,
      r.pipeline_ground_fraction, s.pipeline_ground_fraction, r.pipeline_clusters,
      s.pipeline_clusters, s.pipeline_clusters / r.pipeline_clusters, r.mean_intensity,
      s.mean_intensity);

  EXPECT_NEAR(s.points / r.points, 1.0, 0.10);  // within 10 %
  EXPECT_LT(mean_ring, 0.15);                   // deg: the beam table matches KITTI's
  EXPECT_LT(worst_ring, 0.4);
  EXPECT_LT(range_distance, 2.0);  // m
  EXPECT_NEAR(s.ground_fraction, r.ground_fraction, 0.05);
  EXPECT_NEAR(s.pipeline_ground_fraction, r.pipeline_ground_fraction, 0.08);
  EXPECT_GT(s.pipeline_clusters / r.pipeline_clusters, 1.0 / 3);  // a factor of 3 either way
  EXPECT_LT(s.pipeline_clusters / r.pipeline_clusters, 3.0);
  EXPECT_NEAR(s.mean_intensity / r.mean_intensity, 1.0, 0.15);
}

double MeanGrey(const sensors::CameraImage& image) {
  const auto decoded = sensors::DecodeImage(image);
  EXPECT_TRUE(decoded.has_value());
  double sum = 0;
  for (const std::uint8_t v : decoded->pixels) sum += v;
  return sum / decoded->pixels.size();
}

TEST(RealismTest, SyntheticImagesMatchKittiImageSizeAndExposure) {
  LONGTAIL_REQUIRE_DATA(images, "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync/image_02/data");
  double real = 0;
  int count = 0;
  int real_width = 0, real_height = 0;
  for (int i = 0; i < 30; i += 5) {
    char name[32];
    std::snprintf(name, sizeof(name), "%010d.png", i);
    sensors::IssueLog issues;
    const std::optional<sensors::CameraImage> read =
        sensors::kitti::ReadEncodedImage(images / name, issues);
    ASSERT_TRUE(read.has_value()) << name;
    const sensors::CameraImage& image = *read;
    const auto decoded = sensors::DecodeImage(image);
    ASSERT_TRUE(decoded.has_value()) << name;
    real_width = decoded->width;
    real_height = decoded->height;
    real += MeanGrey(image);
    ++count;
  }
  real /= count;
  const proto::Scenario scenario = UrbanStreet(0.3);
  const Synthesizer synthesizer(scenario, 1);
  const sensors::CameraImage image = synthesizer.Synthesize(1).frame.cameras.at(0).image;
  const auto decoded = sensors::DecodeImage(image);
  ASSERT_TRUE(decoded.has_value());
  const double synthetic = MeanGrey(image);
  std::printf("image_02: real %dx%d mean grey %.1f, synthetic %dx%d mean grey %.1f\n", real_width,
              real_height, real, decoded->width, decoded->height, synthetic);
  EXPECT_EQ(decoded->width, real_width);
  EXPECT_EQ(decoded->height, real_height);
  EXPECT_NEAR(synthetic / real, 1.0, 0.25);
}

}  // namespace
}  // namespace longtail::tools::synth
