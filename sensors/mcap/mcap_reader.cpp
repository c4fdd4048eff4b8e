#include "sensors/mcap/mcap_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "sensors/log_reader.h"
#include "sensors/mcap/compression.h"

namespace longtail::sensors::mcap {
namespace {

std::uint64_t LittleEndian64(const std::uint8_t* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

bool IsMagic(ByteView bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kMagic, 8) == 0;
}

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, std::uint64_t size, std::string name)
      : fd_(fd), size_(size), name_(std::move(name)) {}
  ~FileSource() override { ::close(fd_); }
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }
  ByteView Read(std::uint64_t offset, std::size_t n) override {
    if (offset >= size_) return {};
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - offset));
    const std::span<std::uint8_t> buffer = buffer_.Get(n);
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got =
          ::pread(fd_, buffer.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got <= 0) break;  // an I/O error reads as the end of the file: reported as truncation
      done += static_cast<std::size_t>(got);
    }
    return ByteView(buffer.data(), done);
  }

 private:
  int fd_;
  std::uint64_t size_;
  std::string name_;
  ScratchBuffer buffer_;  // reused: chunk after chunk, no allocation or zero-filling
};

class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(Bytes bytes, std::string name)
      : bytes_(std::move(bytes)), name_(std::move(name)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  const std::string& name() const override { return name_; }
  ByteView Read(std::uint64_t offset, std::size_t n) override {
    if (offset >= bytes_.size()) return {};
    return ByteView(bytes_).subspan(offset, std::min<std::uint64_t>(n, bytes_.size() - offset));
  }

 private:
  Bytes bytes_;
  std::string name_;
};

// Lets a second reader share a source its owner keeps.
class BorrowedSource final : public ByteSource {
 public:
  explicit BorrowedSource(ByteSource& source) : source_(source) {}
  std::uint64_t size() const override { return source_.size(); }
  const std::string& name() const override { return source_.name(); }
  ByteView Read(std::uint64_t offset, std::size_t n) override { return source_.Read(offset, n); }

 private:
  ByteSource& source_;
};

std::string At(std::uint64_t offset) { return " at offset " + std::to_string(offset); }

}  // namespace

bool PlausibleChunkSize(const std::string& compression, std::uint64_t compressed,
                        std::uint64_t uncompressed) {
  if (compression.empty()) return compressed == uncompressed;
  const std::uint64_t ratio = compression == "lz4" ? 256 : 65536;
  return uncompressed <= (compressed + 64) * ratio;
}

std::unique_ptr<ByteSource> OpenFileSource(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw LogError(path.string(), std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw LogError(path.string(), "not a regular file");
  }
  return std::make_unique<FileSource>(fd, static_cast<std::uint64_t>(st.st_size), path.string());
}

std::unique_ptr<ByteSource> MemorySource(Bytes bytes, std::string name) {
  return std::make_unique<MemoryByteSource>(std::move(bytes), std::move(name));
}

// ---------------------------------------------------------------------------------------------
// Streaming reader

McapStreamReader::McapStreamReader(std::unique_ptr<ByteSource> source, IssueLog& issues,
                                   StreamReaderOptions options)
    : source_(std::move(source)), issues_(&issues), options_(options) {}

void McapStreamReader::Fail(std::uint64_t offset, std::uint64_t bytes, std::uint64_t records,
                            std::string reason) {
  report_.bytes_dropped += bytes;
  report_.records_dropped += records;
  issues_->Report({source_->name(), offset, bytes, std::move(reason)});
}

void McapStreamReader::StopTruncated(std::uint64_t offset, std::string reason) {
  done_ = true;
  report_.truncated_at = offset;
  const std::uint64_t bytes = source_->size() - offset;
  Fail(offset, bytes, bytes > 0 ? 1 : 0,
       "truncated: " + reason + "; " + std::to_string(bytes) + " bytes dropped" +
           (report_.footer_seen ? "" : ", no Footer: the writer did not finish the file"));
}

