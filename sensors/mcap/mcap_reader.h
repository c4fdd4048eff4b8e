// Reading MCAP files: a streaming reader (one linear pass, chunks decompressed and CRC-checked,
// corrupt or truncated data reported and skipped) and an indexed reader (footer -> summary -> chunk
// indexes -> only the chunks that overlap the requested topics and time range).
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sensors/issues.h"
#include "sensors/mcap/compression.h"
#include "sensors/mcap/mcap_records.h"

namespace longtail::sensors::mcap {

// True when `uncompressed` bytes could come from `compressed` bytes: zstd peaks near 32768:1
// (run-length blocks), lz4 near 255:1; anything beyond is a corrupt size field, not data.
bool PlausibleChunkSize(const std::string& compression, std::uint64_t compressed,
                        std::uint64_t uncompressed);

// Random-access bytes: a file (pread) or a buffer in memory (tests, the fuzzer).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  // Up to `n` bytes at `offset` (fewer only at the end); valid until the next call.
  virtual ByteView Read(std::uint64_t offset, std::size_t n) = 0;
  virtual const std::string& name() const = 0;  // the path, for issue reports
};
// Throws LogError when the file cannot be opened.
std::unique_ptr<ByteSource> OpenFileSource(const std::filesystem::path& path);
std::unique_ptr<ByteSource> MemorySource(Bytes bytes, std::string name = "<memory>");

struct StreamReaderOptions {
  bool validate_crcs = true;  // chunk, data section, summary and attachment CRCs
  // A record or decompressed chunk claiming more bytes than this is treated as corrupt, bytes.
  std::uint64_t max_record_bytes = std::uint64_t{4} << 30;
};

// What a pass lost and why. Offsets are byte offsets in the file.
struct StreamReport {
  std::uint64_t records_read = 0;     // records returned, chunk contents included
  std::uint64_t records_dropped = 0;  // records (or whole chunks) that could not be used
  std::uint64_t bytes_dropped = 0;    // bytes of the file that could not be used
  bool header_seen = false;
  bool data_end_seen = false;
  bool footer_seen = false;
  bool trailing_magic_ok = false;             // the file ends with footer + magic: it was closed
  std::optional<std::uint64_t> truncated_at;  // where the readable data stopped, when it did
  std::uint64_t chunks = 0;
  std::map<std::string, std::uint64_t> chunks_by_compression;  // "zstd" -> count, "" = none
  std::uint64_t crc_failures = 0;
};

// A record and where it came from.
struct RecordAt {
  Record record;
  std::uint64_t offset = 0;                   // of the record, or of its chunk when in_chunk
  std::optional<std::uint64_t> chunk_offset;  // offset inside the decompressed chunk, when in one
  std::uint64_t length = 0;                   // bytes of the record, its 9-byte prefix included
};

// One linear pass over a file. Chunks come back as a Chunk record (its `records` empty) followed
// by the records inside it. Unknown opcodes and unknown trailing fields are skipped. Every problem
// is reported to `issues` (file + offset + bytes dropped) and the pass goes on where it can: past
// a bad chunk to the next record, or stopping at a truncated record.
class McapStreamReader {
 public:
  McapStreamReader(std::unique_ptr<ByteSource> source, IssueLog& issues,
                   StreamReaderOptions options = {});
  std::optional<RecordAt> Next();
  const StreamReport& report() const { return report_; }

 private:
  std::optional<RecordAt> NextInChunk();
  void Fail(std::uint64_t offset, std::uint64_t bytes, std::uint64_t records, std::string reason);
  void StopTruncated(std::uint64_t offset, std::string reason);
  // Recovers the records at the start of a chunk whose end the file lost; returns how many
  // uncompressed bytes it got.
  std::uint64_t RecoverPartialChunk(std::uint64_t offset, std::uint64_t available);
  void CheckSummaryCrc(const Footer& footer, std::uint64_t footer_offset);

  std::unique_ptr<ByteSource> source_;
  IssueLog* issues_;
  StreamReaderOptions options_;
  StreamReport report_;
  std::uint64_t pos_ = 0;
  bool done_ = false;
  std::uint32_t data_crc_ = 0;  // running CRC of the data section
  ChunkDecompressor decompressor_;
  ByteView chunk_;   // the current chunk's decompressed records (in decompressor_)
  Bytes recovered_;  // or the records recovered from a chunk cut off by truncation
  std::size_t chunk_pos_ = 0;
  std::uint64_t chunk_offset_ = 0;
  bool partial_chunk_ = false;  // the chunk was cut off by truncation: its end is expected to break
};

