// Damaged MCAP files: truncated at many offsets, bytes flipped inside chunks and anywhere, and
// hand-made records that break the rules. Every case must end, report what was lost, and return
// the intact prefix.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "sensors/mcap/mcap_reader.h"
#include "sensors/mcap/mcap_writer.h"
#include "tests/test_support.h"

namespace longtail::sensors::mcap {
namespace {

Bytes ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// 300 messages of 200 bytes on two channels in ~1 KiB chunks (about 60 chunks), zstd.
Bytes SampleFile() {
  const auto path = testing::ScratchDir() / "sample.mcap";
  proto::McapWriterOptions options;
  options.set_chunk_size_bytes(1024);
  McapWriter writer(path, options);
  const std::uint16_t a = writer.AddChannel("/a", "raw", 0);
  const std::uint16_t b = writer.AddChannel("/b", "raw", 0);
  std::mt19937 random(7);
  for (int i = 0; i < 300; ++i) {
    Bytes data(200);
    for (auto& byte : data) byte = static_cast<std::uint8_t>(random() & 0x0f);  // compressible
    writer.WriteMessage(i % 2 ? a : b, 1000 * i, 1000 * i, data);
  }
  writer.Close();
  return ReadAll(path);
}

struct Pass {
  std::vector<Message> messages;
  StreamReport report;
  std::size_t issues = 0;
  std::vector<DataIssue> details;
};
Pass ReadStream(Bytes bytes) {
  IssueLog issues;
  McapStreamReader reader(MemorySource(std::move(bytes), "damaged.mcap"), issues);
  Pass pass;
  std::size_t guard = 0;
  while (std::optional<RecordAt> record = reader.Next()) {
    if (auto* m = std::get_if<Message>(&record->record)) pass.messages.push_back(*m);
    if (++guard > 100000) ADD_FAILURE() << "reader does not end";
    if (guard > 100000) break;
  }
  pass.report = reader.report();
  pass.issues = issues.count();
  pass.details = issues.issues();
  return pass;
}

bool SameMessage(const Message& a, const Message& b) {
  return a.channel_id == b.channel_id && a.log_time == b.log_time && a.sequence == b.sequence &&
         a.data == b.data;
}

TEST(McapCorruption, TruncationAtAnyOffsetKeepsTheWholeChunksBeforeTheCut) {
  const Bytes full = SampleFile();
  const Pass whole = ReadStream(full);
  ASSERT_EQ(whole.issues, 0u);
  ASSERT_EQ(whole.messages.size(), 300u);
  IssueLog ignored;
  std::optional<McapIndexedReader> indexed = McapIndexedReader::Open(MemorySource(full), ignored);
  ASSERT_TRUE(indexed);
  const std::vector<ChunkIndex> chunks = indexed->summary().chunk_indexes;

  int cases = 0;
  for (std::size_t cut = 0; cut < full.size(); cut += (cut < 200 ? 1 : 37)) {
    const Pass pass =
        ReadStream(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut)));
    ++cases;
    ASSERT_GE(pass.issues, 1u) << "cut at " << cut << " went unreported";
    ASSERT_TRUE(pass.report.truncated_at.has_value()) << cut;
    EXPECT_FALSE(pass.report.trailing_magic_ok);
    EXPECT_LE(*pass.report.truncated_at, cut);
    EXPECT_EQ(pass.report.bytes_dropped, cut - *pass.report.truncated_at) << cut;
    // What was read is a prefix of the file's messages ...
    ASSERT_LE(pass.messages.size(), whole.messages.size());
    for (std::size_t i = 0; i < pass.messages.size(); ++i) {
      ASSERT_TRUE(SameMessage(pass.messages[i], whole.messages[i]))
          << "cut " << cut << " msg " << i;
    }
    // ... holding at least every message of every chunk (and its indexes) that ends before the cut.
    std::size_t intact = 0;
    for (const ChunkIndex& chunk : chunks) {
      if (chunk.chunk_start_offset + chunk.chunk_length > cut) continue;
      for (const MessageIndex& index : indexed->ReadMessageIndexes(chunk))
        intact += index.records.size();
    }
    EXPECT_GE(pass.messages.size(), intact) << "cut at " << cut;
  }
  EXPECT_GT(cases, 300);
}