void McapStreamReader::CheckSummaryCrc(const Footer& footer, std::uint64_t footer_offset) {
  if (!options_.validate_crcs || footer.summary_crc == 0) return;
  const std::uint64_t start = footer.summary_start != 0          ? footer.summary_start
                              : footer.summary_offset_start != 0 ? footer.summary_offset_start
                                                                 : footer_offset;
  const std::uint64_t end =
      footer_offset + kRecordPrefixBytes + 16;  // through summary_offset_start
  if (start > footer_offset) {
    ++report_.crc_failures;
    Fail(footer_offset, 0, 0, "Footer's summary_start " + std::to_string(start) + " lies past it");
    return;
  }
  const std::uint32_t crc = Crc32(source_->Read(start, end - start));
  if (crc != footer.summary_crc) {
    ++report_.crc_failures;
    Fail(start, 0, 0,
         "summary CRC mismatch: Footer says " + std::to_string(footer.summary_crc) +
             ", the bytes give " + std::to_string(crc));
  }
}

std::uint64_t McapStreamReader::RecoverPartialChunk(std::uint64_t offset, std::uint64_t available) {
  const ByteView content = source_->Read(offset + kRecordPrefixBytes, available);
  // The fixed fields, then the compression string, then the records' length (which overruns).
  constexpr std::size_t kFixed = 8 + 8 + 8 + 4;
  if (content.size() < kFixed + 4) return 0;
  const std::uint64_t uncompressed_size = LittleEndian64(content.data() + 16);
  std::uint32_t name_length = 0;
  for (int i = 3; i >= 0; --i) name_length = (name_length << 8) | content[kFixed + i];
  const std::uint64_t records_at = kFixed + 4 + std::uint64_t{name_length} + 8;
  if (records_at > content.size()) return 0;
  const std::string compression(reinterpret_cast<const char*>(content.data() + kFixed + 4),
                                name_length);
  const ByteView partial = content.subspan(records_at);
  const std::uint64_t compressed_size = LittleEndian64(content.data() + records_at - 8);
  if (!IsSupportedCompression(compression) || uncompressed_size > options_.max_record_bytes ||
      !PlausibleChunkSize(compression, compressed_size, uncompressed_size)) {
    return 0;
  }
  recovered_ = DecompressPrefix(compression, partial, uncompressed_size);
  if (recovered_.empty()) return 0;
  chunk_ = recovered_;
  chunk_pos_ = 0;
  chunk_offset_ = offset;
  partial_chunk_ = true;
  ++report_.chunks;
  ++report_.chunks_by_compression[compression];
  return chunk_.size();
}

std::optional<RecordAt> McapStreamReader::NextInChunk() {
  const std::size_t remaining = chunk_.size() - chunk_pos_;
  const std::string where =
      "Chunk" + At(chunk_offset_) + ": record at uncompressed offset " + std::to_string(chunk_pos_);
  if (partial_chunk_ &&
      (remaining < kRecordPrefixBytes ||
       LittleEndian64(chunk_.data() + chunk_pos_ + 1) > remaining - kRecordPrefixBytes)) {
    chunk_pos_ = chunk_.size();  // the cut record: already counted in the truncation report
    return std::nullopt;
  }
  if (remaining < kRecordPrefixBytes) {
    Fail(chunk_offset_, 0, 1, where + ": " + std::to_string(remaining) + " stray bytes at its end");
    chunk_pos_ = chunk_.size();
    return std::nullopt;
  }
  const std::uint8_t opcode = chunk_[chunk_pos_];
  const std::uint64_t length = LittleEndian64(chunk_.data() + chunk_pos_ + 1);
  if (length > remaining - kRecordPrefixBytes) {
    Fail(chunk_offset_, 0, 1,
         where + " (" + OpcodeName(opcode) + ") claims " + std::to_string(length) +
             " bytes, only " + std::to_string(remaining - kRecordPrefixBytes) +
             " remain: the rest of the chunk is lost");
    chunk_pos_ = chunk_.size();
    return std::nullopt;
  }
  const std::uint64_t inner = chunk_pos_;
  chunk_pos_ += kRecordPrefixBytes + length;
  Decoded<Record> parsed = ParseRecord(opcode, chunk_.subspan(inner + kRecordPrefixBytes, length));
  if (!parsed) {
    if (parsed.error().kind != DecodeErrorKind::kUnsupported) {
      Fail(chunk_offset_, 0, 1, where + ": " + parsed.error().message);
    }
    return std::nullopt;
  }
  ++report_.records_read;
  return RecordAt{std::move(*parsed), chunk_offset_, inner, kRecordPrefixBytes + length};
}

