#include "sensors/mcap/mcap_doctor.h"

#include <map>
#include <set>

namespace longtail::sensors::mcap {
namespace {

struct ChunkSeen {
  Chunk header;
  std::uint64_t length = 0;
  // Messages inside, per channel: (offset in the decompressed records, log_time ns).
  std::map<std::uint16_t, std::set<std::pair<std::uint64_t, std::uint64_t>>> messages;
};

class Checker {
 public:
  explicit Checker(const std::filesystem::path& path) : path_(path.string()) {}

  McapCheck Run(const std::filesystem::path& path) {
    IssueLog issues;
    McapStreamReader reader(OpenFileSource(path), issues);
    while (std::optional<RecordAt> record = reader.Next()) Visit(*record);
    check_.stream = reader.report();
    for (const DataIssue& issue : issues.issues()) check_.problems.push_back(issue);
    if (!check_.stream.header_seen) Problem(8, "the file does not start with a Header record");
    if (check_.stream.footer_seen && !check_.stream.data_end_seen) {
      Problem(0, "no DataEnd record before the summary");
    }
    CheckChunkIndexes();
    CheckStatistics();
    CheckRecordIndexes();
    check_.chunks = chunks_.size();
    for (const auto& [channel, count] : backwards_) {
      check_.notes.push_back(std::to_string(count) + " messages on " + Topic(channel) +
                             " have an earlier log_time than the one before (legal, but readers "
                             "that assume order will see them late)");
    }
    return std::move(check_);
  }

 private:
  void Problem(std::uint64_t offset, std::string reason) {
    check_.problems.push_back({path_, offset, 0, std::move(reason)});
  }
  std::string Topic(std::uint16_t channel) const {
    auto it = channels_.find(channel);
    return it == channels_.end() ? "channel " + std::to_string(channel) : it->second.topic;
  }

  void Visit(const RecordAt& at) {
    const Record& record = at.record;
    if (!at.chunk_offset && !data_end_) opcode_at_[at.offset] = {OpcodeOf(record), at.length};
    if (!at.chunk_offset && data_end_) summary_opcode_at_[at.offset] = OpcodeOf(record);
    if (const auto* chunk = std::get_if<Chunk>(&record)) {
      chunks_[at.offset] = ChunkSeen{*chunk, at.length, {}};
    } else if (const auto* schema = std::get_if<Schema>(&record)) {
      if (!data_end_) schemas_.insert(schema->id);
    } else if (const auto* channel = std::get_if<Channel>(&record)) {
      if (data_end_) return;
      if (channel->schema_id != 0 && !schemas_.count(channel->schema_id)) {
        Problem(at.offset, "channel " + channel->topic + " refers to schema " +
                               std::to_string(channel->schema_id) + " before any Schema record");
      }
      channels_[channel->id] = *channel;
    } else if (const auto* message = std::get_if<Message>(&record)) {
      ++check_.messages;
      ++counts_[message->channel_id];
      if (!channels_.count(message->channel_id)) {
        Problem(at.offset, "message on channel " + std::to_string(message->channel_id) +
                               " before its Channel record");
      }
      if (check_.messages == 1 || message->log_time < start_) start_ = message->log_time;
      if (check_.messages == 1 || message->log_time > end_) end_ = message->log_time;
      auto last = last_time_.find(message->channel_id);
      if (last != last_time_.end() && message->log_time < last->second)
        ++backwards_[message->channel_id];
      last_time_[message->channel_id] = message->log_time;
      if (at.chunk_offset) {
        ChunkSeen& chunk = chunks_[at.offset];
        chunk.messages[message->channel_id].insert({*at.chunk_offset, message->log_time});
        if (message->log_time < chunk.header.message_start_time ||
            message->log_time > chunk.header.message_end_time) {
          Problem(at.offset, "message at log_time " + std::to_string(message->log_time) +
                                 " lies outside its chunk's time range [" +
                                 std::to_string(chunk.header.message_start_time) + ", " +
                                 std::to_string(chunk.header.message_end_time) + "]");
        }
      }
    } else if (const auto* index = std::get_if<MessageIndex>(&record)) {
      message_indexes_[at.offset] = *index;
    } else if (std::holds_alternative<Attachment>(record)) {
      ++attachments_;
    } else if (std::holds_alternative<Metadata>(record)) {
      ++metadata_;
    } else if (std::holds_alternative<DataEnd>(record)) {
      data_end_ = true;
    } else if (const auto* chunk_index = std::get_if<ChunkIndex>(&record)) {
      chunk_indexes_.push_back(*chunk_index);
    } else if (const auto* statistics = std::get_if<Statistics>(&record)) {
      statistics_ = *statistics;
    } else if (const auto* attachment_index = std::get_if<AttachmentIndex>(&record)) {
      record_indexes_.push_back({Opcode::kAttachment, attachment_index->offset,
                                 attachment_index->length,
                                 "AttachmentIndex " + attachment_index->name});
    } else if (const auto* metadata_index = std::get_if<MetadataIndex>(&record)) {
      record_indexes_.push_back({Opcode::kMetadata, metadata_index->offset, metadata_index->length,
                                 "MetadataIndex " + metadata_index->name});
    } else if (const auto* offset = std::get_if<SummaryOffset>(&record)) {
      summary_offsets_.push_back({*offset, at.offset});
    }
  }

