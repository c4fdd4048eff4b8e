#include "sensors/mcap/mcap_records.h"

#include <isa-l/crc.h>

#include <cstring>

namespace longtail::sensors::mcap {
namespace {

// Reads little-endian fields from a record's content; any read past the end sets `failed` and
// returns a zero value, so a parser checks once at the end instead of after every field.
class Cursor {
 public:
  explicit Cursor(ByteView bytes) : bytes_(bytes) {}

  template <typename T>
  T Int() {
    if (!Need(sizeof(T))) return T{};
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      value |= static_cast<T>(static_cast<T>(bytes_[pos_ + i]) << (8 * i));
    }
    pos_ += sizeof(T);
    return value;
  }
  ByteView View(std::uint64_t n) {
    if (!Need(n)) return {};
    ByteView view = bytes_.subspan(pos_, n);
    pos_ += n;
    return view;
  }
  std::string String() {
    const ByteView view = View(Int<std::uint32_t>());
    return std::string(reinterpret_cast<const char*>(view.data()), view.size());
  }
  Bytes Bytes32() {
    const ByteView view = View(Int<std::uint32_t>());
    return Bytes(view.begin(), view.end());
  }
  std::map<std::string, std::string> StringMap() {
    Cursor inner(View(Int<std::uint32_t>()));
    std::map<std::string, std::string> map;
    while (!failed_ && !inner.failed_ && inner.remaining() > 0) {
      std::string key = inner.String();
      std::string value = inner.String();
      if (!inner.failed_) map[std::move(key)] = std::move(value);
    }
    failed_ = failed_ || inner.failed_;
    return map;
  }
  std::map<std::uint16_t, std::uint64_t> IdCountMap() {
    Cursor inner(View(Int<std::uint32_t>()));
    std::map<std::uint16_t, std::uint64_t> map;
    while (!failed_ && !inner.failed_ && inner.remaining() > 0) {
      const auto key = inner.Int<std::uint16_t>();
      const auto value = inner.Int<std::uint64_t>();
      if (!inner.failed_) map[key] = value;
    }
    failed_ = failed_ || inner.failed_;
    return map;
  }
  std::size_t position() const { return pos_; }
  std::uint64_t remaining() const { return bytes_.size() - pos_; }
  bool failed() const { return failed_; }