std::optional<RecordAt> McapStreamReader::Next() {
  while (true) {
    if (chunk_pos_ < chunk_.size()) {
      if (std::optional<RecordAt> record = NextInChunk()) return record;
      continue;
    }
    if (done_) return std::nullopt;
    const std::uint64_t size = source_->size();
    if (pos_ == 0) {
      const ByteView magic = source_->Read(0, 8);
      if (!IsMagic(magic)) {
        done_ = true;
        report_.truncated_at = 0;
        Fail(0, size, 0, "not an MCAP file: it does not start with the MCAP magic bytes");
        return std::nullopt;
      }
      if (options_.validate_crcs) data_crc_ = Crc32(magic);
      pos_ = 8;
      continue;
    }
    const std::uint64_t remaining = size - pos_;
    if (report_.footer_seen) {
      done_ = true;
      if (remaining >= 8 && IsMagic(source_->Read(pos_, 8))) {
        report_.trailing_magic_ok = true;
        if (remaining > 8) {
          Fail(pos_ + 8, remaining - 8, 0,
               std::to_string(remaining - 8) + " bytes after the closing magic ignored");
        }
      } else {
        Fail(pos_, remaining, 0, "the Footer is not followed by the closing magic bytes");
      }
      return std::nullopt;
    }
    if (remaining < kRecordPrefixBytes) {
      StopTruncated(pos_, remaining == 0 ? "the file ends after the last whole record"
                                         : "the file ends inside a record's opcode and length");
      return std::nullopt;
    }
    std::uint8_t prefix[kRecordPrefixBytes];
    std::memcpy(prefix, source_->Read(pos_, kRecordPrefixBytes).data(), kRecordPrefixBytes);
    const std::uint8_t opcode = prefix[0];
    const std::uint64_t length = LittleEndian64(prefix + 1);
    const std::uint64_t offset = pos_;
    if (length > remaining - kRecordPrefixBytes) {
      std::string reason = OpcodeName(opcode) + " record" + At(offset) + " claims " +
                           std::to_string(length) + " bytes, only " +
                           std::to_string(remaining - kRecordPrefixBytes) + " remain";
      if (opcode == static_cast<std::uint8_t>(Opcode::kChunk)) {
        const std::uint64_t recovered = RecoverPartialChunk(offset, remaining - kRecordPrefixBytes);
        if (recovered > 0) {
          reason += "; the records in its first " + std::to_string(recovered) +
                    " uncompressed bytes are recovered (their CRC cannot be checked)";
        }
      }
      StopTruncated(offset, reason);
      continue;  // the recovered records, if any, come out before the end
    }
    pos_ += kRecordPrefixBytes + length;
    if (length > options_.max_record_bytes) {
      Fail(offset, kRecordPrefixBytes + length, 1,
           OpcodeName(opcode) + " record" + At(offset) + " of " + std::to_string(length) +
               " bytes exceeds the reader's limit; skipped");
      continue;
    }
    const ByteView content = source_->Read(offset + kRecordPrefixBytes, length);
    const bool in_data_section = !report_.data_end_seen && opcode != 0x0F;
    if (options_.validate_crcs && in_data_section) {
      data_crc_ = Crc32(content, Crc32(ByteView(prefix, kRecordPrefixBytes), data_crc_));
    }

    if (opcode == static_cast<std::uint8_t>(Opcode::kChunk)) {
      chunk_ = {};  // the previous chunk's records are read and their buffer is reused below
      Decoded<ChunkView> view = ParseChunkView(content);
      const std::string where = "Chunk" + At(offset);
      if (!view) {
        Fail(offset, kRecordPrefixBytes + length, 1, where + ": " + view.error().message);
        continue;
      }
      ++report_.chunks;
      ++report_.chunks_by_compression[view->header.compression];
      if (view->header.uncompressed_size > options_.max_record_bytes ||
          !PlausibleChunkSize(view->header.compression, view->records.size(),
                              view->header.uncompressed_size)) {
        Fail(offset, kRecordPrefixBytes + length, 1,
             where + " claims " + std::to_string(view->header.uncompressed_size) +
                 " uncompressed bytes from " + std::to_string(view->records.size()) +
                 ", over the reader's limit or any compression ratio; its records are lost");
        continue;
      }
      Decoded<ByteView> records = decompressor_.Decompress(view->header.compression, view->records,
                                                           view->header.uncompressed_size);
      if (!records) {
        Fail(offset, kRecordPrefixBytes + length, 1,
             where + " (" +
                 (view->header.compression.empty() ? "uncompressed" : view->header.compression) +
                 "): " + records.error().message + "; its records are lost");
        continue;
      }
      if (options_.validate_crcs && view->header.uncompressed_crc != 0) {
        const std::uint32_t crc = Crc32(*records);
        if (crc != view->header.uncompressed_crc) {
          ++report_.crc_failures;
          Fail(offset, kRecordPrefixBytes + length, 1,
               where + ": CRC mismatch (record says " +
                   std::to_string(view->header.uncompressed_crc) + ", data gives " +
                   std::to_string(crc) + "); its records are dropped");
          continue;
        }
      }
      chunk_ = *records;
      chunk_pos_ = 0;
      chunk_offset_ = offset;
      partial_chunk_ = false;
      ++report_.records_read;
      return RecordAt{std::move(view->header), offset, std::nullopt, kRecordPrefixBytes + length};
    }

    Decoded<Record> parsed = ParseRecord(opcode, content, false);
    if (!parsed) {
      const DecodeError& error = parsed.error();
      // Unknown opcodes are skipped silently, as the spec requires.
      if (error.kind == DecodeErrorKind::kUnsupported) continue;
      if (error.kind == DecodeErrorKind::kChecksumMismatch) ++report_.crc_failures;
      Fail(offset, kRecordPrefixBytes + length, 1,
           OpcodeName(opcode) + " record" + At(offset) + ": " + error.message);
      continue;
    }
    if (const auto* data_end = std::get_if<DataEnd>(&*parsed)) {
      report_.data_end_seen = true;
      if (options_.validate_crcs && data_end->data_section_crc != 0 &&
          data_end->data_section_crc != data_crc_) {
        ++report_.crc_failures;
        Fail(offset, 0, 0,
             "data section CRC mismatch: DataEnd says " +
                 std::to_string(data_end->data_section_crc) + ", the bytes give " +
                 std::to_string(data_crc_));
      }
    } else if (const auto* footer = std::get_if<Footer>(&*parsed)) {
      report_.footer_seen = true;
      CheckSummaryCrc(*footer, offset);
    } else if (std::holds_alternative<Header>(*parsed)) {
      report_.header_seen = true;
    }
    ++report_.records_read;
    return RecordAt{std::move(*parsed), offset, std::nullopt, kRecordPrefixBytes + length};
  }
}