// A recorder killed mid-chunk: the chunk's first messages are still there in its compressed
// blocks (zstd 128 KiB, lz4 64 KiB), and come back.
TEST(McapCorruption, ACutInsideALargeChunkRecoversTheMessagesAtItsStart) {
  for (const std::string compression : {"zstd", "lz4", ""}) {
    const auto path = testing::ScratchDir() / "big.mcap";
    proto::McapWriterOptions options;
    options.set_compression(compression);
    McapWriter writer(path, options);  // one 4 MiB chunk
    const std::uint16_t c = writer.AddChannel("/a", "raw", 0);
    std::mt19937 random(3);
    for (int i = 0; i < 300; ++i) {
      Bytes data(10000);
      for (auto& byte : data) byte = static_cast<std::uint8_t>(random());
      writer.WriteMessage(c, i, i, data);
    }
    writer.Close();
    const Bytes full = ReadAll(path);
    const Pass whole = ReadStream(full);
    ASSERT_EQ(whole.report.chunks, 1u);
    const Pass pass = ReadStream(
        Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(full.size() / 2)));
    EXPECT_GT(pass.messages.size(), 100u) << compression;
    EXPECT_LE(pass.messages.size(), 150u) << compression;
    for (std::size_t i = 0; i < pass.messages.size(); ++i) {
      ASSERT_TRUE(SameMessage(pass.messages[i], whole.messages[i])) << compression << " " << i;
    }
    ASSERT_EQ(pass.details.size(), 1u);
    EXPECT_NE(pass.details[0].reason.find("recovered"), std::string::npos)
        << pass.details[0].reason;
  }
}

TEST(McapCorruption, TruncationIsReportedWithOffsetBytesAndRecords) {
  const Bytes full = SampleFile();
  const std::size_t cut = full.size() / 2;
  const Pass pass =
      ReadStream(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut)));
  ASSERT_EQ(pass.details.size(), 1u);
  const DataIssue& issue = pass.details[0];
  EXPECT_EQ(issue.file, "damaged.mcap");
  EXPECT_EQ(issue.offset, *pass.report.truncated_at);
  EXPECT_EQ(issue.bytes, cut - issue.offset);
  EXPECT_NE(issue.reason.find("truncated"), std::string::npos) << issue.reason;
  EXPECT_NE(issue.reason.find("no Footer"), std::string::npos) << issue.reason;
  EXPECT_EQ(pass.report.records_dropped, 1u);
}

TEST(McapCorruption, AFlippedByteInsideAChunkDropsOnlyThatChunk) {
  const Bytes full = SampleFile();
  const Pass whole = ReadStream(full);
  IssueLog ignored;
  std::optional<McapIndexedReader> indexed = McapIndexedReader::Open(MemorySource(full), ignored);
  ASSERT_TRUE(indexed);
  int cases = 0;
  for (const ChunkIndex& chunk : indexed->summary().chunk_indexes) {
    std::size_t in_chunk = 0;
    for (const MessageIndex& index : indexed->ReadMessageIndexes(chunk))
      in_chunk += index.records.size();
    for (std::uint64_t at : {chunk.compressed_size / 2, chunk.compressed_size - 5}) {
      Bytes damaged = full;
      // The compressed records are the last compressed_size bytes of the chunk record.
      const std::uint64_t pos =
          chunk.chunk_start_offset + chunk.chunk_length - chunk.compressed_size + at;
      damaged[pos] ^= 0x5a;
      const Pass pass = ReadStream(damaged);
      ++cases;
      EXPECT_GE(pass.issues, 1u) << "flip at " << pos << " went unreported";
      EXPECT_TRUE(pass.report.trailing_magic_ok) << "the pass must go on to the end";
      EXPECT_EQ(pass.messages.size(), whole.messages.size() - in_chunk) << "flip at " << pos;
      EXPECT_EQ(pass.report.records_dropped, 1u);
      // The indexed reader skips the same chunk, reported, and still returns all the others.
      IssueLog issues;
      std::optional<McapIndexedReader> damaged_index =
          McapIndexedReader::Open(MemorySource(damaged), issues);
      ASSERT_TRUE(damaged_index);
      EXPECT_EQ(damaged_index->ReadMessages({}).size(), whole.messages.size() - in_chunk);
      EXPECT_GE(issues.count(), 1u);
    }
  }
  EXPECT_GT(cases, 50);
}

