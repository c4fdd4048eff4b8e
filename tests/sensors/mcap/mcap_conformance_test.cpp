// The MCAP format's official conformance vectors: for every X.mcap, the streaming reader must
// produce exactly the records listed in X.json (chunks unwrapped, message indexes not listed), and
// the indexed reader must return the same messages for every file that has a summary.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sensors/mcap/mcap_reader.h"
#include "tests/test_support.h"

namespace longtail::sensors::mcap {
namespace {

using nlohmann::json;

json Str(std::uint64_t v) { return std::to_string(v); }
json BytesJson(const Bytes& bytes) {
  json out = json::array();
  for (std::uint8_t b : bytes) out.push_back(std::to_string(b));
  return out;
}
template <typename Map>
json MapJson(const Map& map) {
  json out = json::object();
  for (const auto& [k, v] : map) {
    if constexpr (std::is_same_v<typename Map::mapped_type, std::string>) {
      out[k] = v;
    } else {
      out[std::to_string(k)] = std::to_string(v);
    }
  }
  return out;
}

// The record as the conformance JSON spells it: fields sorted by name, integers as strings.
std::optional<json> ToJson(const Record& record) {
  json fields;
  std::string type;
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Header>) {
          type = "Header";
          fields = {{"library", r.library}, {"profile", r.profile}};
        } else if constexpr (std::is_same_v<T, Footer>) {
          type = "Footer";
          fields = {{"summary_crc", Str(r.summary_crc)},
                    {"summary_offset_start", Str(r.summary_offset_start)},
                    {"summary_start", Str(r.summary_start)}};
        } else if constexpr (std::is_same_v<T, Schema>) {
          type = "Schema";
          fields = {{"data", BytesJson(r.data)},
                    {"encoding", r.encoding},
                    {"id", Str(r.id)},
                    {"name", r.name}};
        } else if constexpr (std::is_same_v<T, Channel>) {
          type = "Channel";
          fields = {{"id", Str(r.id)},
                    {"message_encoding", r.message_encoding},
                    {"metadata", MapJson(r.metadata)},
                    {"schema_id", Str(r.schema_id)},
                    {"topic", r.topic}};
        } else if constexpr (std::is_same_v<T, Message>) {
          type = "Message";
          fields = {{"channel_id", Str(r.channel_id)},
                    {"data", BytesJson(r.data)},
                    {"log_time", Str(r.log_time)},
                    {"publish_time", Str(r.publish_time)},
                    {"sequence", Str(r.sequence)}};
        } else if constexpr (std::is_same_v<T, ChunkIndex>) {
          type = "ChunkIndex";
          fields = {{"chunk_length", Str(r.chunk_length)},
                    {"chunk_start_offset", Str(r.chunk_start_offset)},
                    {"compressed_size", Str(r.compressed_size)},
                    {"compression", r.compression},
                    {"message_end_time", Str(r.message_end_time)},
                    {"message_index_length", Str(r.message_index_length)},
                    {"message_index_offsets", MapJson(r.message_index_offsets)},
                    {"message_start_time", Str(r.message_start_time)},
                    {"uncompressed_size", Str(r.uncompressed_size)}};
        } else if constexpr (std::is_same_v<T, Attachment>) {
          type = "Attachment";
          fields = {{"create_time", Str(r.create_time)},
                    {"data", BytesJson(r.data)},
                    {"log_time", Str(r.log_time)},
                    {"media_type", r.media_type},
                    {"name", r.name}};
        } else if constexpr (std::is_same_v<T, AttachmentIndex>) {
          type = "AttachmentIndex";
          fields = {{"create_time", Str(r.create_time)},
                    {"data_size", Str(r.data_size)},
                    {"length", Str(r.length)},
                    {"log_time", Str(r.log_time)},
                    {"media_type", r.media_type},
                    {"name", r.name},
                    {"offset", Str(r.offset)}};
        } else if constexpr (std::is_same_v<T, Statistics>) {
          type = "Statistics";
          fields = {{"attachment_count", Str(r.attachment_count)},
                    {"channel_count", Str(r.channel_count)},
                    {"channel_message_counts", MapJson(r.channel_message_counts)},
                    {"chunk_count", Str(r.chunk_count)},
                    {"message_count", Str(r.message_count)},
                    {"message_end_time", Str(r.message_end_time)},
                    {"message_start_time", Str(r.message_start_time)},
                    {"metadata_count", Str(r.metadata_count)},
                    {"schema_count", Str(r.schema_count)}};
        } else if constexpr (std::is_same_v<T, Metadata>) {
          type = "Metadata";
          fields = {{"metadata", MapJson(r.metadata)}, {"name", r.name}};
        } else if constexpr (std::is_same_v<T, MetadataIndex>) {
          type = "MetadataIndex";
          fields = {{"length", Str(r.length)}, {"name", r.name}, {"offset", Str(r.offset)}};
        } else if constexpr (std::is_same_v<T, SummaryOffset>) {
          type = "SummaryOffset";
          fields = {{"group_length", Str(r.group_length)},
                    {"group_opcode", Str(r.group_opcode)},
                    {"group_start", Str(r.group_start)}};
        } else if constexpr (std::is_same_v<T, DataEnd>) {
          type = "DataEnd";
          fields = {{"data_section_crc", Str(r.data_section_crc)}};
        }
      },
      record);
  if (type.empty()) return std::nullopt;  // Chunk and MessageIndex: not listed in the vectors
  return json{{"type", type}, {"fields", fields}};
}