// ---------------------------------------------------------------------------------------------
// Indexed reader

void McapIndexedReader::Report(std::uint64_t offset, std::uint64_t bytes, std::string reason) {
  issues_->Report({source_->name(), offset, bytes, std::move(reason)});
}

std::optional<McapIndexedReader> McapIndexedReader::Open(std::unique_ptr<ByteSource> source,
                                                         IssueLog& issues,
                                                         std::uint64_t max_chunk_bytes) {
  constexpr std::uint64_t kFooterRecord = kRecordPrefixBytes + 20;
  const std::uint64_t size = source->size();
  if (size < 8 + kFooterRecord + 8) return std::nullopt;
  if (!IsMagic(source->Read(0, 8)) || !IsMagic(source->Read(size - 8, 8))) return std::nullopt;
  const std::uint64_t footer_offset = size - 8 - kFooterRecord;
  Bytes footer_bytes;
  {
    const ByteView view = source->Read(footer_offset, kFooterRecord);
    footer_bytes.assign(view.begin(), view.end());
  }
  if (footer_bytes[0] != static_cast<std::uint8_t>(Opcode::kFooter) ||
      LittleEndian64(footer_bytes.data() + 1) != 20) {
    return std::nullopt;
  }
  Decoded<Record> parsed_footer =
      ParseRecord(footer_bytes[0], ByteView(footer_bytes).subspan(kRecordPrefixBytes));
  if (!parsed_footer) return std::nullopt;
  McapIndexedReader reader(std::move(source), issues);
  reader.max_chunk_bytes_ = max_chunk_bytes;
  Summary& summary = reader.summary_;
  summary.footer = std::get<Footer>(*parsed_footer);
  const Footer& footer = summary.footer;
  if (footer.summary_start == 0) return std::nullopt;
  if (footer.summary_start > footer_offset ||
      (footer.summary_offset_start != 0 && (footer.summary_offset_start < footer.summary_start ||
                                            footer.summary_offset_start > footer_offset))) {
    reader.Report(footer_offset, 0, "Footer points outside the file's summary");
    return std::nullopt;
  }
  const std::uint64_t end = footer_offset + kRecordPrefixBytes + 16;
  Bytes section;
  {
    const ByteView view = reader.source_->Read(footer.summary_start, end - footer.summary_start);
    section.assign(view.begin(), view.end());
  }
  if (footer.summary_crc != 0 && Crc32(section) != footer.summary_crc) {
    reader.Report(footer.summary_start, 0, "summary CRC mismatch: the index cannot be trusted");
    return std::nullopt;
  }
  const std::uint64_t records_end = footer_offset - footer.summary_start;
  std::uint64_t pos = 0;
  while (pos + kRecordPrefixBytes <= records_end) {
    const std::uint8_t opcode = section[pos];
    const std::uint64_t length = LittleEndian64(section.data() + pos + 1);
    if (length > records_end - pos - kRecordPrefixBytes) {
      reader.Report(footer.summary_start + pos, 0, "summary record runs past the Footer");
      return std::nullopt;
    }
    Decoded<Record> parsed =
        ParseRecord(opcode, ByteView(section).subspan(pos + kRecordPrefixBytes, length));
    pos += kRecordPrefixBytes + length;
    if (!parsed) {
      if (parsed.error().kind == DecodeErrorKind::kUnsupported) continue;  // unknown opcode
      reader.Report(footer.summary_start + pos, 0, "summary: " + parsed.error().message);
      return std::nullopt;
    }
    std::visit(
        [&summary](auto&& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, Schema>) {
            if (r.id != 0) summary.schemas[r.id] = std::move(r);
          } else if constexpr (std::is_same_v<T, Channel>) {
            summary.channels[r.id] = std::move(r);
          } else if constexpr (std::is_same_v<T, ChunkIndex>) {
            summary.chunk_indexes.push_back(std::move(r));
          } else if constexpr (std::is_same_v<T, AttachmentIndex>) {
            summary.attachment_indexes.push_back(std::move(r));
          } else if constexpr (std::is_same_v<T, MetadataIndex>) {
            summary.metadata_indexes.push_back(std::move(r));
          } else if constexpr (std::is_same_v<T, Statistics>) {
            summary.statistics = std::move(r);
          } else if constexpr (std::is_same_v<T, SummaryOffset>) {
            summary.summary_offsets.push_back(r);
          }
        },
        std::move(*parsed));
  }
  // The Header is the first record after the magic.
  const ByteView prefix = reader.source_->Read(8, kRecordPrefixBytes);
  if (prefix.size() == kRecordPrefixBytes &&
      prefix[0] == static_cast<std::uint8_t>(Opcode::kHeader)) {
    const std::uint64_t length = LittleEndian64(prefix.data() + 1);
    if (length <= size) {
      Decoded<Record> header =
          ParseRecord(0x01, reader.source_->Read(8 + kRecordPrefixBytes, length));
      if (header) summary.header = std::get<Header>(*header);
    }
  }
  return reader;
}