TEST(McapCorruption, RandomByteFlipsAnywhereNeverCrashOrHang) {
  const Bytes full = SampleFile();
  std::mt19937 random(12345);
  for (int trial = 0; trial < 400; ++trial) {
    Bytes damaged = full;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int f = 0; f < flips; ++f)
      damaged[random() % damaged.size()] ^= static_cast<std::uint8_t>(1 + random() % 255);
    const Pass pass = ReadStream(damaged);
    EXPECT_LE(pass.messages.size(), 400u);
    IssueLog issues;
    if (auto indexed = McapIndexedReader::Open(MemorySource(damaged), issues)) {
      MessageFilter all;
      EXPECT_LE(indexed->ReadMessages(all).size(), 400u);
    }
  }
}

// Hand-made files: magic + records + whatever the case needs.
Bytes Build(const std::vector<Record>& records, const Bytes& extra = {}, bool close = true) {
  Bytes bytes(kMagic, kMagic + 8);
  RecordEncoder encoder;
  for (const Record& r : records) encoder.Append(r);
  bytes.insert(bytes.end(), encoder.bytes().begin(), encoder.bytes().end());
  bytes.insert(bytes.end(), extra.begin(), extra.end());
  if (close) {
    RecordEncoder footer;
    footer.Append(Footer{});
    bytes.insert(bytes.end(), footer.bytes().begin(), footer.bytes().end());
    bytes.insert(bytes.end(), kMagic, kMagic + 8);
  }
  return bytes;
}

