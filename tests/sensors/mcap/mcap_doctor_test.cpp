// The MCAP health check: every official conformance vector and every longtail file is healthy;
// damage of each kind is found and located.
#include "sensors/mcap/mcap_doctor.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "sensors/mcap/mcap_writer.h"
#include "tests/test_support.h"

namespace longtail::sensors::mcap {
namespace {

Bytes ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}
void WriteAll(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

std::filesystem::path Sample(const std::filesystem::path& dir) {
  const auto path = dir / "sample.mcap";
  proto::McapWriterOptions options;
  options.set_chunk_size_bytes(2048);
  McapWriter writer(path, options);
  const std::uint16_t a = writer.AddChannel("/a", "raw", 0);
  for (int i = 0; i < 50; ++i)
    writer.WriteMessage(a, 100 * i, 100 * i, Bytes(100, static_cast<std::uint8_t>(i)));
  writer.WriteMetadata(Metadata{"m", {{"k", "v"}}});
  writer.Close();
  return path;
}

std::string Reasons(const McapCheck& check) {
  std::string all;
  for (const DataIssue& p : check.problems) all += ToString(p) + "\n";
  return all;
}

TEST(McapDoctor, EveryConformanceVectorIsHealthy) {
  LONGTAIL_REQUIRE_DATA(root, "mcap-conformance");
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".mcap") continue;
    const McapCheck check = CheckMcapFile(entry.path());
    EXPECT_TRUE(check.healthy()) << entry.path() << "\n" << Reasons(check);
    ++files;
  }
  EXPECT_EQ(files, 416);
}

TEST(McapDoctor, ALongtailFileIsHealthy) {
  const McapCheck check = CheckMcapFile(Sample(testing::ScratchDir()));
  EXPECT_TRUE(check.healthy()) << Reasons(check);
  EXPECT_EQ(check.messages, 50u);
  EXPECT_GT(check.chunks, 1u);
  EXPECT_TRUE(check.stream.trailing_magic_ok);
}

TEST(McapDoctor, FindsACorruptChunk) {
  const auto dir = testing::ScratchDir();
  Bytes bytes = ReadAll(Sample(dir));
  bytes[200] ^= 0xff;  // inside the first chunk's compressed records
  WriteAll(dir / "bad.mcap", bytes);
  const McapCheck check = CheckMcapFile(dir / "bad.mcap");
  EXPECT_FALSE(check.healthy());
  EXPECT_NE(Reasons(check).find("Chunk at offset"), std::string::npos) << Reasons(check);
}

TEST(McapDoctor, FindsATruncatedFile) {
  const auto dir = testing::ScratchDir();
  Bytes bytes = ReadAll(Sample(dir));
  bytes.resize(bytes.size() - 100);
  WriteAll(dir / "cut.mcap", bytes);
  const McapCheck check = CheckMcapFile(dir / "cut.mcap");
  EXPECT_FALSE(check.healthy());
  EXPECT_FALSE(check.stream.trailing_magic_ok);
  EXPECT_NE(Reasons(check).find("truncated"), std::string::npos);
}

// Hand-made files whose records are each valid but whose summary lies about the data.
Bytes Build(const std::vector<Record>& data, const std::vector<Record>& summary) {
  RecordEncoder out;
  for (const Record& r : data) out.Append(r);
  out.Append(DataEnd{});
  const std::uint64_t summary_start = 8 + out.size();
  for (const Record& r : summary) out.Append(r);
  out.Append(Footer{summary.empty() ? 0 : summary_start, 0, 0});
  // Sized once and copied into: GCC 12 misreports growing inserts here (-Warray-bounds).
  Bytes bytes(8 + out.size() + 8);
  std::memcpy(bytes.data(), kMagic, 8);
  std::memcpy(bytes.data() + 8, out.bytes().data(), out.size());
  std::memcpy(bytes.data() + 8 + out.size(), kMagic, 8);
  return bytes;
}

TEST(McapDoctor, FindsStatisticsThatDisagreeWithTheData) {
  Statistics stats;
  stats.message_count = 2;
  stats.channel_count = 1;
  stats.message_start_time = 5;
  stats.message_end_time = 5;
  const auto dir = testing::ScratchDir();
  WriteAll(dir / "x.mcap",
           Build({Header{}, Channel{1, 0, "/x", "raw", {}}, Message{1, 0, 5, 5, {}}}, {stats}));
  const McapCheck check = CheckMcapFile(dir / "x.mcap");
  EXPECT_NE(Reasons(check).find("message_count says 2, the file holds 1"), std::string::npos)
      << Reasons(check);
}

TEST(McapDoctor, FindsMessagesBeforeTheirChannelAndChannelsBeforeTheirSchema) {
  const auto dir = testing::ScratchDir();
  WriteAll(dir / "x.mcap",
           Build({Header{}, Message{1, 0, 5, 5, {}}, Channel{1, 3, "/x", "raw", {}}}, {}));
  const std::string reasons = Reasons(CheckMcapFile(dir / "x.mcap"));
  EXPECT_NE(reasons.find("before its Channel record"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("before any Schema record"), std::string::npos) << reasons;
}

TEST(McapDoctor, FindsIndexesThatPointAtNothing) {
  const auto dir = testing::ScratchDir();
  ChunkIndex chunk_index;
  chunk_index.chunk_start_offset = 8;
  chunk_index.chunk_length = 50;
  WriteAll(dir / "x.mcap",
           Build({Header{}}, {chunk_index, MetadataIndex{8, 10, "m"}, SummaryOffset{0x03, 9, 10}}));
  const std::string reasons = Reasons(CheckMcapFile(dir / "x.mcap"));
  EXPECT_NE(reasons.find("no readable Chunk there"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("MetadataIndex m: no such record"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("SummaryOffset for opcode Schema"), std::string::npos) << reasons;
}

TEST(McapDoctor, FindsAMessageOutsideItsChunksTimeRange) {
  RecordEncoder inner;
  inner.Append(Channel{1, 0, "/x", "raw", {}});
  inner.Append(Message{1, 0, 50, 50, {}});
  Chunk chunk;
  chunk.message_start_time = 10;
  chunk.message_end_time = 20;
  chunk.uncompressed_size = inner.size();
  chunk.records = inner.bytes();
  const auto dir = testing::ScratchDir();
  WriteAll(dir / "x.mcap", Build({Header{}, chunk}, {}));
  const std::string reasons = Reasons(CheckMcapFile(dir / "x.mcap"));
  EXPECT_NE(reasons.find("outside its chunk's time range"), std::string::npos) << reasons;
}

}  // namespace
}  // namespace longtail::sensors::mcap