std::set<std::uint16_t> McapIndexedReader::WantedChannels(const MessageFilter& filter) const {
  std::set<std::uint16_t> wanted;
  for (const auto& [id, channel] : summary_.channels) {
    if (filter.topics.empty() || filter.topics.count(channel.topic)) wanted.insert(id);
  }
  return wanted;
}

std::vector<const ChunkIndex*> McapIndexedReader::ChunksInTimeOrder(
    const MessageFilter& filter, const std::set<std::uint16_t>& wanted) const {
  std::vector<const ChunkIndex*> chunks;
  for (const ChunkIndex& index : summary_.chunk_indexes) {
    if (index.message_end_time < filter.start_time || index.message_start_time > filter.end_time) {
      continue;
    }
    bool has_wanted = filter.topics.empty() || index.message_index_offsets.empty();
    for (const auto& [channel, offset] : index.message_index_offsets) {
      has_wanted = has_wanted || wanted.count(channel) > 0;
    }
    if (has_wanted) chunks.push_back(&index);
  }
  std::stable_sort(chunks.begin(), chunks.end(), [](const ChunkIndex* a, const ChunkIndex* b) {
    return std::tie(a->message_start_time, a->chunk_start_offset) <
           std::tie(b->message_start_time, b->chunk_start_offset);
  });
  return chunks;
}