// Messages wanted from the indexed reader.
struct MessageFilter {
  std::set<std::string> topics;                                        // empty = every topic
  std::uint64_t start_time = 0;                                        // ns, inclusive
  std::uint64_t end_time = std::numeric_limits<std::uint64_t>::max();  // ns, inclusive
};

struct Summary {
  std::optional<Header> header;
  std::map<std::uint16_t, Schema> schemas;
  std::map<std::uint16_t, Channel> channels;
  std::vector<ChunkIndex> chunk_indexes;
  std::vector<AttachmentIndex> attachment_indexes;
  std::vector<MetadataIndex> metadata_indexes;
  std::optional<Statistics> statistics;
  std::vector<SummaryOffset> summary_offsets;
  Footer footer;
};

// Random access through the summary. Open() gives nullopt when the file has no usable summary
// (not closed, or written without one): use the streaming reader then.
class McapIndexedReader {
 public:
  // `max_chunk_bytes`: a chunk claiming more uncompressed bytes is treated as corrupt.
  static std::optional<McapIndexedReader> Open(std::unique_ptr<ByteSource> source, IssueLog& issues,
                                               std::uint64_t max_chunk_bytes = std::uint64_t{4}
                                                                               << 30);
  const Summary& summary() const { return summary_; }

  // Matching messages in log_time order (file order among equal times). Reads only the chunks
  // whose time range and channels overlap the filter; a corrupt chunk is reported and skipped.
  // Files whose summary has no chunk indexes are scanned linearly instead.
  std::vector<Message> ReadMessages(const MessageFilter& filter);
  // Reads the MessageIndex records after a chunk (empty if none or corrupt).
  std::vector<MessageIndex> ReadMessageIndexes(const ChunkIndex& index);
  // Reads one chunk's records, decompressed; nullopt (reported) when corrupt.
  std::optional<Bytes> ReadChunk(const ChunkIndex& index);
  std::optional<Metadata> ReadMetadata(const MetadataIndex& index);
  ByteSource& source() { return *source_; }

  // Building blocks of the cursor below.
  std::set<std::uint16_t> WantedChannels(const MessageFilter& filter) const;
  // Messages of one chunk that pass the filter, in chunk order.
  std::vector<Message> ChunkMessages(const ChunkIndex& index, const std::set<std::uint16_t>& wanted,
                                     const MessageFilter& filter);
  // Every matching message by a linear scan (files without chunk indexes), in log_time order.
  std::vector<Message> LinearMessages(const MessageFilter& filter);
  std::vector<const ChunkIndex*> ChunksInTimeOrder(const MessageFilter& filter,
                                                   const std::set<std::uint16_t>& wanted) const;

 private:
  McapIndexedReader(std::unique_ptr<ByteSource> source, IssueLog& issues)
      : source_(std::move(source)), issues_(&issues) {}
  void Report(std::uint64_t offset, std::uint64_t bytes, std::string reason);
  // ReadChunk's work: a view into decompressor_, valid until the next chunk is read.
  std::optional<ByteView> DecompressChunk(const ChunkIndex& index);

  std::unique_ptr<ByteSource> source_;
  IssueLog* issues_;
  std::uint64_t max_chunk_bytes_ = 0;
  Summary summary_;
  ChunkDecompressor decompressor_;
};

// ReadMessages one message at a time, holding only the chunks that overlap the current time.
// A chunk is opened once the earliest pending message is no earlier than the chunk's start, so
// chunks that overlap in time still come out in log_time order.
class IndexedMessageCursor {
 public:
  IndexedMessageCursor(McapIndexedReader& reader, MessageFilter filter);
  std::optional<Message> Next();

 private:
  McapIndexedReader& reader_;
  MessageFilter filter_;
  std::set<std::uint16_t> wanted_;
  std::vector<const ChunkIndex*> chunks_;
  std::size_t next_chunk_ = 0;
  // Pending messages keyed by (log_time, chunk order, position in chunk): a stable merge.
  std::map<std::tuple<std::uint64_t, std::size_t, std::size_t>, Message> pending_;
  std::vector<Message> linear_;  // files without chunk indexes
  std::size_t linear_pos_ = 0;
  bool linear_mode_ = false;
};

}  // namespace longtail::sensors::mcap
