// Tests of sensors/decode_result.h: a Decoded holds a value or an error, never both.
#include "sensors/decode_result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace longtail::sensors {
namespace {

Decoded<int> Half(int n) {
  if (n % 2 != 0) return DecodeError{DecodeErrorKind::kMalformed, std::to_string(n) + " is odd"};
  return n / 2;
}

TEST(Decoded, HoldsTheValueWhenDecodingWorked) {
  const Decoded<int> half = Half(8);
  ASSERT_TRUE(half.ok());
  EXPECT_TRUE(static_cast<bool>(half));
  EXPECT_EQ(*half, 4);
}

TEST(Decoded, HoldsTheKindAndMessageWhenDecodingFailed) {
  const Decoded<int> half = Half(7);
  ASSERT_FALSE(half.ok());
  EXPECT_FALSE(static_cast<bool>(half));
  EXPECT_EQ(half.error().kind, DecodeErrorKind::kMalformed);
  EXPECT_EQ(half.error().message, "7 is odd");
}

TEST(Decoded, GivesAccessToMembersAndMovesMoveOnlyValuesOut) {
  Decoded<std::vector<int>> values(std::vector<int>{1, 2, 3});
  EXPECT_EQ(values->size(), 3u);
  values->push_back(4);
  EXPECT_EQ((*values)[3], 4);
  Decoded<std::unique_ptr<int>> owned(std::make_unique<int>(5));
  const std::unique_ptr<int> taken = *std::move(owned);
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 5);
}

TEST(Decoded, AStringValueIsNotMistakenForAnError) {
  const Decoded<std::string> text(std::string("truncated"));
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "truncated");
}

TEST(DecodeErrorKind, EveryKindHasAName) {
  EXPECT_EQ(ToString(DecodeErrorKind::kTruncated), "truncated");
  EXPECT_EQ(ToString(DecodeErrorKind::kMalformed), "malformed");
  EXPECT_EQ(ToString(DecodeErrorKind::kUnsupported), "unsupported");
  EXPECT_EQ(ToString(DecodeErrorKind::kChecksumMismatch), "checksum mismatch");
  EXPECT_EQ(ToString(DecodeErrorKind::kTooLarge), "too large");
}

}  // namespace
}  // namespace longtail::sensors
