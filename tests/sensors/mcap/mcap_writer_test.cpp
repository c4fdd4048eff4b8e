// The writer against both readers: what goes in comes out, chunked with each compression, with a
// full summary and valid CRCs; a writer that is not closed leaves nothing behind.
#include "sensors/mcap/mcap_writer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "sensors/mcap/mcap_reader.h"
#include "tests/test_support.h"

namespace longtail::sensors::mcap {
namespace {

Bytes Payload(int i, std::size_t size) {
  Bytes data(size);
  for (std::size_t k = 0; k < size; ++k)
    data[k] = static_cast<std::uint8_t>((i * 31 + k * 7) & 0xff);
  return data;
}

proto::McapWriterOptions Options(const std::string& compression, std::uint64_t chunk_size) {
  proto::McapWriterOptions options;
  options.set_compression(compression);
  options.set_chunk_size_bytes(chunk_size);
  return options;
}

// Two channels, 100 messages each, interleaved; times in ns.
std::filesystem::path WriteSample(const std::filesystem::path& dir, const std::string& compression,
                                  std::uint64_t chunk_size) {
  const auto path =
      dir / ("sample-" + (compression.empty() ? std::string("none") : compression) + ".mcap");
  McapWriter writer(path, Options(compression, chunk_size));
  const std::uint16_t schema = writer.AddSchema("test.Blob", "jsonschema", Bytes{'{', '}'});
  const std::uint16_t a = writer.AddChannel("/a", "json", schema, {{"rate", "10"}});
  const std::uint16_t b = writer.AddChannel("/b", "json", schema);
  for (int i = 0; i < 100; ++i) {
    writer.WriteMessage(a, 1000 + 10 * i, 1000 + 10 * i, Payload(i, 300));
    writer.WriteMessage(b, 1005 + 10 * i, 1005 + 10 * i, Payload(-i, 50));
  }
  writer.WriteMetadata(Metadata{"calibration", {{"k", "v"}}});
  writer.WriteAttachment(Attachment{5, 6, "notes.txt", "text/plain", Bytes{'h', 'i'}, 0});
  writer.Close();
  return path;
}

struct StreamResult {
  std::vector<Message> messages;
  std::vector<std::string> types;
  StreamReport report;
};
StreamResult Stream(const std::filesystem::path& path, IssueLog& issues) {
  StreamResult result;
  McapStreamReader reader(OpenFileSource(path), issues);
  while (std::optional<RecordAt> record = reader.Next()) {
    result.types.push_back(OpcodeName(static_cast<std::uint8_t>(OpcodeOf(record->record))));
    if (auto* m = std::get_if<Message>(&record->record)) result.messages.push_back(*m);
  }
  result.report = reader.report();
  return result;
}

class McapWriterCompression : public ::testing::TestWithParam<std::string> {};

TEST_P(McapWriterCompression, StreamingReaderGetsEveryMessageBackWithValidCrcs) {
  const auto path = WriteSample(testing::ScratchDir(), GetParam(), 4096);
  IssueLog issues;
  const StreamResult result = Stream(path, issues);
  EXPECT_EQ(issues.count(), 0u) << (issues.count() ? ToString(issues.issues()[0]) : "");
  ASSERT_EQ(result.messages.size(), 200u);
  EXPECT_EQ(result.messages[0].channel_id, 1);
  EXPECT_EQ(result.messages[0].log_time, 1000u);
  EXPECT_EQ(result.messages[0].data, Payload(0, 300));
  EXPECT_EQ(result.messages[199].log_time, 1995u);
  EXPECT_EQ(result.messages[199].data, Payload(-99, 50));
  EXPECT_EQ(result.messages[199].sequence, 99u);
  EXPECT_TRUE(result.report.trailing_magic_ok);
  EXPECT_GT(result.report.chunks, 5u);  // 4 KiB chunks
  EXPECT_EQ(result.report.chunks_by_compression.count(GetParam()), 1u);
  EXPECT_EQ(result.report.crc_failures, 0u);
}

TEST_P(McapWriterCompression, IndexedReaderReturnsTheSameMessagesInTimeOrder) {
  const auto path = WriteSample(testing::ScratchDir(), GetParam(), 4096);
  IssueLog issues;
  const StreamResult streamed = Stream(path, issues);
  std::optional<McapIndexedReader> indexed = McapIndexedReader::Open(OpenFileSource(path), issues);
  ASSERT_TRUE(indexed);
  const std::vector<Message> all = indexed->ReadMessages({});
  ASSERT_EQ(all.size(), streamed.messages.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].log_time, streamed.messages[i].log_time);  // the sample is written in order
    EXPECT_EQ(all[i].data, streamed.messages[i].data);
  }
  EXPECT_EQ(issues.count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllCompressions, McapWriterCompression,
                         ::testing::Values(std::string("zstd"), std::string("lz4"),
                                           std::string("")));

TEST(McapWriter, SummaryHoldsSchemasChannelsStatisticsAndEveryIndex) {
  const auto path = WriteSample(testing::ScratchDir(), "zstd", 4096);
  IssueLog issues;
  std::optional<McapIndexedReader> indexed = McapIndexedReader::Open(OpenFileSource(path), issues);
  ASSERT_TRUE(indexed);
  const Summary& summary = indexed->summary();
  ASSERT_EQ(summary.schemas.size(), 1u);
  EXPECT_EQ(summary.schemas.at(1).name, "test.Blob");
  ASSERT_EQ(summary.channels.size(), 2u);
  EXPECT_EQ(summary.channels.at(1).metadata.at("rate"), "10");
  ASSERT_TRUE(summary.statistics);
  EXPECT_EQ(summary.statistics->message_count, 200u);
  EXPECT_EQ(summary.statistics->channel_message_counts.at(2), 100u);
  EXPECT_EQ(summary.statistics->message_start_time, 1000u);
  EXPECT_EQ(summary.statistics->message_end_time, 1995u);
  EXPECT_EQ(summary.statistics->chunk_count, summary.chunk_indexes.size());
  EXPECT_EQ(summary.statistics->metadata_count, 1u);
  EXPECT_EQ(summary.statistics->attachment_count, 1u);
  ASSERT_EQ(summary.metadata_indexes.size(), 1u);
  EXPECT_EQ(indexed->ReadMetadata(summary.metadata_indexes[0])->metadata.at("k"), "v");
  ASSERT_EQ(summary.attachment_indexes.size(), 1u);
  EXPECT_EQ(summary.attachment_indexes[0].name, "notes.txt");
  EXPECT_GE(summary.summary_offsets.size(), 5u);
  ASSERT_TRUE(summary.header);
  EXPECT_EQ(summary.header->library, "longtail 0.1.0");

  std::uint64_t indexed_messages = 0;
  for (const ChunkIndex& chunk : summary.chunk_indexes) {
    for (const MessageIndex& index : indexed->ReadMessageIndexes(chunk)) {
      indexed_messages += index.records.size();
      EXPECT_TRUE(chunk.message_index_offsets.count(index.channel_id));
    }
  }
  EXPECT_EQ(indexed_messages, 200u);
}

TEST(McapWriter, IndexedReaderReadsOnlyTheRequestedTopicAndTimeRange) {
  const auto path = WriteSample(testing::ScratchDir(), "zstd", 4096);
  IssueLog ignored;
  std::optional<McapIndexedReader> indexed = McapIndexedReader::Open(OpenFileSource(path), ignored);
  ASSERT_TRUE(indexed);
  MessageFilter filter;
  filter.topics = {"/b"};
  filter.start_time = 1205;
  filter.end_time = 1305;
  const std::vector<Message> messages = indexed->ReadMessages(filter);
  ASSERT_EQ(messages.size(), 11u);
  for (const Message& m : messages) EXPECT_EQ(m.channel_id, 2);
  EXPECT_EQ(messages.front().log_time, 1205u);
  EXPECT_EQ(messages.back().log_time, 1305u);
}

TEST(McapWriter, OverlappingChunksStillComeOutInTimeOrder) {
  const auto path = testing::ScratchDir() / "out-of-order.mcap";
  {
    McapWriter writer(path, Options("zstd", 64));
    const std::uint16_t c = writer.AddChannel("/x", "raw", 0);
    for (std::uint64_t t : {50, 10, 40, 20, 30, 60, 0})
      writer.WriteMessage(c, t, t, Payload(1, 70));
    writer.Close();
  }
  IssueLog ignored;
  std::optional<McapIndexedReader> indexed = McapIndexedReader::Open(OpenFileSource(path), ignored);
  ASSERT_TRUE(indexed);
  std::vector<std::uint64_t> times;
  for (const Message& m : indexed->ReadMessages({})) times.push_back(m.log_time);
  EXPECT_EQ(times, (std::vector<std::uint64_t>{0, 10, 20, 30, 40, 50, 60}));
}

TEST(McapWriter, AnUnclosedWriterLeavesNoFileBehind) {
  const auto dir = testing::ScratchDir();
  {
    McapWriter writer(dir / "killed.mcap");
    const std::uint16_t c = writer.AddChannel("/x", "raw", 0);
    writer.WriteMessage(c, 1, 1, Payload(1, 10));
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "killed.mcap"));
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(McapWriter, AnEmptyFileIsStillAWholeIndexedMcap) {
  const auto path = testing::ScratchDir() / "empty.mcap";
  McapWriter writer(path);
  writer.Close();
  IssueLog issues;
  const StreamResult result = Stream(path, issues);
  EXPECT_EQ(issues.count(), 0u);
  EXPECT_EQ(result.types, (std::vector<std::string>{"Header", "DataEnd", "Statistics",
                                                    "SummaryOffset", "Footer"}));
}

TEST(McapWriter, RejectsAnUnknownCompression) {
  EXPECT_THROW(McapWriter(testing::ScratchDir() / "x.mcap", Options("brotli", 100)),
               std::runtime_error);
}

TEST(McapWriter, RejectsMessagesOnAnUnknownChannel) {
  McapWriter writer(testing::ScratchDir() / "x.mcap");
  EXPECT_THROW(writer.WriteMessage(7, 0, 0, Bytes{}), std::invalid_argument);
}

}  // namespace
}  // namespace longtail::sensors::mcap