  void CheckChunkIndexes() {
    if (chunk_indexes_.empty()) {
      if (!chunks_.empty() && check_.stream.footer_seen) {
        check_.notes.push_back("no chunk indexes: readers must scan the whole file");
      }
      return;
    }
    std::set<std::uint64_t> indexed;
    for (const ChunkIndex& index : chunk_indexes_) {
      const std::string where = "ChunkIndex for offset " + std::to_string(index.chunk_start_offset);
      auto chunk = chunks_.find(index.chunk_start_offset);
      if (chunk == chunks_.end()) {
        Problem(index.chunk_start_offset, where + ": no readable Chunk there");
        continue;
      }
      indexed.insert(index.chunk_start_offset);
      const ChunkSeen& seen = chunk->second;
      if (index.chunk_length != seen.length || index.compression != seen.header.compression ||
          index.uncompressed_size != seen.header.uncompressed_size ||
          index.message_start_time != seen.header.message_start_time ||
          index.message_end_time != seen.header.message_end_time) {
        Problem(index.chunk_start_offset, where +
                                              ": length, compression, size or times differ "
                                              "from the Chunk record");
      }
      if (index.message_index_offsets.empty()) continue;
      std::uint64_t indexed_messages = 0;
      for (const auto& [channel, offset] : index.message_index_offsets) {
        auto mi = message_indexes_.find(offset);
        if (mi == message_indexes_.end() || mi->second.channel_id != channel) {
          Problem(offset, where + ": no MessageIndex for " + Topic(channel) + " where it points");
          continue;
        }
        std::set<std::pair<std::uint64_t, std::uint64_t>> entries;
        for (const auto& [time, inner] : mi->second.records) entries.insert({inner, time});
        indexed_messages += entries.size();
        auto actual = seen.messages.find(channel);
        if (actual == seen.messages.end() || actual->second != entries) {
          Problem(offset, where + ": MessageIndex of " + Topic(channel) +
                              " does not match the messages in the chunk");
        }
      }
      std::uint64_t actual_messages = 0;
      for (const auto& [channel, messages] : seen.messages) actual_messages += messages.size();
      if (indexed_messages != actual_messages) {
        Problem(index.chunk_start_offset,
                where + ": message indexes list " + std::to_string(indexed_messages) +
                    " messages, the chunk holds " + std::to_string(actual_messages));
      }
    }
    for (const auto& [offset, chunk] : chunks_) {
      if (!indexed.count(offset)) Problem(offset, "Chunk has no ChunkIndex in the summary");
    }
  }

  void CheckStatistics() {
    if (!statistics_) return;
    const Statistics& s = *statistics_;
    auto mismatch = [&](const std::string& what, std::uint64_t said, std::uint64_t found) {
      if (said != found) {
        Problem(0, "Statistics: " + what + " says " + std::to_string(said) + ", the file holds " +
                       std::to_string(found));
      }
    };
    mismatch("message_count", s.message_count, check_.messages);
    mismatch("chunk_count", s.chunk_count, chunks_.size());
    mismatch("attachment_count", s.attachment_count, attachments_);
    mismatch("metadata_count", s.metadata_count, metadata_);
    mismatch("channel_count", s.channel_count, channels_.size());
    if (check_.messages > 0) {
      mismatch("message_start_time", s.message_start_time, start_);
      mismatch("message_end_time", s.message_end_time, end_);
    }
    for (const auto& [channel, count] : s.channel_message_counts) {
      mismatch("the message count of " + Topic(channel), count, counts_[channel]);
    }
  }

  void CheckRecordIndexes() {
    for (const auto& [opcode, offset, length, what] : record_indexes_) {
      auto it = opcode_at_.find(offset);
      if (it == opcode_at_.end() || it->second.first != opcode || it->second.second != length) {
        Problem(offset, what + ": no such record where it points");
      }
    }
    for (const auto& [offset, at] : summary_offsets_) {
      auto it = summary_opcode_at_.find(offset.group_start);
      if (it == summary_opcode_at_.end() ||
          static_cast<std::uint8_t>(it->second) != offset.group_opcode) {
        Problem(at, "SummaryOffset for opcode " + OpcodeName(offset.group_opcode) +
                        " does not point at a group of those records");
      }
    }
  }

  std::string path_;
  McapCheck check_;
  bool data_end_ = false;
  std::set<std::uint16_t> schemas_;
  std::map<std::uint16_t, Channel> channels_;
  std::map<std::uint16_t, std::uint64_t> counts_, last_time_, backwards_;
  std::uint64_t start_ = 0, end_ = 0, attachments_ = 0, metadata_ = 0;
  std::map<std::uint64_t, ChunkSeen> chunks_;
  std::map<std::uint64_t, MessageIndex> message_indexes_;
  std::map<std::uint64_t, std::pair<Opcode, std::uint64_t>> opcode_at_;  // data section records
  std::map<std::uint64_t, Opcode> summary_opcode_at_;
  std::vector<ChunkIndex> chunk_indexes_;
  std::optional<Statistics> statistics_;
  struct RecordIndex {
    Opcode opcode;
    std::uint64_t offset, length;
    std::string what;
  };
  std::vector<RecordIndex> record_indexes_;
  std::vector<std::pair<SummaryOffset, std::uint64_t>> summary_offsets_;
};

}  // namespace

McapCheck CheckMcapFile(const std::filesystem::path& path) { return Checker(path).Run(path); }

}  // namespace longtail::sensors::mcap
