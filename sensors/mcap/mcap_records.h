// MCAP records (https://mcap.dev/spec, major version 0): plain structs, one per opcode, and their
// binary encoding. Integers are little-endian; MCAP timestamps are uint64 nanoseconds since an
// epoch the writer chose (longtail writes the Unix epoch).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "sensors/decode_result.h"

namespace longtail::sensors::mcap {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// "\x89MCAP0\r\n": starts and ends every file.
inline constexpr std::uint8_t kMagic[8] = {0x89, 'M', 'C', 'A', 'P', '0', '\r', '\n'};
// opcode (1 byte) + content length (8 bytes) in front of every record.
inline constexpr std::uint64_t kRecordPrefixBytes = 9;

enum class Opcode : std::uint8_t {
  kHeader = 0x01,
  kFooter = 0x02,
  kSchema = 0x03,
  kChannel = 0x04,
  kMessage = 0x05,
  kChunk = 0x06,
  kMessageIndex = 0x07,
  kChunkIndex = 0x08,
  kAttachment = 0x09,
  kAttachmentIndex = 0x0A,
  kStatistics = 0x0B,
  kMetadata = 0x0C,
  kMetadataIndex = 0x0D,
  kSummaryOffset = 0x0E,
  kDataEnd = 0x0F,
};
// "Chunk", "Message" …, or "0x42" for an opcode the spec does not define.
std::string OpcodeName(std::uint8_t opcode);

struct Header {
  std::string profile;  // e.g. "" or "ros2"
  std::string library;  // free text naming the writer
};
struct Footer {
  std::uint64_t summary_start = 0;         // byte offset of the summary section, 0 if none
  std::uint64_t summary_offset_start = 0;  // byte offset of the summary offset section, 0 if none
  std::uint32_t summary_crc = 0;  // CRC-32 from the summary start to here, 0 = not computed
};
struct Schema {
  std::uint16_t id = 0;  // 1.. (0 is invalid)
  std::string name;      // e.g. "foxglove.PointCloud"
  std::string encoding;  // e.g. "protobuf"; "" = no schema
  Bytes data;            // e.g. a serialized FileDescriptorSet
};
struct Channel {
  std::uint16_t id = 0;
  std::uint16_t schema_id = 0;  // 0 = schemaless
  std::string topic;
  std::string message_encoding;  // e.g. "protobuf"
  std::map<std::string, std::string> metadata;
};
struct Message {
  std::uint16_t channel_id = 0;
  std::uint32_t sequence = 0;
  std::uint64_t log_time = 0;      // ns, when it was recorded
  std::uint64_t publish_time = 0;  // ns, when it was published
  Bytes data;
};
// In streaming reads the chunk's `records` are not kept: the records inside follow it instead.
struct Chunk {
  std::uint64_t message_start_time = 0;  // ns, earliest log_time inside (0 if no messages)
  std::uint64_t message_end_time = 0;    // ns, latest log_time inside
  std::uint64_t uncompressed_size = 0;   // bytes of `records` once decompressed
  std::uint32_t uncompressed_crc = 0;    // CRC-32 of the decompressed records, 0 = not computed
  std::string compression;               // "", "lz4" (LZ4 frame) or "zstd"
  Bytes records;                         // compressed records
};
struct MessageIndex {
  std::uint16_t channel_id = 0;
  // (log_time ns, offset of the Message record in the decompressed chunk), in chunk order.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> records;
};
struct ChunkIndex {
  std::uint64_t message_start_time = 0;  // ns
  std::uint64_t message_end_time = 0;    // ns
  std::uint64_t chunk_start_offset = 0;  // byte offset of the Chunk record in the file
  std::uint64_t chunk_length = 0;        // bytes of the Chunk record, prefix included
  std::map<std::uint16_t, std::uint64_t> message_index_offsets;  // channel id -> file offset
  std::uint64_t message_index_length = 0;  // bytes of the MessageIndex records after the chunk
  std::string compression;
  std::uint64_t compressed_size = 0;    // bytes
  std::uint64_t uncompressed_size = 0;  // bytes
};
struct Attachment {
  std::uint64_t log_time = 0;     // ns
  std::uint64_t create_time = 0;  // ns, 0 if unknown
  std::string name;
  std::string media_type;
  Bytes data;
  std::uint32_t crc = 0;  // CRC-32 of the record's preceding fields, 0 = not computed
};
struct AttachmentIndex {
  std::uint64_t offset = 0;  // byte offset of the Attachment record
  std::uint64_t length = 0;  // bytes of the record, prefix included
  std::uint64_t log_time = 0;
  std::uint64_t create_time = 0;
  std::uint64_t data_size = 0;  // bytes
  std::string name;
  std::string media_type;
};
struct Statistics {
  std::uint64_t message_count = 0;
  std::uint16_t schema_count = 0;
  std::uint32_t channel_count = 0;
  std::uint32_t attachment_count = 0;
  std::uint32_t metadata_count = 0;
  std::uint32_t chunk_count = 0;
  std::uint64_t message_start_time = 0;  // ns
  std::uint64_t message_end_time = 0;    // ns
  std::map<std::uint16_t, std::uint64_t> channel_message_counts;
};
struct Metadata {
  std::string name;
  std::map<std::string, std::string> metadata;
};
struct MetadataIndex {
  std::uint64_t offset = 0;  // byte offset of the Metadata record
  std::uint64_t length = 0;  // bytes of the record, prefix included
  std::string name;
};
struct SummaryOffset {
  std::uint8_t group_opcode = 0;
  std::uint64_t group_start = 0;   // byte offset of the group's first record
  std::uint64_t group_length = 0;  // bytes of the whole group
};
struct DataEnd {
  std::uint32_t data_section_crc = 0;  // CRC-32 of every byte before this record, 0 = not computed
};

using Record = std::variant<Header, Footer, Schema, Channel, Message, Chunk, MessageIndex,
                            ChunkIndex, Attachment, AttachmentIndex, Statistics, Metadata,
                            MetadataIndex, SummaryOffset, DataEnd>;

Opcode OpcodeOf(const Record& record);

// Parses a record's content (without its 9-byte prefix). Bytes past the known fields are ignored,
// as the spec requires. A Chunk's `records` are copied only when `copy_chunk_records`.
// Errors: kTruncated (fields run past the content), kMalformed, kChecksumMismatch (Attachment
// CRC), and kUnsupported for an opcode the spec does not define, which readers skip silently.
Decoded<Record> ParseRecord(std::uint8_t opcode, ByteView content, bool copy_chunk_records = true);

// The header fields of a Chunk and a view of its compressed records inside `content`.
struct ChunkView {
  Chunk header;  // `records` left empty
  ByteView records;
};
Decoded<ChunkView> ParseChunkView(ByteView content);  // kTruncated when fields run past

// Encodes records one after another into a growing buffer.
class RecordEncoder {
 public:
  void Append(const Record& record);
  // Appends a Message record without building a Message (the writer's hot path).
  void AppendMessage(std::uint16_t channel_id, std::uint32_t sequence, std::uint64_t log_time,
                     std::uint64_t publish_time, ByteView data);
  void AppendRaw(ByteView bytes) { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }
  const Bytes& bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  void Clear() { bytes_.clear(); }

 private:
  Bytes bytes_;
};

// Standard CRC-32 (zlib's), continuing from `crc` (0 to start).
std::uint32_t Crc32(ByteView bytes, std::uint32_t crc = 0);

}  // namespace longtail::sensors::mcap