 private:
  bool Need(std::uint64_t n) {
    if (failed_ || n > bytes_.size() - pos_) {
      failed_ = true;
      return false;
    }
    return true;
  }
  ByteView bytes_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

void PutBytes(Bytes& out, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  out.insert(out.end(), p, p + n);
}
template <typename T>
void Put(Bytes& out, T value) {
  std::uint8_t le[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) le[i] = static_cast<std::uint8_t>(value >> (8 * i));
  PutBytes(out, le, sizeof(T));
}
void PutString(Bytes& out, const std::string& s) {
  Put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  PutBytes(out, s.data(), s.size());
}
void PutStringMap(Bytes& out, const std::map<std::string, std::string>& map) {
  std::uint64_t bytes = 0;
  for (const auto& [k, v] : map) bytes += 8 + k.size() + v.size();
  Put<std::uint32_t>(out, static_cast<std::uint32_t>(bytes));
  for (const auto& [k, v] : map) {
    PutString(out, k);
    PutString(out, v);
  }
}
void PutIdMap(Bytes& out, const std::map<std::uint16_t, std::uint64_t>& map) {
  Put<std::uint32_t>(out, static_cast<std::uint32_t>(map.size() * 10));
  for (const auto& [k, v] : map) {
    Put<std::uint16_t>(out, k);
    Put<std::uint64_t>(out, v);
  }
}

// Writes the content of one record (no prefix).
struct ContentWriter {
  Bytes& out;
  void operator()(const Header& r) {
    PutString(out, r.profile);
    PutString(out, r.library);
  }
  void operator()(const Footer& r) {
    Put(out, r.summary_start);
    Put(out, r.summary_offset_start);
    Put(out, r.summary_crc);
  }
  void operator()(const Schema& r) {
    Put(out, r.id);
    PutString(out, r.name);
    PutString(out, r.encoding);
    Put<std::uint32_t>(out, static_cast<std::uint32_t>(r.data.size()));
    PutBytes(out, r.data.data(), r.data.size());
  }
  void operator()(const Channel& r) {
    Put(out, r.id);
    Put(out, r.schema_id);
    PutString(out, r.topic);
    PutString(out, r.message_encoding);
    PutStringMap(out, r.metadata);
  }
  void operator()(const Message& r) {
    Put(out, r.channel_id);
    Put(out, r.sequence);
    Put(out, r.log_time);
    Put(out, r.publish_time);
    PutBytes(out, r.data.data(), r.data.size());
  }
  void operator()(const Chunk& r) {
    Put(out, r.message_start_time);
    Put(out, r.message_end_time);
    Put(out, r.uncompressed_size);
    Put(out, r.uncompressed_crc);
    PutString(out, r.compression);
    Put<std::uint64_t>(out, r.records.size());
    PutBytes(out, r.records.data(), r.records.size());
  }
  void operator()(const MessageIndex& r) {
    Put(out, r.channel_id);
    Put<std::uint32_t>(out, static_cast<std::uint32_t>(r.records.size() * 16));
    for (const auto& [time, offset] : r.records) {
      Put(out, time);
      Put(out, offset);
    }
  }
  void operator()(const ChunkIndex& r) {
    Put(out, r.message_start_time);
    Put(out, r.message_end_time);
    Put(out, r.chunk_start_offset);
    Put(out, r.chunk_length);
    PutIdMap(out, r.message_index_offsets);
    Put(out, r.message_index_length);
    PutString(out, r.compression);
    Put(out, r.compressed_size);
    Put(out, r.uncompressed_size);
  }
  void operator()(const Attachment& r) {
    const std::size_t start = out.size();
    Put(out, r.log_time);
    Put(out, r.create_time);
    PutString(out, r.name);
    PutString(out, r.media_type);
    Put<std::uint64_t>(out, r.data.size());
    PutBytes(out, r.data.data(), r.data.size());
    // The CRC covers the fields just written; it is always computed, `r.crc` is ignored.
    Put(out, Crc32(ByteView(out.data() + start, out.size() - start)));
  }
  void operator()(const AttachmentIndex& r) {
    Put(out, r.offset);
    Put(out, r.length);
    Put(out, r.log_time);
    Put(out, r.create_time);
    Put(out, r.data_size);
    PutString(out, r.name);
    PutString(out, r.media_type);
  }
  void operator()(const Statistics& r) {
    Put(out, r.message_count);
    Put(out, r.schema_count);
    Put(out, r.channel_count);
    Put(out, r.attachment_count);
    Put(out, r.metadata_count);
    Put(out, r.chunk_count);
    Put(out, r.message_start_time);
    Put(out, r.message_end_time);
    PutIdMap(out, r.channel_message_counts);
  }
  void operator()(const Metadata& r) {
    PutString(out, r.name);
    PutStringMap(out, r.metadata);
  }
  void operator()(const MetadataIndex& r) {
    Put(out, r.offset);
    Put(out, r.length);
    PutString(out, r.name);
  }
  void operator()(const SummaryOffset& r) {
    Put(out, r.group_opcode);
    Put(out, r.group_start);
    Put(out, r.group_length);
  }
  void operator()(const DataEnd& r) { Put(out, r.data_section_crc); }
};

}  // namespace

std::string OpcodeName(std::uint8_t opcode) {
  static const char* const kNames[] = {
      "",         "Header",        "Footer",        "Schema",     "Channel",         "Message",
      "Chunk",    "MessageIndex",  "ChunkIndex",    "Attachment", "AttachmentIndex", "Statistics",
      "Metadata", "MetadataIndex", "SummaryOffset", "DataEnd"};
  if (opcode >= 1 && opcode <= 0x0F) return kNames[opcode];
  static const char* const kHex = "0123456789abcdef";
  return std::string("0x") + kHex[opcode >> 4] + kHex[opcode & 15];
}

Opcode OpcodeOf(const Record& record) {
  return static_cast<Opcode>(record.index() + 1);  // the variant lists records in opcode order
}

Decoded<ChunkView> ParseChunkView(ByteView content) {
  Cursor in(content);
  ChunkView view;
  view.header.message_start_time = in.Int<std::uint64_t>();
  view.header.message_end_time = in.Int<std::uint64_t>();
  view.header.uncompressed_size = in.Int<std::uint64_t>();
  view.header.uncompressed_crc = in.Int<std::uint32_t>();
  view.header.compression = in.String();
  view.records = in.View(in.Int<std::uint64_t>());
  if (in.failed()) {
    return DecodeError{DecodeErrorKind::kTruncated, "Chunk fields run past the record's end"};
  }
  return view;
}

Decoded<Record> ParseRecord(std::uint8_t opcode, ByteView content, bool copy_chunk_records) {
  Cursor in(content);
  Record record;
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kHeader: {
      Header r;
      r.profile = in.String();
      r.library = in.String();
      record = std::move(r);
      break;
    }
    case Opcode::kFooter: {
      Footer r;
      r.summary_start = in.Int<std::uint64_t>();
      r.summary_offset_start = in.Int<std::uint64_t>();
      r.summary_crc = in.Int<std::uint32_t>();
      record = r;
      break;
    }
    case Opcode::kSchema: {
      Schema r;
      r.id = in.Int<std::uint16_t>();
      r.name = in.String();
      r.encoding = in.String();
      r.data = in.Bytes32();
      record = std::move(r);
      break;
    }
    case Opcode::kChannel: {
      Channel r;
      r.id = in.Int<std::uint16_t>();
      r.schema_id = in.Int<std::uint16_t>();
      r.topic = in.String();
      r.message_encoding = in.String();
      r.metadata = in.StringMap();
      record = std::move(r);
      break;
    }
    case Opcode::kMessage: {
      Message r;
      r.channel_id = in.Int<std::uint16_t>();
      r.sequence = in.Int<std::uint32_t>();
      r.log_time = in.Int<std::uint64_t>();
      r.publish_time = in.Int<std::uint64_t>();
      const ByteView data = in.View(in.remaining());
      r.data.assign(data.begin(), data.end());
      record = std::move(r);
      break;
    }
    case Opcode::kChunk: {
      Decoded<ChunkView> view = ParseChunkView(content);
      if (!view) return view.error();
      if (copy_chunk_records)
        view->header.records.assign(view->records.begin(), view->records.end());
      return Record(std::move(view->header));
    }
    case Opcode::kMessageIndex: {
      MessageIndex r;
      r.channel_id = in.Int<std::uint16_t>();
      Cursor entries(in.View(in.Int<std::uint32_t>()));
      while (!entries.failed() && entries.remaining() > 0) {
        const auto time = entries.Int<std::uint64_t>();
        const auto offset = entries.Int<std::uint64_t>();
        if (!entries.failed()) r.records.emplace_back(time, offset);
      }
      if (entries.failed()) {
        return DecodeError{DecodeErrorKind::kMalformed,
                           "MessageIndex entries are not a whole number of 16-byte pairs"};
      }
      record = std::move(r);
      break;
    }
    case Opcode::kChunkIndex: {
      ChunkIndex r;
      r.message_start_time = in.Int<std::uint64_t>();
      r.message_end_time = in.Int<std::uint64_t>();
      r.chunk_start_offset = in.Int<std::uint64_t>();
      r.chunk_length = in.Int<std::uint64_t>();
      r.message_index_offsets = in.IdCountMap();
      r.message_index_length = in.Int<std::uint64_t>();
      r.compression = in.String();
      r.compressed_size = in.Int<std::uint64_t>();
      r.uncompressed_size = in.Int<std::uint64_t>();
      record = std::move(r);
      break;
    }
    case Opcode::kAttachment: {
      Attachment r;
      r.log_time = in.Int<std::uint64_t>();
      r.create_time = in.Int<std::uint64_t>();
      r.name = in.String();
      r.media_type = in.String();
      const ByteView data = in.View(in.Int<std::uint64_t>());
      r.data.assign(data.begin(), data.end());
      const std::size_t crc_end = in.position();
      r.crc = in.Int<std::uint32_t>();
      if (!in.failed() && r.crc != 0 && Crc32(content.first(crc_end)) != r.crc) {
        return DecodeError{DecodeErrorKind::kChecksumMismatch, "Attachment CRC mismatch"};
      }
      record = std::move(r);
      break;
    }
    case Opcode::kAttachmentIndex: {
      AttachmentIndex r;
      r.offset = in.Int<std::uint64_t>();
      r.length = in.Int<std::uint64_t>();
      r.log_time = in.Int<std::uint64_t>();
      r.create_time = in.Int<std::uint64_t>();
      r.data_size = in.Int<std::uint64_t>();
      r.name = in.String();
      r.media_type = in.String();
      record = std::move(r);
      break;
    }
    case Opcode::kStatistics: {
      Statistics r;
      r.message_count = in.Int<std::uint64_t>();
      r.schema_count = in.Int<std::uint16_t>();
      r.channel_count = in.Int<std::uint32_t>();
      r.attachment_count = in.Int<std::uint32_t>();
      r.metadata_count = in.Int<std::uint32_t>();
      r.chunk_count = in.Int<std::uint32_t>();
      r.message_start_time = in.Int<std::uint64_t>();
      r.message_end_time = in.Int<std::uint64_t>();
      r.channel_message_counts = in.IdCountMap();
      record = std::move(r);
      break;
    }
    case Opcode::kMetadata: {
      Metadata r;
      r.name = in.String();
      r.metadata = in.StringMap();
      record = std::move(r);
      break;
    }
    case Opcode::kMetadataIndex: {
      MetadataIndex r;
      r.offset = in.Int<std::uint64_t>();
      r.length = in.Int<std::uint64_t>();
      r.name = in.String();
      record = std::move(r);
      break;
    }
    case Opcode::kSummaryOffset: {
      SummaryOffset r;
      r.group_opcode = in.Int<std::uint8_t>();
      r.group_start = in.Int<std::uint64_t>();
      r.group_length = in.Int<std::uint64_t>();
      record = r;
      break;
    }
    case Opcode::kDataEnd: {
      DataEnd r;
      r.data_section_crc = in.Int<std::uint32_t>();
      record = r;
      break;
    }
    default:  // skipped by the caller, as the spec requires
      return DecodeError{DecodeErrorKind::kUnsupported, "unknown opcode " + OpcodeName(opcode)};
  }
  if (in.failed()) {
    return DecodeError{DecodeErrorKind::kTruncated,
                       OpcodeName(opcode) + " fields run past the record's end (" +
                           std::to_string(content.size()) + " content bytes)"};
  }
  return record;
}

