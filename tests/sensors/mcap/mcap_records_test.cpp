// Tests of sensors/mcap/mcap_records.h and compression.h: one test per error kind a record or a
// chunk's compression can give, that a checksum mismatch reaches the reader's CRC count, CRC-32
// against its definition and the reusing chunk decompressor against Decompress.
#include "sensors/mcap/mcap_records.h"

#include <gtest/gtest.h>

#include <random>
#include <string_view>

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

ByteView BytesOf(std::string_view text) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// CRC-32 by its definition, one bit at a time (reflected polynomial 0xEDB88320, register and
// result inverted): slow, obviously right, and independent of the library under test.
std::uint32_t BitwiseCrc32(ByteView bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::uint8_t byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

Bytes RandomBytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 random(seed);
  Bytes bytes(n);
  for (std::uint8_t& byte : bytes) byte = static_cast<std::uint8_t>(random());
  return bytes;
}

TEST(McapRecords, Crc32GivesTheStandardCheckValues) {
  EXPECT_EQ(Crc32(BytesOf("")), 0u);
  EXPECT_EQ(Crc32(BytesOf("a")), 0xE8B7BE43u);
  EXPECT_EQ(Crc32(BytesOf("123456789")), 0xCBF43926u);
  EXPECT_EQ(Crc32(BytesOf("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
  EXPECT_EQ(Crc32(Bytes(32, 0)), 0x190A55ADu);
  EXPECT_EQ(Crc32(Bytes(32, 0xFF)), 0xFF6CAB0Bu);
}

TEST(McapRecords, Crc32MatchesTheDefinitionAtEveryLengthAndAlignment) {
  // Odd lengths and starts off any vector boundary reach the library's head and tail paths.
  const Bytes bytes = RandomBytes(4096 + 64, 7);
  for (std::size_t start = 0; start < 64; start += 5) {
    for (std::size_t length :
         {0, 1, 3, 7, 15, 16, 17, 31, 63, 64, 65, 127, 255, 256, 257, 1023, 1024, 1025, 4095}) {
      const ByteView piece = ByteView(bytes).subspan(start, length);
      ASSERT_EQ(Crc32(piece), BitwiseCrc32(piece)) << "start " << start << " length " << length;
    }
  }
  const Bytes large = RandomBytes((std::size_t{3} << 20) + 13, 11);  // past any block size
  EXPECT_EQ(Crc32(large), BitwiseCrc32(large));
}

TEST(McapRecords, Crc32ContinuesFromAPreviousResult) {
  // The readers CRC a file record by record: pieces must chain to the whole buffer's CRC.
  const Bytes bytes = RandomBytes(100003, 3);
  const std::uint32_t whole = BitwiseCrc32(bytes);
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{9}, std::size_t{4097},
                          std::size_t{65536}, bytes.size() - 1, bytes.size()}) {
    const ByteView view(bytes);
    EXPECT_EQ(Crc32(view.subspan(cut), Crc32(view.first(cut))), whole) << "cut at " << cut;
  }
  std::uint32_t crc = 0;
  std::mt19937 random(5);
  for (std::size_t pos = 0; pos < bytes.size();) {
    const std::size_t n = std::min<std::size_t>(random() % 3000, bytes.size() - pos);
    crc = Crc32(ByteView(bytes).subspan(pos, n), crc);
    pos += n;
  }
  EXPECT_EQ(crc, whole);
  EXPECT_EQ(Crc32(BytesOf("56789"), Crc32(BytesOf("1234"))), 0xCBF43926u);
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

TEST(McapRecords, AChunkDecompressorReusesItsBufferAcrossChunksOfAnySize) {
  ChunkDecompressor decompressor;
  // Larger, smaller, larger again: each view holds exactly that chunk's records.
  for (std::size_t n : {std::size_t{5000}, std::size_t{17}, std::size_t{200000}, std::size_t{3},
                        std::size_t{0}, std::size_t{150000}}) {
    const Bytes raw = RandomBytes(n, static_cast<std::uint32_t>(n));
    for (const std::string compression : {"", "lz4", "zstd"}) {
      const Bytes compressed = Compress(compression, raw, 1);
      const Decoded<ByteView> records = decompressor.Decompress(compression, compressed, n);
      ASSERT_TRUE(records) << compression << " " << n << ": " << records.error().message;
      EXPECT_EQ(Bytes(records->begin(), records->end()), raw) << compression << " " << n;
    }
  }
}

TEST(McapRecords, AChunkDecompressorGivesDecompressErrorsAndRecovers) {
  const Bytes raw = RandomBytes(70000, 1);  // more than one lz4 block
  ChunkDecompressor decompressor;
  for (const std::string compression : {"lz4", "zstd"}) {
    const Bytes compressed = Compress(compression, raw, 1);
    const ByteView cut = ByteView(compressed).first(compressed.size() / 2);
    const Decoded<ByteView> broken = decompressor.Decompress(compression, cut, raw.size());
    const Decoded<Bytes> expected = Decompress(compression, cut, raw.size());
    ASSERT_FALSE(broken);
    ASSERT_FALSE(expected);
    EXPECT_EQ(broken.error().kind, expected.error().kind) << compression;
    EXPECT_EQ(broken.error().message, expected.error().message) << compression;
    const Decoded<ByteView> short_claim =
        decompressor.Decompress(compression, compressed, raw.size() - 1);
    const Decoded<Bytes> expected_short = Decompress(compression, compressed, raw.size() - 1);
    ASSERT_FALSE(short_claim);
    ASSERT_FALSE(expected_short);
    EXPECT_EQ(short_claim.error().message, expected_short.error().message) << compression;
    // A context left mid-frame by the errors above decodes the next whole chunk.
    const Decoded<ByteView> whole = decompressor.Decompress(compression, compressed, raw.size());
    ASSERT_TRUE(whole) << compression << ": " << whole.error().message;
    EXPECT_EQ(Bytes(whole->begin(), whole->end()), raw);
  }
  const Decoded<ByteView> unsupported = decompressor.Decompress("brotli", raw, raw.size());
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().message, "unsupported compression 'brotli'");
  const Decoded<ByteView> wrong_size = decompressor.Decompress("", raw, raw.size() + 1);
  ASSERT_FALSE(wrong_size);
  EXPECT_EQ(wrong_size.error().kind, DecodeErrorKind::kMalformed);
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
