#include "pipeline/perception/class_training.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "tests/test_support.h"

namespace longtail::pipeline {
namespace {

TEST(ReadObjectFrameDrives, MapsKittiObjectFramesToTheirRawDrives) {
  LONGTAIL_REQUIRE_DATA(mapping, "kitti-object-labels/mapping");
  const auto drives = ReadObjectFrameDrives(mapping);
  EXPECT_EQ(drives.at("001497"), "2011_09_26_drive_0052_sync");
  EXPECT_EQ(drives.at("004587"), "2011_09_26_drive_0052_sync");
  EXPECT_EQ(drives.at("000006"), "2011_09_29_drive_0026_sync");
  EXPECT_EQ(DriveOfFrame("x/kitti-tracking/training", "0000", "000003", drives),
            "kitti-tracking/0000");
  EXPECT_EQ(DriveOfFrame("x/training", "", "001206", drives), "2011_09_26_drive_0052_sync");
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(ReadObjectFrameDrives, IsEmptyWithoutAMappingFile) {
  EXPECT_TRUE(ReadObjectFrameDrives(testing::ScratchDir()).empty());
  EXPECT_TRUE(ReadObjectFrameDrives(testing::ScratchDir() / "absent").empty());
}

TEST(ReadObjectFrameDrives, SkipsLinesOfObjToRawFrameWithoutADrive) {
  const std::filesystem::path dir = testing::ScratchDir();
  WriteFile(dir / "obj_to_raw_frame.txt",
            "000000 2011_09_26 2011_09_26_drive_0001_sync 0000000005\n"
            "000001 2011_09_26\n"
            "\n"
            "000002 2011_09_28 2011_09_28_drive_0002_sync 0000000009\n");
  EXPECT_EQ(ReadObjectFrameDrives(dir),
            (std::map<std::string, std::string>{{"000000", "2011_09_26_drive_0001_sync"},
                                                {"000002", "2011_09_28_drive_0002_sync"}}));
}

TEST(ReadObjectFrameDrives, ReadsTheDevkitPairAndSkipsLinesItDoesNotHave) {
  const std::filesystem::path dir = testing::ScratchDir();
  WriteFile(dir / "train_mapping.txt",
            "2011_09_26 2011_09_26_drive_0001_sync 0000000005\n"
            "2011_09_26 2011_09_26_drive_0052_sync 0000000010\n");
  // Frame 1 points at line 7 and frame 2 at line 0: neither exists.
  WriteFile(dir / "train_rand.txt", "2,7,0,1");
  EXPECT_EQ(ReadObjectFrameDrives(dir),
            (std::map<std::string, std::string>{{"000000", "2011_09_26_drive_0052_sync"},
                                                {"000003", "2011_09_26_drive_0001_sync"}}));
}

TEST(DriveOfFrame, AnUnmappedObjectFrameIsItsOwnDrive) {
  const std::map<std::string, std::string> drives = {{"000001", "2011_09_26_drive_0001_sync"}};
  EXPECT_EQ(DriveOfFrame("x/kitti-object/training", "", "000009", drives), "000009");
  EXPECT_EQ(DriveOfFrame("x/kitti-object/training", "", "000001", drives),
            "2011_09_26_drive_0001_sync");
  // A tracking folder given without its training/ level names the sequence the same way.
  EXPECT_EQ(DriveOfFrame("x/kitti-tracking", "0004", "000001", drives), "kitti-tracking/0004");
}

}  // namespace
}  // namespace longtail::pipeline
