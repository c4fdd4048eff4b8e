// Tests of sensors/kitti/oxts.h: parsing oxts lines (and every way one is rejected), formatting
// them back, and the Mercator pose conversion.
#include "sensors/kitti/oxts.h"

#include <gtest/gtest.h>

#include <string>

namespace longtail::sensors {
namespace {

// An oxts line in the KITTI raw layout: 30 values, near Karlsruhe.
constexpr char kLine[] =
    "49.015003823272 8.4342971002335 116.43032836914 0.035752 0.00903 -2.6087069803847 "
    "-4.1194016590036 12.865553045087 13.51077547406 -0.036011788137054 0.059154695436406 "
    "-0.32227185 0.087602286 9.9093551 -0.8044337 -0.12262513 9.7925087 -0.011643212 "
    "0.0053223563 0.0037426085 -0.011559922 0.0053604744 0.0037474245 0.48016408 0.39196342 "
    "4 11 2 1 1";

TEST(Oxts, ParsesAllThirtyValues) {
  const Decoded<OxtsRecord> record = ParseOxts(kLine);
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_DOUBLE_EQ(record->lat, 49.015003823272);
  EXPECT_DOUBLE_EQ(record->lon, 8.4342971002335);
  EXPECT_DOUBLE_EQ(record->yaw, -2.6087069803847);
  EXPECT_DOUBLE_EQ(record->vf, 13.51077547406);
  EXPECT_DOUBLE_EQ(record->rest[18], 1);
}

TEST(Oxts, FormatThenParseGivesTheSameRecord) {
  const Decoded<OxtsRecord> record = ParseOxts(kLine);
  ASSERT_TRUE(record);
  const Decoded<OxtsRecord> again = ParseOxts(FormatOxts(*record));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(FormatOxts(*again), FormatOxts(*record));
}

TEST(Oxts, AShortLineIsTruncated) {
  const Decoded<OxtsRecord> record = ParseOxts("49.01 8.43 116.4");
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().kind, DecodeErrorKind::kTruncated);
  EXPECT_EQ(record.error().message, "expected 30 values, found 3");
  const Decoded<OxtsRecord> empty = ParseOxts("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, DecodeErrorKind::kTruncated);
}

TEST(Oxts, ANonNumericValueIsMalformedAndNamed) {
  std::string line = kLine;
  line.replace(line.find("116.43032836914"), 15, "altitude");
  const Decoded<OxtsRecord> record = ParseOxts(line);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().kind, DecodeErrorKind::kMalformed);
  EXPECT_EQ(record.error().message, "value 3 is not a number: 'altitude'");
  EXPECT_FALSE(ParseOxts(std::string(kLine).replace(0, 15, "nan")));
}

TEST(Oxts, ExtraValuesAndPlacesOffTheEarthAreMalformed) {
  const Decoded<OxtsRecord> extra = ParseOxts(std::string(kLine) + " 7");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().kind, DecodeErrorKind::kMalformed);
  EXPECT_EQ(extra.error().message, "more than 30 values");
  const Decoded<OxtsRecord> off = ParseOxts(std::string(kLine).replace(0, 15, "95"));
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().kind, DecodeErrorKind::kMalformed);
  EXPECT_NE(off.error().message.find("is not a place on Earth"), std::string::npos);
}

TEST(Oxts, PoseRoundTripsThroughTheMercatorProjection) {
  const Decoded<OxtsRecord> record = ParseOxts(kLine);
  ASSERT_TRUE(record);
  const double scale = MercatorScale(record->lat);
  const OxtsRecord back = OxtsFromWorldFromImu(WorldFromImu(*record, scale), scale, *record);
  EXPECT_NEAR(back.lat, record->lat, 1e-9);
  EXPECT_NEAR(back.lon, record->lon, 1e-9);
  EXPECT_NEAR(back.alt, record->alt, 1e-9);
  EXPECT_NEAR(back.roll, record->roll, 1e-9);
  EXPECT_NEAR(back.pitch, record->pitch, 1e-9);
  EXPECT_NEAR(back.yaw, record->yaw, 1e-9);
}

}  // namespace
}  // namespace longtail::sensors