// The vectors list fields as [name, value] pairs; turn them into objects to compare.
json Normalize(const json& record) {
  json fields = json::object();
  for (const auto& pair : record.at("fields")) fields[pair.at(0).get<std::string>()] = pair.at(1);
  return json{{"type", record.at("type")}, {"fields", fields}};
}

std::vector<std::filesystem::path> Vectors(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".mcap") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string MessageKey(const Message& m) {
  return std::to_string(m.log_time) + "/" + std::to_string(m.channel_id) + "/" +
         std::to_string(m.sequence) + "/" + BytesJson(m.data).dump();
}

TEST(McapConformance, StreamingReaderReproducesEveryVectorExactly) {
  LONGTAIL_REQUIRE_DATA(root, "mcap-conformance");
  const auto files = Vectors(root);
  ASSERT_EQ(files.size(), 416u);
  int passed = 0;
  for (const auto& file : files) {
    std::ifstream in(std::filesystem::path(file).replace_extension(".json"));
    ASSERT_TRUE(in) << file;
    const json expected_doc = json::parse(in);
    json expected = json::array();
    for (const auto& record : expected_doc.at("records")) expected.push_back(Normalize(record));

    IssueLog issues;
    McapStreamReader reader(OpenFileSource(file), issues);
    json actual = json::array();
    while (std::optional<RecordAt> record = reader.Next()) {
      if (std::optional<json> j = ToJson(record->record)) actual.push_back(*j);
    }
    EXPECT_EQ(issues.count(), 0u) << file << ": "
                                  << (issues.count() ? ToString(issues.issues()[0]) : "");
    EXPECT_TRUE(reader.report().trailing_magic_ok) << file;
    EXPECT_EQ(actual, expected) << file;
    if (actual == expected && issues.count() == 0) ++passed;
  }
  EXPECT_EQ(passed, 416);
}

TEST(McapConformance, IndexedReaderReturnsTheStreamedMessagesWheneverThereIsASummary) {
  LONGTAIL_REQUIRE_DATA(root, "mcap-conformance");
  int with_summary = 0;
  for (const auto& file : Vectors(root)) {
    IssueLog issues;
    std::optional<McapIndexedReader> indexed =
        McapIndexedReader::Open(OpenFileSource(file), issues);
    if (!indexed) continue;
    ++with_summary;
    std::vector<std::string> streamed;
    McapStreamReader reader(OpenFileSource(file), issues);
    while (std::optional<RecordAt> record = reader.Next()) {
      if (const auto* m = std::get_if<Message>(&record->record)) streamed.push_back(MessageKey(*m));
    }
    std::vector<std::string> via_index;
    std::uint64_t last_time = 0;
    for (const Message& m : indexed->ReadMessages({})) {
      EXPECT_GE(m.log_time, last_time) << file << ": not in log_time order";
      last_time = m.log_time;
      via_index.push_back(MessageKey(m));
    }
    std::sort(streamed.begin(), streamed.end());
    std::sort(via_index.begin(), via_index.end());
    EXPECT_EQ(via_index, streamed) << file;
    EXPECT_EQ(issues.count(), 0u) << file;
  }
  EXPECT_GT(with_summary, 100);
}

}  // namespace
}  // namespace longtail::sensors::mcap
