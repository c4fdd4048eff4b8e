// MCAP read throughput on the real ROS 2 Ouster bag (frames vs decompression) and on the real
// 30-frame KITTI drive 0052 (lidar + image_02), written by
// longtail with zstd and with lz4, against floors: reading the file's bytes (what
// `cat file > /dev/null` costs) and decompressing its chunks alone (into fresh buffers, and into
// one reused buffer). Prints MB/s of file bytes and
// messages/s; asserts nothing.
//   mcap_benchmark [--benchmark_filter=...]   ($LONGTAIL_SHARED_DATA overrides the data folder)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "sensors/log_reader.h"
#include "sensors/mcap/compression.h"
#include "sensors/mcap/foxglove_log.h"
#include "sensors/mcap/mcap_log_reader.h"
#include "sensors/mcap/mcap_reader.h"
#include "sensors/mcap/mcap_ros_log.h"

namespace {

namespace fs = std::filesystem;
namespace mcap = longtail::sensors::mcap;
using longtail::sensors::IssueLog;

struct Sample {
  fs::path path;
  std::uint64_t bytes = 0;
  std::uint64_t messages = 0;
};

// Writes the drive once per compression into the temp dir; empty path when the data is absent.
const Sample& DriveMcap(const std::string& compression) {
  static std::map<std::string, Sample> samples;
  auto it = samples.find(compression);
  if (it != samples.end()) return it->second;
  Sample& sample = samples[compression];
  const char* env = std::getenv("LONGTAIL_SHARED_DATA");
  const fs::path drive = fs::path(env ? env : LONGTAIL_SHARED_DATA_DEFAULT) /
                         "kitti-raw/2011_09_26/2011_09_26_drive_0052_sync";
  if (!fs::exists(drive)) return sample;
  IssueLog issues;
  auto kitti = longtail::sensors::OpenLog(drive.string(), issues);
  sample.path = fs::temp_directory_path() / ("longtail-bench-0052-" + compression + ".mcap");
  longtail::sensors::proto::McapWriterOptions options;
  options.set_compression(compression);
  mcap::FoxgloveLogWriter writer(sample.path, options);
  while (auto frame = kitti->Next()) writer.Write(*frame);
  writer.Close();
  sample.bytes = fs::file_size(sample.path);
  longtail::sensors::IssueLog ignored;
  auto indexed = mcap::McapIndexedReader::Open(mcap::OpenFileSource(sample.path), ignored);
  sample.messages = indexed->summary().statistics->message_count;
  return sample;
}

bool Ready(benchmark::State& state, const Sample& sample) {
  if (sample.path.empty()) {
    state.SkipWithError("shared/data/kitti-raw drive 0052 is absent");
    return false;
  }
  return true;
}

void Count(benchmark::State& state, const Sample& sample) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * sample.bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * sample.messages));
  state.counters["file_MB"] = static_cast<double>(sample.bytes) / 1e6;
}

// The floor: the bytes read from the page cache in 1 MiB blocks, as `cat file > /dev/null` does.
void BM_CatFloor(benchmark::State& state, const std::string& compression) {
  const Sample& sample = DriveMcap(compression);
  if (!Ready(state, sample)) return;
  std::vector<char> buffer(1 << 20);
  for (auto _ : state) {
    const int fd = ::open(sample.path.c_str(), O_RDONLY);
    while (::read(fd, buffer.data(), buffer.size()) > 0) {
    }
    ::close(fd);
    benchmark::DoNotOptimize(buffer.data());
  }
  Count(state, sample);
}

// Every chunk's compressed records and their uncompressed size, read once before timing.
using CompressedChunk = std::pair<mcap::Bytes, std::uint64_t>;
std::vector<CompressedChunk> CompressedChunks(const Sample& sample) {
  longtail::sensors::IssueLog ignored;
  auto indexed = mcap::McapIndexedReader::Open(mcap::OpenFileSource(sample.path), ignored);
  std::vector<CompressedChunk> chunks;
  for (const mcap::ChunkIndex& index : indexed->summary().chunk_indexes) {
    const mcap::ByteView record =
        indexed->source().Read(index.chunk_start_offset, index.chunk_length);
    chunks.emplace_back(
        mcap::Bytes(record.end() - static_cast<std::ptrdiff_t>(index.compressed_size),
                    record.end()),
        index.uncompressed_size);
  }
  return chunks;
}

// Decompression alone: every chunk's records, nothing parsed.
void BM_DecompressOnly(benchmark::State& state, const std::string& compression) {
  const Sample& sample = DriveMcap(compression);
  if (!Ready(state, sample)) return;
  const std::vector<CompressedChunk> chunks = CompressedChunks(sample);
  for (auto _ : state) {
    for (const auto& [compressed, size] : chunks) {
      benchmark::DoNotOptimize(mcap::Decompress(compression, compressed, size)->data());
    }
  }
  Count(state, sample);
}

// Decompression into one reused buffer (ChunkDecompressor, as the readers do): the pure cost of
// lz4/zstd without BM_DecompressOnly's fresh zero-filled buffer and page faults per chunk.
void BM_DecompressReused(benchmark::State& state, const std::string& compression) {
  const Sample& sample = DriveMcap(compression);
  if (!Ready(state, sample)) return;
  const std::vector<CompressedChunk> chunks = CompressedChunks(sample);
  for (auto _ : state) {
    mcap::ChunkDecompressor decompressor;  // per pass, as each reader has its own
    for (const auto& [compressed, size] : chunks) {
      benchmark::DoNotOptimize(decompressor.Decompress(compression, compressed, size)->data());
    }
  }
  Count(state, sample);
}

