// End to end: the regression gate on the bundled sample logs and their goldens.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/test_support.h"
#include "tests/tools/cli/cli_runner.h"

namespace longtail {
namespace {

namespace fs = std::filesystem;
using testing::RunLongtail;

const fs::path kSamples = fs::path(LONGTAIL_SOURCE_DIR) / "sample_logs";
const fs::path kGolden = kSamples / "golden";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Regress(const fs::path& golden, const std::string& extra = "") {
  return "regress '" + kSamples.string() + "' --golden '" + golden.string() + "' " + extra;
}

TEST(RegressEndToEnd, SampleLogsMatchTheirGoldens) {
  const fs::path dir = testing::ScratchDir();
  const auto result =
      RunLongtail(Regress(kGolden, "--junit '" + (dir / "junit.xml").string() + "' --json '" +
                                       (dir / "report.json").string() + "'"));
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(Slurp(dir / "junit.xml").find("failures=\"0\""), std::string::npos);
  EXPECT_TRUE(nlohmann::json::parse(Slurp(dir / "report.json"))["passed"].get<bool>());
}

TEST(RegressEndToEnd, AChangedThresholdFailsNamingTheMissingEventAndUpdateAcceptsIt) {
  const fs::path dir = testing::ScratchDir();
  // The sample's stopped car comes no closer than about 4.3 m: a 4 m corridor never sees it.
  std::ofstream(dir / "short.pbtxt") << "detectors { ego_corridor { length_m: 4 } }\n";
  const std::string config = "--config '" + (dir / "short.pbtxt").string() + "' ";
  const auto failed =
      RunLongtail(Regress(kGolden, config + "--junit '" + (dir / "junit.xml").string() + "'"));
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  EXPECT_NE(failed.out.find("missing_event"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("object_in_corridor"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("REGRESSION"), std::string::npos);
  const std::string junit = Slurp(dir / "junit.xml");
  EXPECT_NE(junit.find("<failure"), std::string::npos);
  EXPECT_NE(junit.find("object_in_corridor"), std::string::npos);

  // Restoring the threshold passes again.
  EXPECT_EQ(RunLongtail(Regress(kGolden)).exit_code, 0);

  // A reviewed change: --update rewrites goldens (here a copy), which then pass with the new
  // threshold.
  const fs::path updated = dir / "golden";
  fs::copy(kGolden, updated, fs::copy_options::recursive);
  ASSERT_EQ(RunLongtail(Regress(updated, config + "--update")).exit_code, 0);
  EXPECT_EQ(RunLongtail(Regress(updated, config)).exit_code, 0);
  EXPECT_EQ(RunLongtail(Regress(updated)).exit_code, 1);
}

TEST(RegressEndToEnd, GoldenOutputIsByteIdenticalAcrossRuns) {
  const fs::path dir = testing::ScratchDir();
  ASSERT_EQ(RunLongtail(Regress(dir / "a", "--update")).exit_code, 0);
  ASSERT_EQ(RunLongtail(Regress(dir / "b", "--update --threads 1")).exit_code, 0);
  for (const auto& entry : fs::directory_iterator(dir / "a")) {
    EXPECT_EQ(Slurp(entry.path()), Slurp(dir / "b" / entry.path().filename())) << entry.path();
    EXPECT_EQ(Slurp(entry.path()), Slurp(kGolden / entry.path().filename())) << entry.path();
  }
}

TEST(RegressEndToEnd, MissingGoldenIsADifference) {
  const auto result = RunLongtail(Regress(testing::ScratchDir() / "empty"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("no_golden"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace longtail
