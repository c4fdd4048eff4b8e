// Chunk compression for MCAP: "" (none), "lz4" (the LZ4 *frame* format) and "zstd".
#pragma once

#include <optional>
#include <string>

#include "sensors/mcap/mcap_records.h"

namespace longtail::sensors::mcap {

// Decompresses a chunk's records: exactly `uncompressed_size` bytes, or an error (kUnsupported
// "unsupported compression 'brotli'", kTruncated "lz4: frame ends early", kMalformed "zstd:
// Unknown frame descriptor" …). Never allocates more than `uncompressed_size` bytes, which the
// caller must have checked against its own memory limit.
Decoded<Bytes> Decompress(const std::string& compression, ByteView compressed,
                          std::uint64_t uncompressed_size);

// Decompresses as much as a cut-off compressed stream still yields (a chunk whose end is missing
// from a truncated file), at most `max_size` bytes. Never fails: gives what it could decode.
Bytes DecompressPrefix(const std::string& compression, ByteView partial, std::uint64_t max_size);

// Compresses with "zstd" (at `level`), "lz4" (frame format) or "" (a copy).
Bytes Compress(const std::string& compression, ByteView raw, int level);

bool IsSupportedCompression(const std::string& compression);

}  // namespace longtail::sensors::mcap