std::optional<Bytes> McapIndexedReader::ReadChunk(const ChunkIndex& index) {
  const std::optional<ByteView> records = DecompressChunk(index);
  if (!records) return std::nullopt;
  return Bytes(records->begin(), records->end());
}

std::optional<ByteView> McapIndexedReader::DecompressChunk(const ChunkIndex& index) {
  const std::uint64_t offset = index.chunk_start_offset;
  const std::string where = "Chunk" + At(offset);
  if (index.chunk_length < kRecordPrefixBytes || offset > source_->size() ||
      index.chunk_length > source_->size() - offset) {
    Report(offset, 0, where + ": its ChunkIndex points outside the file");
    return std::nullopt;
  }
  const ByteView record = source_->Read(offset, index.chunk_length);
  if (record[0] != static_cast<std::uint8_t>(Opcode::kChunk) ||
      LittleEndian64(record.data() + 1) != index.chunk_length - kRecordPrefixBytes) {
    Report(offset, index.chunk_length, where + ": no Chunk record where the ChunkIndex points");
    return std::nullopt;
  }
  Decoded<ChunkView> view = ParseChunkView(record.subspan(kRecordPrefixBytes));
  if (!view) {
    Report(offset, index.chunk_length, where + ": " + view.error().message);
    return std::nullopt;
  }
  if (view->header.uncompressed_size > max_chunk_bytes_ ||
      !PlausibleChunkSize(view->header.compression, view->records.size(),
                          view->header.uncompressed_size)) {
    Report(offset, index.chunk_length, where + ": implausible uncompressed size");
    return std::nullopt;
  }
  Decoded<ByteView> records = decompressor_.Decompress(view->header.compression, view->records,
                                                       view->header.uncompressed_size);
  if (!records) {
    Report(offset, index.chunk_length, where + ": " + records.error().message);
    return std::nullopt;
  }
  if (view->header.uncompressed_crc != 0 && Crc32(*records) != view->header.uncompressed_crc) {
    Report(offset, index.chunk_length, where + ": CRC mismatch; its records are dropped");
    return std::nullopt;
  }
  return *records;
}

std::vector<Message> McapIndexedReader::ChunkMessages(const ChunkIndex& index,
                                                      const std::set<std::uint16_t>& wanted,
                                                      const MessageFilter& filter) {
  std::vector<Message> messages;
  const std::optional<ByteView> records = DecompressChunk(index);
  if (!records) return messages;
  std::uint64_t pos = 0;
  while (pos + kRecordPrefixBytes <= records->size()) {
    const std::uint8_t opcode = (*records)[pos];
    const std::uint64_t length = LittleEndian64(records->data() + pos + 1);
    if (length > records->size() - pos - kRecordPrefixBytes) {
      Report(index.chunk_start_offset, 0,
             "Chunk" + At(index.chunk_start_offset) + ": record at uncompressed offset " +
                 std::to_string(pos) + " runs past the chunk's end");
      break;
    }
    const ByteView content = records->subspan(pos + kRecordPrefixBytes, length);
    pos += kRecordPrefixBytes + length;
    if (opcode == static_cast<std::uint8_t>(Opcode::kChannel) ||
        opcode == static_cast<std::uint8_t>(Opcode::kSchema)) {
      // Channels missing from the summary still decode (spec violation, but harmless).
      Decoded<Record> parsed = ParseRecord(opcode, content);
      if (auto* channel = parsed ? std::get_if<Channel>(&*parsed) : nullptr) {
        summary_.channels.try_emplace(channel->id, *channel);
      }
      continue;
    }
    if (opcode != static_cast<std::uint8_t>(Opcode::kMessage) || length < 22) continue;
    const std::uint16_t channel = static_cast<std::uint16_t>(content[0] | (content[1] << 8));
    const std::uint64_t log_time = LittleEndian64(content.data() + 6);
    if (!filter.topics.empty() && !wanted.count(channel)) continue;
    if (log_time < filter.start_time || log_time > filter.end_time) continue;
    Decoded<Record> parsed = ParseRecord(opcode, content);
    if (parsed) messages.push_back(std::move(std::get<Message>(*parsed)));
  }
  return messages;
}

