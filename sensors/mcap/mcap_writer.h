// Writes MCAP files: chunked (zstd by default, 4 MiB chunks), a MessageIndex per channel after each
// chunk, a full summary (schemas, channels, statistics, chunk/attachment/metadata indexes, summary
// offsets) and every CRC. The file is written under a temporary name and renamed on Close(), so a
// killed writer never leaves a file that looks whole.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sensors/mcap/mcap_options.pb.h"
#include "sensors/mcap/mcap_records.h"

namespace longtail::sensors::mcap {

class McapWriter {
 public:
  // Throws std::runtime_error when the temporary file cannot be created or the compression is
  // unknown.
  McapWriter(const std::filesystem::path& path, const proto::McapWriterOptions& options = {});
  // Without Close() the temporary file is deleted and `path` is left as it was.
  ~McapWriter();
  McapWriter(const McapWriter&) = delete;
  McapWriter& operator=(const McapWriter&) = delete;

  // Ids start at 1. Adding the same schema or channel twice returns the first id.
  std::uint16_t AddSchema(const std::string& name, const std::string& encoding, const Bytes& data);
  std::uint16_t AddChannel(const std::string& topic, const std::string& message_encoding,
                           std::uint16_t schema_id,
                           const std::map<std::string, std::string>& metadata = {});
  // Times are ns. `sequence` defaults to a per-channel counter.
  void WriteMessage(std::uint16_t channel_id, std::uint64_t log_time, std::uint64_t publish_time,
                    ByteView data, std::optional<std::uint32_t> sequence = std::nullopt);
  void WriteAttachment(const Attachment& attachment);
  void WriteMetadata(const Metadata& metadata);
  // Writes the last chunk, the summary and the footer, then renames the file into place.
  // Throws std::runtime_error on an I/O error (the temporary file is removed).
  void Close();

  std::uint64_t bytes_written() const { return pos_; }

 private:
  void WriteBytes(ByteView bytes, bool in_data_section = true);
  void FlushChunk();

  std::filesystem::path path_, temp_path_;
  proto::McapWriterOptions options_;
  std::FILE* file_ = nullptr;
  std::uint64_t pos_ = 0;
  std::uint32_t data_crc_ = 0;
  bool closed_ = false;

  std::vector<Schema> schemas_;
  std::vector<Channel> channels_;
  std::map<std::uint16_t, bool> channel_in_chunk_;  // channel records already in the open chunk
  std::map<std::uint16_t, std::uint32_t> next_sequence_;

  // The open chunk.
  RecordEncoder chunk_;
  std::uint64_t chunk_start_time_ = 0, chunk_end_time_ = 0;
  bool chunk_has_messages_ = false;
  std::map<std::uint16_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>> chunk_index_;

  Statistics statistics_;
  std::vector<ChunkIndex> chunk_indexes_;
  std::vector<AttachmentIndex> attachment_indexes_;
  std::vector<MetadataIndex> metadata_indexes_;
};

}  // namespace longtail::sensors::mcap
