#include "sensors/mcap/compression.h"

#include <lz4frame.h>
#include <sys/mman.h>
#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <span>
#include <stdexcept>

namespace longtail::sensors::mcap {

bool IsSupportedCompression(const std::string& compression) {
  return compression.empty() || compression == "zstd" || compression == "lz4";
}

namespace {

// The libraries' decompression contexts, kept across chunks by ChunkDecompressor.
struct DecompressionContexts {
  ZSTD_DCtx* zstd = nullptr;
  LZ4F_dctx* lz4 = nullptr;
  DecompressionContexts() = default;
  DecompressionContexts(const DecompressionContexts&) = delete;
  DecompressionContexts& operator=(const DecompressionContexts&) = delete;
  ~DecompressionContexts() {
    ZSTD_freeDCtx(zstd);  // both accept null
    LZ4F_freeDecompressionContext(lz4);
  }
};

// Decompresses a supported, non-empty `compression` into exactly `out`; the returned error's
// message is empty on success. Contexts are created on first use and reset before each frame.
DecodeError DecompressInto(const std::string& compression, ByteView compressed,
                           std::span<std::uint8_t> out, DecompressionContexts& contexts) {
  DecodeError error;  // used when its message is set
  const std::uint64_t uncompressed_size = out.size();
  if (compression == "zstd") {
    if (contexts.zstd == nullptr) contexts.zstd = ZSTD_createDCtx();
    if (contexts.zstd == nullptr) return {DecodeErrorKind::kMalformed, "zstd: out of memory"};
    const std::size_t n = ZSTD_decompressDCtx(contexts.zstd, out.data(), out.size(),
                                              compressed.data(), compressed.size());
    if (ZSTD_isError(n)) {
      error.message = std::string("zstd: ") + ZSTD_getErrorName(n);
    } else if (n != uncompressed_size) {
      error.message = "zstd gave " + std::to_string(n) + " bytes, chunk claims " +
                      std::to_string(uncompressed_size);
    }
    return error;
  }
  // lz4 frame: decompress in a loop, since one call may stop early at block boundaries.
  if (contexts.lz4 == nullptr &&
      LZ4F_isError(LZ4F_createDecompressionContext(&contexts.lz4, LZ4F_VERSION))) {
    contexts.lz4 = nullptr;
    return {DecodeErrorKind::kMalformed, "lz4: cannot create a decompression context"};
  }
  // A context left mid-frame by a previous error or a cut frame must start clean.
  LZ4F_resetDecompressionContext(contexts.lz4);
  std::size_t in_pos = 0, out_pos = 0;
  std::size_t hint = 1;
  while (hint != 0 && in_pos < compressed.size()) {
    std::size_t dst = out.size() - out_pos;
    std::size_t src = compressed.size() - in_pos;
    hint = LZ4F_decompress(contexts.lz4, out.data() + out_pos, &dst, compressed.data() + in_pos,
                           &src, nullptr);
    if (LZ4F_isError(hint)) {
      error.message = std::string("lz4: ") + LZ4F_getErrorName(hint);
      break;
    }
    in_pos += src;
    out_pos += dst;
    if (src == 0 && dst == 0) {
      error.message = "lz4: no progress (output larger than the chunk claims)";
      break;
    }
  }
  if (error.message.empty() && hint != 0) {
    error = {DecodeErrorKind::kTruncated, "lz4: frame ends early"};
  }
  if (error.message.empty() && out_pos != uncompressed_size) {
    error.message = "lz4 gave " + std::to_string(out_pos) + " bytes, chunk claims " +
                    std::to_string(uncompressed_size);
  }
  return error;
}

// The checks every decompression starts with; the returned error's message is empty when the
// compression is supported and, for "", the sizes agree.
DecodeError CheckDecompressible(const std::string& compression, ByteView compressed,
                                std::uint64_t uncompressed_size) {
  if (compression.empty()) {
    if (compressed.size() != uncompressed_size) {
      return {DecodeErrorKind::kMalformed,
              "uncompressed chunk holds " + std::to_string(compressed.size()) +
                  " bytes but claims " + std::to_string(uncompressed_size)};
    }
    return {};
  }
  if (!IsSupportedCompression(compression)) {
    return {DecodeErrorKind::kUnsupported, "unsupported compression '" + compression + "'"};
  }
  return {};
}

}  // namespace

void ScratchBuffer::Free::operator()(std::uint8_t* bytes) const { std::free(bytes); }

std::span<std::uint8_t> ScratchBuffer::Get(std::size_t n) {
  if (n <= capacity_) return {bytes_.get(), n};
  bytes_.reset();  // the old block goes before the new one comes
  capacity_ = std::max(n, capacity_ + capacity_ / 2);
  // A chunk-sized buffer is laid on whole 2 MiB pages and asks for transparent huge pages, so
  // first touching it costs a few page faults rather than one per 4 KiB (the madvise is only a
  // hint: where huge pages are off it changes nothing). Small buffers stay small.
  constexpr std::size_t kHugePage = std::size_t{2} << 20;
  const bool huge = capacity_ >= kHugePage / 2;
  if (huge) capacity_ = (capacity_ + kHugePage - 1) / kHugePage * kHugePage;
  void* bytes = huge ? std::aligned_alloc(kHugePage, capacity_) : std::malloc(capacity_);
  if (bytes == nullptr) {
    capacity_ = 0;
    throw std::bad_alloc();
  }
  if (huge) ::madvise(bytes, capacity_, MADV_HUGEPAGE);
  bytes_.reset(static_cast<std::uint8_t*>(bytes));
  return {bytes_.get(), n};
}

struct ChunkDecompressor::Contexts : DecompressionContexts {};

ChunkDecompressor::ChunkDecompressor() = default;
ChunkDecompressor::~ChunkDecompressor() = default;
ChunkDecompressor::ChunkDecompressor(ChunkDecompressor&&) noexcept = default;
ChunkDecompressor& ChunkDecompressor::operator=(ChunkDecompressor&&) noexcept = default;

Decoded<ByteView> ChunkDecompressor::Decompress(const std::string& compression, ByteView compressed,
                                                std::uint64_t uncompressed_size) {
  DecodeError error = CheckDecompressible(compression, compressed, uncompressed_size);
  if (!error.message.empty()) return error;
  const std::span<std::uint8_t> out = buffer_.Get(uncompressed_size);
  if (compression.empty()) {
    std::copy(compressed.begin(), compressed.end(), out.begin());
    return ByteView(out);
  }
  if (!contexts_) contexts_ = std::make_unique<Contexts>();
  error = DecompressInto(compression, compressed, out, *contexts_);
  if (!error.message.empty()) return error;
  return ByteView(out);
}

Decoded<Bytes> Decompress(const std::string& compression, ByteView compressed,
                          std::uint64_t uncompressed_size) {
  DecodeError error = CheckDecompressible(compression, compressed, uncompressed_size);
  if (!error.message.empty()) return error;
  if (compression.empty()) return Bytes(compressed.begin(), compressed.end());
  Bytes bytes(uncompressed_size);
  DecompressionContexts contexts;
  error = DecompressInto(compression, compressed, bytes, contexts);
  if (!error.message.empty()) return error;
  return bytes;
}

Bytes DecompressPrefix(const std::string& compression, ByteView partial, std::uint64_t max_size) {
  Bytes out;
  if (compression.empty()) {
    out.assign(partial.begin(),
               partial.begin() +
                   static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(partial.size(), max_size)));
    return out;
  }
  out.resize(max_size);
  std::size_t produced = 0;
  if (compression == "zstd") {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ZSTD_inBuffer in{partial.data(), partial.size(), 0};
    ZSTD_outBuffer dst{out.data(), out.size(), 0};
    while (in.pos < in.size && dst.pos < dst.size) {
      const std::size_t before_in = in.pos, before_out = dst.pos;
      if (ZSTD_isError(ZSTD_decompressStream(dctx, &dst, &in))) break;
      if (in.pos == before_in && dst.pos == before_out) break;
    }
    produced = dst.pos;
    ZSTD_freeDCtx(dctx);
  } else if (compression == "lz4") {
    LZ4F_dctx* dctx = nullptr;
    if (!LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
      std::size_t in_pos = 0;
      while (in_pos < partial.size() && produced < out.size()) {
        std::size_t dst = out.size() - produced;
        std::size_t src = partial.size() - in_pos;
        const std::size_t hint = LZ4F_decompress(dctx, out.data() + produced, &dst,
                                                 partial.data() + in_pos, &src, nullptr);
        if (LZ4F_isError(hint)) break;
        in_pos += src;
        produced += dst;
        if ((src == 0 && dst == 0) || hint == 0) break;
      }
      LZ4F_freeDecompressionContext(dctx);
    }
  }
  out.resize(produced);
  return out;
}

Bytes Compress(const std::string& compression, ByteView raw, int level) {
  if (compression.empty()) return Bytes(raw.begin(), raw.end());
  Bytes out;
  if (compression == "zstd") {
    out.resize(ZSTD_compressBound(raw.size()));
    const std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), level);
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
  }
  if (compression == "lz4") {
    LZ4F_preferences_t prefs{};
    prefs.compressionLevel = level;
    prefs.frameInfo.contentSize = raw.size();
    out.resize(LZ4F_compressFrameBound(raw.size(), &prefs));
    const std::size_t n =
        LZ4F_compressFrame(out.data(), out.size(), raw.data(), raw.size(), &prefs);
    if (LZ4F_isError(n)) throw std::runtime_error(std::string("lz4: ") + LZ4F_getErrorName(n));
    out.resize(n);
    return out;
  }
  throw std::invalid_argument("unsupported MCAP compression '" + compression + "'");
}

}  // namespace longtail::sensors::mcap