TEST(McapCorruption, UnknownOpcodesAreSkippedSilently) {
  Bytes unknown = {0x80, 3, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c'};
  const Bytes file = Build({Header{}, Channel{1, 0, "/x", "raw", {}}}, unknown);
  RecordEncoder message;
  message.Append(Message{1, 0, 5, 5, Bytes{1}});
  Bytes with_message = file;
  with_message.insert(with_message.begin() + static_cast<std::ptrdiff_t>(file.size() - 8 - 29),
                      message.bytes().begin(), message.bytes().end());
  const Pass pass = ReadStream(with_message);
  EXPECT_EQ(pass.issues, 0u);
  ASSERT_EQ(pass.messages.size(), 1u);
  EXPECT_TRUE(pass.report.trailing_magic_ok);
}

TEST(McapCorruption, NotAnMcapFileIsReportedAtOffsetZero) {
  const Pass pass = ReadStream(Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'});
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_EQ(pass.details[0].offset, 0u);
  EXPECT_EQ(pass.details[0].bytes, 11u);
  EXPECT_NE(pass.details[0].reason.find("not an MCAP file"), std::string::npos);
}

TEST(McapCorruption, BytesAfterTheClosingMagicAreReported) {
  Bytes file = Build({Header{}});
  file.push_back(1);
  file.push_back(2);
  const Pass pass = ReadStream(file);
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_EQ(pass.details[0].bytes, 2u);
  EXPECT_TRUE(pass.report.trailing_magic_ok);
}

TEST(McapCorruption, AFooterWithoutClosingMagicIsReported) {
  Bytes file = Build({Header{}});
  file.resize(file.size() - 3);
  const Pass pass = ReadStream(file);
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_FALSE(pass.report.trailing_magic_ok);
  EXPECT_NE(pass.details[0].reason.find("closing magic"), std::string::npos);
}

TEST(McapCorruption, AChunkWithAnUnknownCompressionIsReportedAndSkipped) {
  Chunk chunk;
  chunk.compression = "brotli";
  chunk.uncompressed_size = 3;
  chunk.records = {1, 2, 3};
  const Pass pass = ReadStream(Build({Header{}, chunk, DataEnd{}}));
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_NE(pass.details[0].reason.find("unsupported compression 'brotli'"), std::string::npos);
  EXPECT_EQ(pass.report.records_dropped, 1u);
}

TEST(McapCorruption, AChunkCrcMismatchIsReportedAndItsRecordsDropped) {
  RecordEncoder inner;
  inner.Append(Channel{1, 0, "/x", "raw", {}});
  inner.Append(Message{1, 0, 1, 1, Bytes{9}});
  Chunk chunk;
  chunk.uncompressed_size = inner.size();
  chunk.uncompressed_crc = Crc32(inner.bytes()) ^ 1;
  chunk.records = inner.bytes();
  const Pass pass = ReadStream(Build({Header{}, chunk, DataEnd{}}));
  EXPECT_TRUE(pass.messages.empty());
  EXPECT_EQ(pass.report.crc_failures, 1u);
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_NE(pass.details[0].reason.find("CRC mismatch"), std::string::npos);
}

TEST(McapCorruption, ARecordInsideAChunkThatOverrunsItIsReported) {
  RecordEncoder inner;
  inner.Append(Channel{1, 0, "/x", "raw", {}});
  inner.Append(Message{1, 0, 1, 1, Bytes{9}});
  Bytes records = inner.bytes();
  records.resize(records.size() - 2);  // the message now claims more than the chunk holds
  Chunk chunk;
  chunk.uncompressed_size = records.size();
  chunk.records = records;
  const Pass pass = ReadStream(Build({Header{}, chunk, DataEnd{}}));
  EXPECT_TRUE(pass.messages.empty());
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_NE(pass.details[0].reason.find("rest of the chunk is lost"), std::string::npos);
}

TEST(McapCorruption, ARecordWhoseFieldsOverrunItsLengthIsReportedAndSkipped) {
  // A Channel whose topic length says 1000 bytes inside a 20-byte record.
  Bytes bad = {0x04, 12, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xe8, 0x03, 0, 0, 'a', 'b', 'c', 'd'};
  const Pass pass = ReadStream(Build({Header{}}, bad));
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_NE(pass.details[0].reason.find("run past"), std::string::npos) << pass.details[0].reason;
  EXPECT_TRUE(pass.report.trailing_magic_ok);
}

TEST(McapCorruption, ADataSectionCrcMismatchIsReported) {
  const Pass pass = ReadStream(Build({Header{}, DataEnd{12345}}));
  EXPECT_EQ(pass.report.crc_failures, 1u);
  ASSERT_EQ(pass.details.size(), 1u);
  EXPECT_NE(pass.details[0].reason.find("data section CRC"), std::string::npos);
}

TEST(McapCorruption, ASummaryCrcMismatchIsReportedAndTheIndexNotTrusted) {
  Bytes full = SampleFile();
  IssueLog ignored;
  std::optional<McapIndexedReader> indexed = McapIndexedReader::Open(MemorySource(full), ignored);
  ASSERT_TRUE(indexed);
  // Flip a byte inside the Statistics record of the summary.
  full[indexed->summary().footer.summary_start + 40] ^= 1;
  IssueLog issues;
  EXPECT_FALSE(McapIndexedReader::Open(MemorySource(full), issues));
  EXPECT_EQ(issues.count(), 1u);
  const Pass pass = ReadStream(full);
  EXPECT_EQ(pass.report.crc_failures, 1u);
  EXPECT_EQ(pass.messages.size(), 300u);  // the data section is intact
}

TEST(McapCorruption, AnOversizedRecordIsSkippedUnderTheMemoryLimit) {
  Bytes file = Build({Header{}, Metadata{"big", {{"k", std::string(5000, 'x')}}}});
  IssueLog issues;
  StreamReaderOptions options;
  options.max_record_bytes = 1000;
  McapStreamReader reader(MemorySource(file), issues, options);
  while (reader.Next()) {
  }
  EXPECT_EQ(issues.count(), 1u);
  EXPECT_TRUE(reader.report().trailing_magic_ok);
}

}  // namespace
}  // namespace longtail::sensors::mcap
