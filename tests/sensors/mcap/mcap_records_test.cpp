// Tests of sensors/mcap/mcap_records.h and compression.h: one test per error kind a record or a
// chunk's compression can give, and that a checksum mismatch reaches the reader's CRC count.
#include "sensors/mcap/mcap_records.h"

#include <gtest/gtest.h>

#include "sensors/issues.h"
#include "sensors/mcap/compression.h"
#include "sensors/mcap/mcap_reader.h"

namespace longtail::sensors::mcap {
namespace {

// The content of one encoded record (its 9-byte prefix dropped).
Bytes ContentOf(const Record& record) {
  RecordEncoder encoder;
  encoder.Append(record);
  return Bytes(encoder.bytes().begin() + kRecordPrefixBytes, encoder.bytes().end());
}

Attachment SampleAttachment() {
  Attachment attachment;
  attachment.log_time = 5;
  attachment.name = "calibration.yaml";
  attachment.media_type = "text/yaml";
  attachment.data = {1, 2, 3, 4};
  return attachment;
}

TEST(McapRecords, ParsesWhatTheEncoderWrote) {
  const Decoded<Record> parsed = ParseRecord(0x09, ContentOf(SampleAttachment()));
  ASSERT_TRUE(parsed) << parsed.error().message;
  const Attachment& attachment = std::get<Attachment>(*parsed);
  EXPECT_EQ(attachment.name, "calibration.yaml");
  EXPECT_EQ(attachment.data, (Bytes{1, 2, 3, 4}));
}

TEST(McapRecords, AnAttachmentCrcMismatchIsAChecksumError) {
  Bytes content = ContentOf(SampleAttachment());
  content.back() ^= 1;  // the CRC is the last field
  const Decoded<Record> parsed = ParseRecord(0x09, content);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, DecodeErrorKind::kChecksumMismatch);
  EXPECT_EQ(parsed.error().message, "Attachment CRC mismatch");
}

TEST(McapRecords, FieldsThatRunPastTheContentAreTruncated) {
  Bytes content = ContentOf(Channel{1, 0, "/points", "protobuf", {}});
  content.resize(content.size() - 3);
  const Decoded<Record> parsed = ParseRecord(0x04, content);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, DecodeErrorKind::kTruncated);
  EXPECT_NE(parsed.error().message.find("Channel fields run past the record's end"),
            std::string::npos)
      << parsed.error().message;
  const Decoded<ChunkView> chunk = ParseChunkView(Bytes{1, 2, 3});
  ASSERT_FALSE(chunk);
  EXPECT_EQ(chunk.error().kind, DecodeErrorKind::kTruncated);
}

TEST(McapRecords, RaggedMessageIndexEntriesAreMalformed) {
  // channel 1, 20 bytes of entries: one 16-byte pair and 4 bytes left over.
  Bytes content = {1, 0, 20, 0, 0, 0};
  content.resize(content.size() + 20, 0);
  const Decoded<Record> parsed = ParseRecord(0x07, content);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, DecodeErrorKind::kMalformed);
}

TEST(McapRecords, AnOpcodeTheSpecDoesNotDefineIsUnsupported) {
  const Decoded<Record> parsed = ParseRecord(0x42, Bytes{1, 2, 3});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().kind, DecodeErrorKind::kUnsupported);
  EXPECT_EQ(parsed.error().message, "unknown opcode 0x42");
}

TEST(McapRecords, DecompressionErrorsSayTheirKind) {
  const Bytes raw = {1, 2, 3, 4, 5, 6, 7, 8};
  const Decoded<Bytes> unsupported = Decompress("brotli", raw, raw.size());
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().kind, DecodeErrorKind::kUnsupported);
  EXPECT_EQ(unsupported.error().message, "unsupported compression 'brotli'");
  const Decoded<Bytes> wrong_size = Decompress("", raw, raw.size() + 1);
  ASSERT_FALSE(wrong_size);
  EXPECT_EQ(wrong_size.error().kind, DecodeErrorKind::kMalformed);
  const Bytes lz4 = Compress("lz4", raw, 1);
  const Decoded<Bytes> cut = Decompress("lz4", ByteView(lz4).first(lz4.size() - 4), raw.size());
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, DecodeErrorKind::kTruncated) << cut.error().message;
  const Decoded<Bytes> whole = Decompress("lz4", lz4, raw.size());
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(*whole, raw);
}

TEST(McapRecords, TheStreamReaderCountsAnAttachmentChecksumMismatchAsACrcFailure) {
  Bytes attachment = ContentOf(SampleAttachment());
  attachment.back() ^= 1;  // the CRC is the record's last field
  RecordEncoder header, tail;
  header.Append(Header{});
  tail.Append(DataEnd{});
  tail.Append(Footer{});
  // Byte by byte: GCC 12 warns falsely on vector range inserts here.
  Bytes file;
  const auto put = [&file](ByteView bytes) {
    for (std::uint8_t byte : bytes) file.push_back(byte);
  };
  put(kMagic);
  put(header.bytes());
  file.push_back(static_cast<std::uint8_t>(Opcode::kAttachment));
  for (int i = 0; i < 8; ++i)
    file.push_back(static_cast<std::uint8_t>(attachment.size() >> (8 * i)));
  put(attachment);
  put(tail.bytes());
  put(kMagic);
  IssueLog issues;
  McapStreamReader reader(MemorySource(file, "attachment.mcap"), issues);
  while (reader.Next()) {
  }
  EXPECT_EQ(reader.report().crc_failures, 1u);
  ASSERT_EQ(issues.count(), 1u);
  EXPECT_NE(issues.issues()[0].reason.find("Attachment CRC mismatch"), std::string::npos)
      << issues.issues()[0].reason;
}

}  // namespace
}  // namespace longtail::sensors::mcap