// The streaming reader: every record, chunks decompressed, CRCs checked (or not).
void BM_StreamingRead(benchmark::State& state, const std::string& compression, bool crcs) {
  const Sample& sample = DriveMcap(compression);
  if (!Ready(state, sample)) return;
  for (auto _ : state) {
    mcap::StreamReaderOptions options;
    options.validate_crcs = crcs;
    longtail::sensors::IssueLog ignored;
    mcap::McapStreamReader reader(mcap::OpenFileSource(sample.path), ignored, options);
    std::uint64_t messages = 0;
    while (auto record = reader.Next())
      messages += std::holds_alternative<mcap::Message>(record->record);
    benchmark::DoNotOptimize(messages);
  }
  Count(state, sample);
}

// The indexed reader: all messages in log_time order.
void BM_IndexedRead(benchmark::State& state, const std::string& compression) {
  const Sample& sample = DriveMcap(compression);
  if (!Ready(state, sample)) return;
  for (auto _ : state) {
    longtail::sensors::IssueLog ignored;
    auto indexed = mcap::McapIndexedReader::Open(mcap::OpenFileSource(sample.path), ignored);
    mcap::IndexedMessageCursor cursor(*indexed, {});
    std::uint64_t messages = 0;
    while (auto message = cursor.Next()) ++messages;
    benchmark::DoNotOptimize(messages);
  }
  Count(state, sample);
}

// Whole frames: indexed read, protobuf decode of PointCloud and CompressedImage, pairing.
void BM_Frames(benchmark::State& state, const std::string& compression) {
  const Sample& sample = DriveMcap(compression);
  if (!Ready(state, sample)) return;
  for (auto _ : state) {
    IssueLog issues;
    auto reader = longtail::sensors::OpenMcapLog(sample.path.string(), issues);
    int frames = 0;
    while (reader->Next()) ++frames;
    benchmark::DoNotOptimize(frames);
  }
  Count(state, sample);
}

void BM_Write(benchmark::State& state, const std::string& compression) {
  const Sample& sample = DriveMcap(compression);
  if (!Ready(state, sample)) return;
  IssueLog issues;
  auto reader = longtail::sensors::OpenMcapLog(sample.path.string(), issues);
  std::vector<longtail::sensors::Frame> frames;
  while (auto frame = reader->Next()) frames.push_back(std::move(*frame));
  const fs::path out =
      fs::temp_directory_path() / ("longtail-bench-write-" + compression + ".mcap");
  for (auto _ : state) {
    longtail::sensors::proto::McapWriterOptions options;
    options.set_compression(compression);
    mcap::FoxgloveLogWriter writer(out, options);
    for (const auto& frame : frames) writer.Write(frame);
    writer.Close();
  }
  fs::remove(out);
  Count(state, sample);
}

// The real ROS 2 bag (Ouster OS1-64, CDR, zstd) in ../shared/data/ros-logs: reading its frames
// (ros2msg schemas parsed, CDR decoded, organised clouds unpacked) against decompressing its
// chunks alone. The issue's budget: frames cost at most twice the decompression.
Sample Ros2Mcap() {
  const char* env = std::getenv("LONGTAIL_SHARED_DATA");
  Sample sample;
  sample.path = fs::path(env ? env : LONGTAIL_SHARED_DATA_DEFAULT) /
                "ros-logs/mcap-ros2-ouster/pointcloudset_os1_ros2_0.mcap";
  if (!fs::exists(sample.path)) return Sample{};
  sample.bytes = fs::file_size(sample.path);
  longtail::sensors::IssueLog ignored;
  auto indexed = mcap::McapIndexedReader::Open(mcap::OpenFileSource(sample.path), ignored);
  sample.messages = indexed->summary().statistics->message_count;
  return sample;
}

void BM_Ros2DecompressOnly(benchmark::State& state) {
  const Sample sample = Ros2Mcap();
  if (!Ready(state, sample)) return;
  longtail::sensors::IssueLog ignored;
  auto indexed = mcap::McapIndexedReader::Open(mcap::OpenFileSource(sample.path), ignored);
  for (auto _ : state) {
    for (const mcap::ChunkIndex& index : indexed->summary().chunk_indexes) {
      benchmark::DoNotOptimize(indexed->ReadChunk(index));
    }
  }
  Count(state, sample);
}

void BM_Ros2Frames(benchmark::State& state) {
  const Sample sample = Ros2Mcap();
  if (!Ready(state, sample)) return;
  for (auto _ : state) {
    IssueLog issues;
    auto reader = longtail::sensors::OpenMcapRosLog(sample.path.string(), issues);
    std::size_t points = 0;
    while (auto frame = reader->Next()) points += frame->lidar.points.size();
    benchmark::DoNotOptimize(points);
  }
  Count(state, sample);
}

BENCHMARK(BM_Ros2DecompressOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Ros2Frames)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CatFloor, zstd, std::string("zstd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DecompressOnly, zstd, std::string("zstd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DecompressReused, zstd, std::string("zstd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StreamingRead, zstd_crc, std::string("zstd"), true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StreamingRead, zstd_nocrc, std::string("zstd"), false)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IndexedRead, zstd, std::string("zstd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Frames, zstd, std::string("zstd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Write, zstd, std::string("zstd"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CatFloor, lz4, std::string("lz4"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DecompressOnly, lz4, std::string("lz4"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DecompressReused, lz4, std::string("lz4"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StreamingRead, lz4_crc, std::string("lz4"), true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StreamingRead, lz4_nocrc, std::string("lz4"), false)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IndexedRead, lz4, std::string("lz4"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Frames, lz4, std::string("lz4"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Write, lz4, std::string("lz4"))->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