void RecordEncoder::Append(const Record& record) {
  bytes_.push_back(static_cast<std::uint8_t>(OpcodeOf(record)));
  const std::size_t length_at = bytes_.size();
  Put<std::uint64_t>(bytes_, 0);
  std::visit(ContentWriter{bytes_}, record);
  const std::uint64_t length = bytes_.size() - length_at - 8;
  for (int i = 0; i < 8; ++i) bytes_[length_at + i] = static_cast<std::uint8_t>(length >> (8 * i));
}

void RecordEncoder::AppendMessage(std::uint16_t channel_id, std::uint32_t sequence,
                                  std::uint64_t log_time, std::uint64_t publish_time,
                                  ByteView data) {
  bytes_.push_back(static_cast<std::uint8_t>(Opcode::kMessage));
  Put<std::uint64_t>(bytes_, 2 + 4 + 8 + 8 + data.size());
  Put(bytes_, channel_id);
  Put(bytes_, sequence);
  Put(bytes_, log_time);
  Put(bytes_, publish_time);
  PutBytes(bytes_, data.data(), data.size());
}

std::uint32_t Crc32(ByteView bytes, std::uint32_t crc) {
  // ISA-L's reflected IEEE CRC-32 is zlib's crc32 (same polynomial, same pre- and post-inversion,
  // so it continues from a previous result the same way), picked for this CPU at run time.
  if (bytes.empty()) return crc;  // as zlib: nothing to add, and no pointer to hand on
  return crc32_gzip_refl(crc, bytes.data(), bytes.size());
}

}  // namespace longtail::sensors::mcap