std::vector<Message> McapIndexedReader::LinearMessages(const MessageFilter& filter) {
  std::vector<Message> messages;
  StreamReaderOptions options;
  options.max_record_bytes = max_chunk_bytes_;
  McapStreamReader stream(std::make_unique<BorrowedSource>(*source_), *issues_, options);
  std::map<std::uint16_t, std::string> topics;
  while (std::optional<RecordAt> record = stream.Next()) {
    if (const auto* channel = std::get_if<Channel>(&record->record)) {
      topics[channel->id] = channel->topic;
    } else if (auto* message = std::get_if<Message>(&record->record)) {
      if (!filter.topics.empty() && !filter.topics.count(topics[message->channel_id])) continue;
      if (message->log_time < filter.start_time || message->log_time > filter.end_time) continue;
      messages.push_back(std::move(*message));
    } else if (std::holds_alternative<DataEnd>(record->record)) {
      break;
    }
  }
  std::stable_sort(messages.begin(), messages.end(),
                   [](const Message& a, const Message& b) { return a.log_time < b.log_time; });
  return messages;
}

std::vector<Message> McapIndexedReader::ReadMessages(const MessageFilter& filter) {
  std::vector<Message> messages;
  IndexedMessageCursor cursor(*this, filter);
  while (std::optional<Message> message = cursor.Next()) messages.push_back(std::move(*message));
  return messages;
}

IndexedMessageCursor::IndexedMessageCursor(McapIndexedReader& reader, MessageFilter filter)
    : reader_(reader), filter_(std::move(filter)) {
  linear_mode_ = reader_.summary().chunk_indexes.empty();
  if (linear_mode_) {
    linear_ = reader_.LinearMessages(filter_);
  } else {
    wanted_ = reader_.WantedChannels(filter_);
    chunks_ = reader_.ChunksInTimeOrder(filter_, wanted_);
  }
}

std::optional<Message> IndexedMessageCursor::Next() {
  if (linear_mode_) {
    if (linear_pos_ >= linear_.size()) return std::nullopt;
    return std::move(linear_[linear_pos_++]);
  }
  while (next_chunk_ < chunks_.size() &&
         (pending_.empty() ||
          chunks_[next_chunk_]->message_start_time <= std::get<0>(pending_.begin()->first))) {
    std::vector<Message> messages = reader_.ChunkMessages(*chunks_[next_chunk_], wanted_, filter_);
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const std::uint64_t time = messages[i].log_time;
      pending_.emplace(std::make_tuple(time, next_chunk_, i), std::move(messages[i]));
    }
    ++next_chunk_;
  }
  if (pending_.empty()) return std::nullopt;
  auto first = pending_.begin();
  Message message = std::move(first->second);
  pending_.erase(first);
  return message;
}

std::vector<MessageIndex> McapIndexedReader::ReadMessageIndexes(const ChunkIndex& index) {
  std::vector<MessageIndex> indexes;
  const std::uint64_t start = index.chunk_start_offset + index.chunk_length;
  if (index.message_index_length == 0 || start > source_->size() ||
      index.message_index_length > source_->size() - start) {
    return indexes;
  }
  const ByteView bytes = source_->Read(start, index.message_index_length);
  const Bytes copy(bytes.begin(), bytes.end());
  std::uint64_t pos = 0;
  while (pos + kRecordPrefixBytes <= copy.size()) {
    const std::uint8_t opcode = copy[pos];
    const std::uint64_t length = LittleEndian64(copy.data() + pos + 1);
    if (length > copy.size() - pos - kRecordPrefixBytes) break;
    Decoded<Record> parsed =
        ParseRecord(opcode, ByteView(copy).subspan(pos + kRecordPrefixBytes, length));
    if (parsed) {
      if (auto* mi = std::get_if<MessageIndex>(&*parsed)) indexes.push_back(std::move(*mi));
    }
    pos += kRecordPrefixBytes + length;
  }
  return indexes;
}

std::optional<Metadata> McapIndexedReader::ReadMetadata(const MetadataIndex& index) {
  if (index.length < kRecordPrefixBytes || index.offset > source_->size() ||
      index.length > source_->size() - index.offset) {
    return std::nullopt;
  }
  const ByteView bytes = source_->Read(index.offset, index.length);
  if (bytes[0] != static_cast<std::uint8_t>(Opcode::kMetadata)) return std::nullopt;
  Decoded<Record> parsed = ParseRecord(bytes[0], bytes.subspan(kRecordPrefixBytes));
  if (!parsed) return std::nullopt;
  return std::get<Metadata>(*parsed);
}

}  // namespace longtail::sensors::mcap
