#include "labeling/formats/kitti_tracklets.h"

#include <gtest/gtest.h>

#include "tests/labeling/formats/format_test_data.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

using sensors::IssueLog;

std::vector<LabeledFrame> TwoFrames() {
  std::vector<LabeledFrame> frames(3);
  for (int f = 0; f < 3; ++f) {
    frames[f].frame_index = f;
    frames[f].objects = testdata::HardObjects();
  }
  frames[1].objects.erase(frames[1].objects.begin() + 4);  // track 4: a gap at frame 1
  frames[2].objects[0].labeled.box.length = 4.6;           // track 0 changes size at frame 2
  frames[2].objects[1].labeled.track_id = -1;              // an untracked box
  return frames;
}

TEST(KittiTracklets, RoundTripIsExactForBoxesAndClasses) {
  const std::vector<LabeledFrame> frames = TwoFrames();
  sensors::Calibration calibration = testdata::KittiCalibration();
  // A lidar mounted 1.73 m up and turned a little: tracklets are in the lidar frame.
  calibration.vehicle_from_lidar =
      Eigen::Translation3d(0.8, 0, 1.73) * Eigen::AngleAxisd(0.05, Eigen::Vector3d::UnitZ());
  IssueLog issues;
  const std::vector<LabeledFrame> back = ParseKittiTracklets(
      FormatKittiTracklets(frames, calibration), calibration, "tracklet_labels.xml", issues);
  EXPECT_EQ(issues.count(), 0u);
  ASSERT_EQ(back.size(), 3u);
  for (std::size_t f = 0; f < 3; ++f) {
    ASSERT_EQ(back[f].objects.size(), frames[f].objects.size());
    for (const ObjectLabel& want : frames[f].objects) {
      const auto it = std::find_if(back[f].objects.begin(), back[f].objects.end(), [&](auto& g) {
        return (g.labeled.box.center - want.labeled.box.center).norm() < 1e-9;
      });
      ASSERT_NE(it, back[f].objects.end()) << "frame " << f;
      EXPECT_NEAR(sensors::WrapAngle(it->labeled.box.yaw - want.labeled.box.yaw), 0, 1e-12);
      EXPECT_DOUBLE_EQ(it->labeled.box.length, want.labeled.box.length);
      EXPECT_DOUBLE_EQ(it->labeled.box.width, want.labeled.box.width);
      EXPECT_DOUBLE_EQ(it->labeled.box.height, want.labeled.box.height);
      EXPECT_EQ(it->labeled.object_class, want.labeled.object_class);
    }
  }
}

TEST(KittiTracklets, SplitsTracksAtGapsAndSizeChanges) {
  const std::string xml = FormatKittiTracklets(TwoFrames(), testdata::KittiCalibration());
  // Tracks 1,2,3: one tracklet each (track 1 ends at frame 1). Track 0: frames 0-1 and 2.
  // Track 4: frames 0 and 2. The untracked box: one. 3 + 2 + 2 + 1 = 8.
  EXPECT_NE(xml.find("<tracklets class_id=\"0\" tracking_level=\"0\" version=\"0\">\n\t<count>8<"),
            std::string::npos);
  EXPECT_NE(xml.find("<!DOCTYPE boost_serialization>"), std::string::npos);
}

TEST(KittiTracklets, PosesAreBottomCentresInTheLidarFrame) {
  LabeledFrame frame;
  frame.objects = {testdata::Object({10, 2, 0.75}, 0.3, sensors::ObjectClass::kCar, 0)};
  const std::string xml = FormatKittiTracklets({frame}, testdata::KittiCalibration());
  EXPECT_NE(xml.find("<tz>0</tz>"), std::string::npos) << xml;  // centre 0.75, height 1.5
  EXPECT_NE(xml.find("<h>1.5</h>"), std::string::npos);
  EXPECT_NE(xml.find("<objectType>Car</objectType>"), std::string::npos);
}

