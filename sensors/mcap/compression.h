// Chunk compression for MCAP: "" (none), "lz4" (the LZ4 *frame* format) and "zstd".
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "sensors/mcap/mcap_records.h"

namespace longtail::sensors::mcap {

// Decompresses a chunk's records: exactly `uncompressed_size` bytes, or an error (kUnsupported
// "unsupported compression 'brotli'", kTruncated "lz4: frame ends early", kMalformed "zstd:
// Unknown frame descriptor" …). Never allocates more than `uncompressed_size` bytes, which the
// caller must have checked against its own memory limit.
Decoded<Bytes> Decompress(const std::string& compression, ByteView compressed,
                          std::uint64_t uncompressed_size);

// Bytes a reader writes into again and again: grows by at least half (old bytes dropped, new ones
// not zero-filled) and never shrinks, so a pass over a file allocates and page-faults its largest
// chunk about once instead of once per chunk. From 1 MiB on it holds whole 2 MiB transparent huge
// pages (so at most half again the largest request, rounded up to 2 MiB).
class ScratchBuffer {
 public:
  // `n` writable bytes, contents unspecified; valid until the next call.
  std::span<std::uint8_t> Get(std::size_t n);

 private:
  struct Free {
    void operator()(std::uint8_t* bytes) const;
  };
  std::unique_ptr<std::uint8_t, Free> bytes_;
  std::size_t capacity_ = 0;
};

// Decompress for a reader that goes chunk after chunk: one output buffer, grown to the largest
// chunk and reused (no allocation, zeroing or page faults per chunk), and the libraries' contexts
// kept. Same checks and errors as Decompress.
class ChunkDecompressor {
 public:
  ChunkDecompressor();
  ~ChunkDecompressor();
  ChunkDecompressor(ChunkDecompressor&&) noexcept;
  ChunkDecompressor& operator=(ChunkDecompressor&&) noexcept;

  // Exactly `uncompressed_size` bytes, valid until the next call or the decompressor's end.
  Decoded<ByteView> Decompress(const std::string& compression, ByteView compressed,
                               std::uint64_t uncompressed_size);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
  ScratchBuffer buffer_;
};

// Decompresses as much as a cut-off compressed stream still yields (a chunk whose end is missing
// from a truncated file), at most `max_size` bytes. Never fails: gives what it could decode.
Bytes DecompressPrefix(const std::string& compression, ByteView partial, std::uint64_t max_size);

// Compresses with "zstd" (at `level`), "lz4" (frame format) or "" (a copy).
Bytes Compress(const std::string& compression, ByteView raw, int level);

bool IsSupportedCompression(const std::string& compression);

}  // namespace longtail::sensors::mcap
