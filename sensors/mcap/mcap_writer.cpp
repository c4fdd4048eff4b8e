#include "sensors/mcap/mcap_writer.h"

#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "sensors/mcap/compression.h"

namespace longtail::sensors::mcap {

McapWriter::McapWriter(const std::filesystem::path& path, const proto::McapWriterOptions& options)
    : path_(path), options_(options) {
  if (!IsSupportedCompression(options_.compression())) {
    throw std::runtime_error("unsupported MCAP compression '" + options_.compression() + "'");
  }
  temp_path_ = path_;
  temp_path_ += ".tmp-" + std::to_string(::getpid());
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (!file_) {
    throw std::runtime_error("cannot create " + temp_path_.string() + ": " + std::strerror(errno));
  }
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  WriteBytes(ByteView(kMagic, 8));
  RecordEncoder header;
  header.Append(Header{options_.profile(), options_.library()});
  WriteBytes(header.bytes());
}

McapWriter::~McapWriter() {
  if (file_) {
    std::fclose(file_);
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

void McapWriter::WriteBytes(ByteView bytes, bool in_data_section) {
  if (bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw std::runtime_error("cannot write " + temp_path_.string() + ": " + std::strerror(errno));
  }
  if (in_data_section) data_crc_ = Crc32(bytes, data_crc_);
  pos_ += bytes.size();
}

std::uint16_t McapWriter::AddSchema(const std::string& name, const std::string& encoding,
                                    const Bytes& data) {
  for (const Schema& schema : schemas_) {
    if (schema.name == name && schema.encoding == encoding && schema.data == data) return schema.id;
  }
  schemas_.push_back(Schema{static_cast<std::uint16_t>(schemas_.size() + 1), name, encoding, data});
  return schemas_.back().id;
}

std::uint16_t McapWriter::AddChannel(const std::string& topic, const std::string& message_encoding,
                                     std::uint16_t schema_id,
                                     const std::map<std::string, std::string>& metadata) {
  for (const Channel& channel : channels_) {
    if (channel.topic == topic && channel.message_encoding == message_encoding &&
        channel.schema_id == schema_id && channel.metadata == metadata) {
      return channel.id;
    }
  }
  if (schema_id > schemas_.size()) throw std::invalid_argument("unknown MCAP schema id");
  channels_.push_back(Channel{static_cast<std::uint16_t>(channels_.size() + 1), schema_id, topic,
                              message_encoding, metadata});
  return channels_.back().id;
}

void McapWriter::WriteMessage(std::uint16_t channel_id, std::uint64_t log_time,
                              std::uint64_t publish_time, ByteView data,
                              std::optional<std::uint32_t> sequence) {
  if (channel_id == 0 || channel_id > channels_.size()) {
    throw std::invalid_argument("unknown MCAP channel id " + std::to_string(channel_id));
  }
  // Each chunk carries the schema and channel records its messages need, so a chunk can be read
  // on its own (the indexed reader and tools that recover damaged files rely on that).
  if (!channel_in_chunk_[channel_id]) {
    const Channel& channel = channels_[channel_id - 1];
    if (channel.schema_id != 0) chunk_.Append(schemas_[channel.schema_id - 1]);
    chunk_.Append(channel);
    channel_in_chunk_[channel_id] = true;
  }
  const std::uint32_t seq = sequence ? *sequence : next_sequence_[channel_id]++;
  chunk_index_[channel_id].emplace_back(log_time, chunk_.size());
  chunk_.AppendMessage(channel_id, seq, log_time, publish_time, data);
  if (!chunk_has_messages_ || log_time < chunk_start_time_) chunk_start_time_ = log_time;
  if (!chunk_has_messages_ || log_time > chunk_end_time_) chunk_end_time_ = log_time;
  chunk_has_messages_ = true;

  if (statistics_.message_count == 0 || log_time < statistics_.message_start_time) {
    statistics_.message_start_time = log_time;
  }
  if (statistics_.message_count == 0 || log_time > statistics_.message_end_time) {
    statistics_.message_end_time = log_time;
  }
  ++statistics_.message_count;
  ++statistics_.channel_message_counts[channel_id];
  if (chunk_.size() >= options_.chunk_size_bytes()) FlushChunk();
}

void McapWriter::FlushChunk() {
  if (chunk_.size() == 0) return;
  Chunk chunk;
  chunk.message_start_time = chunk_has_messages_ ? chunk_start_time_ : 0;
  chunk.message_end_time = chunk_has_messages_ ? chunk_end_time_ : 0;
  chunk.uncompressed_size = chunk_.size();
  chunk.uncompressed_crc = Crc32(chunk_.bytes());
  chunk.compression = options_.compression();
  const int level =
      chunk.compression == "lz4" ? options_.lz4_compression_level() : options_.compression_level();
  chunk.records = Compress(chunk.compression, chunk_.bytes(), level);

  ChunkIndex index;
  index.message_start_time = chunk.message_start_time;
  index.message_end_time = chunk.message_end_time;
  index.chunk_start_offset = pos_;
  index.compression = chunk.compression;
  index.compressed_size = chunk.records.size();
  index.uncompressed_size = chunk.uncompressed_size;
  RecordEncoder out;
  out.Append(chunk);
  index.chunk_length = out.size();
  WriteBytes(out.bytes());

  out.Clear();
  for (auto& [channel_id, entries] : chunk_index_) {
    index.message_index_offsets[channel_id] = pos_ + out.size();
    out.Append(MessageIndex{channel_id, std::move(entries)});
  }
  index.message_index_length = out.size();
  WriteBytes(out.bytes());

  chunk_indexes_.push_back(std::move(index));
  ++statistics_.chunk_count;
  chunk_.Clear();
  chunk_index_.clear();
  channel_in_chunk_.clear();
  chunk_has_messages_ = false;
}

void McapWriter::WriteAttachment(const Attachment& attachment) {
  FlushChunk();  // attachments may not sit inside a chunk
  RecordEncoder out;
  out.Append(attachment);
  attachment_indexes_.push_back(AttachmentIndex{pos_, out.size(), attachment.log_time,
                                                attachment.create_time, attachment.data.size(),
                                                attachment.name, attachment.media_type});
  WriteBytes(out.bytes());
  ++statistics_.attachment_count;
}

void McapWriter::WriteMetadata(const Metadata& metadata) {
  FlushChunk();
  RecordEncoder out;
  out.Append(metadata);
  metadata_indexes_.push_back(MetadataIndex{pos_, out.size(), metadata.name});
  WriteBytes(out.bytes());
  ++statistics_.metadata_count;
}

void McapWriter::Close() {
  if (closed_) return;
  try {
    FlushChunk();
    RecordEncoder data_end;
    data_end.Append(DataEnd{data_crc_});
    WriteBytes(data_end.bytes(), false);

    // Summary: one group per opcode, each located by a SummaryOffset record.
    const std::uint64_t summary_start = pos_;
    RecordEncoder summary;
    std::vector<SummaryOffset> offsets;
    auto group = [&](Opcode opcode, auto&& append_all) {
      const std::uint64_t start = summary.size();
      append_all();
      if (summary.size() > start) {
        offsets.push_back(SummaryOffset{static_cast<std::uint8_t>(opcode), summary_start + start,
                                        summary.size() - start});
      }
    };
    group(Opcode::kSchema, [&] {
      for (const Schema& s : schemas_) summary.Append(s);
    });
    group(Opcode::kChannel, [&] {
      for (const Channel& c : channels_) summary.Append(c);
    });
    statistics_.schema_count = static_cast<std::uint16_t>(schemas_.size());
    statistics_.channel_count = static_cast<std::uint32_t>(channels_.size());
    group(Opcode::kStatistics, [&] { summary.Append(statistics_); });
    group(Opcode::kChunkIndex, [&] {
      for (const ChunkIndex& c : chunk_indexes_) summary.Append(c);
    });
    group(Opcode::kAttachmentIndex, [&] {
      for (const AttachmentIndex& a : attachment_indexes_) summary.Append(a);
    });
    group(Opcode::kMetadataIndex, [&] {
      for (const MetadataIndex& m : metadata_indexes_) summary.Append(m);
    });
    const std::uint64_t summary_offset_start = summary_start + summary.size();
    for (const SummaryOffset& offset : offsets) summary.Append(offset);

    // The footer's CRC covers the summary through its own summary_offset_start field.
    RecordEncoder footer;
    footer.Append(Footer{summary_start, summary_offset_start, 0});
    std::uint32_t crc = Crc32(summary.bytes());
    crc = Crc32(ByteView(footer.bytes()).first(footer.size() - 4), crc);
    footer.Clear();
    footer.Append(Footer{summary_start, summary_offset_start, crc});
    footer.AppendRaw(ByteView(kMagic, 8));
    WriteBytes(summary.bytes(), false);
    WriteBytes(footer.bytes(), false);

    if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) {
      throw std::runtime_error("cannot flush " + temp_path_.string() + ": " + std::strerror(errno));
    }
    std::FILE* file = file_;
    file_ = nullptr;
    if (std::fclose(file) != 0) {
      throw std::runtime_error("cannot close " + temp_path_.string() + ": " + std::strerror(errno));
    }
    std::filesystem::rename(temp_path_, path_);
    closed_ = true;
  } catch (...) {
    if (file_) std::fclose(file_);
    file_ = nullptr;
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
    throw;
  }
}

}  // namespace longtail::sensors::mcap