TEST(KittiTracklets, ReportsBrokenTrackletsAndKeepsTheRest) {
  const std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE boost_serialization>
<boost_serialization><tracklets><count>3</count>
<item><objectType>Car</objectType><h>1.5</h><w>1.6</w><l>4</l><first_frame>2</first_frame>
  <poses><count>1</count><item><tx>1</tx><ty>2</ty><tz>-1.7</tz><rx>0</rx><ry>0</ry><rz>0.1</rz></item></poses></item>
<item><objectType>Van</objectType><h>x</h><w>1.6</w><l>4</l><first_frame>0</first_frame><poses/></item>
<item><objectType>Van</objectType><h>2</h><w>1.6</w><l>4</l><first_frame>0</first_frame>
  <poses><item><tx>1</tx></item></poses></item>
</tracklets></boost_serialization>)";
  IssueLog issues;
  const auto frames = ParseKittiTracklets(xml, testdata::KittiCalibration(), "t.xml", issues);
  EXPECT_EQ(issues.count(), 2u);
  EXPECT_EQ(issues.issues()[0].offset, xml.find("<item><objectType>Van"));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].frame_index, 2);
  ASSERT_EQ(frames[0].objects.size(), 1u);
  EXPECT_TRUE(frames[0].objects[0].labeled.box.center.isApprox(Eigen::Vector3d(1, 2, -0.95)));
  EXPECT_NEAR(frames[0].objects[0].labeled.box.yaw, 0.1, 1e-15);
}

// Found by the tracklets fuzzer: a first_frame of 4e115 was cast to int64 (undefined). NaN or
// absurd sizes and non-finite poses are damage too.
TEST(KittiTracklets, ReportsFirstFramesSizesAndPosesOutOfRange) {
  const std::string pose =
      "<poses><item><tx>1</tx><ty>2</ty><tz>-1.7</tz><rx>0</rx><ry>0</ry><rz>0.1</rz></item>"
      "</poses></item>\n";
  const std::string head = "<item><objectType>Car</objectType><h>1.5</h><w>1.6</w>";
  const std::string xml =
      "<boost_serialization><tracklets>\n" + head + "<l>4</l><first_frame>4.4e115</first_frame>" +
      pose + head + "<l>nan</l><first_frame>0</first_frame>" + pose + head +
      "<l>4</l><first_frame>0</first_frame>" +
      "<poses><item><tx>inf</tx><ty>2</ty><tz>-1.7</tz><rx>0</rx><ry>0</ry>"
      "<rz>0.1</rz></item></poses></item>\n" +
      head + "<l>4</l><first_frame>3</first_frame>" + pose + "</tracklets></boost_serialization>";
  IssueLog issues;
  const auto frames = ParseKittiTracklets(xml, testdata::KittiCalibration(), "t.xml", issues);
  EXPECT_EQ(issues.count(), 3u);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].frame_index, 3);
}

TEST(KittiTracklets, RejectsFilesThatAreNotTrackletXml) {
  IssueLog issues;
  const auto calibration = testdata::KittiCalibration();
  EXPECT_THROW(ParseKittiTracklets("<a><b></a>", calibration, "t.xml", issues), FormatError);
  EXPECT_THROW(ParseKittiTracklets("<a><b>", calibration, "t.xml", issues), FormatError);
  EXPECT_THROW(ParseKittiTracklets("<a></a>", calibration, "t.xml", issues), FormatError);
  EXPECT_THROW(ParseKittiTracklets("", calibration, "t.xml", issues), FormatError);
}

TEST(KittiTracklets, DeeplyNestedXmlIsAClearErrorNotACrash) {
  IssueLog issues;
  std::string xml = "<?xml version=\"1.0\"?>";
  for (int i = 0; i < 300000; ++i) xml += "<a>";
  try {
    ParseKittiTracklets(xml, testdata::KittiCalibration(), "deep.xml", issues);
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    // The 65th <a> starts at byte 21 + 64 * 3.
    EXPECT_EQ(std::string(e.what()),
              "deep.xml @ 213: bad XML: elements nested deeper than 64 levels");
  }
}

TEST(KittiTracklets, WriteThenReadFromAFile) {
  const std::filesystem::path dir = testing::ScratchDir();
  WriteKittiTracklets(dir / "tracklet_labels.xml", TwoFrames(), testdata::KittiCalibration());
  IssueLog issues;
  EXPECT_EQ(
      ReadKittiTracklets(dir / "tracklet_labels.xml", testdata::KittiCalibration(), issues).size(),
      3u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

}  // namespace
}  // namespace longtail::labeling
