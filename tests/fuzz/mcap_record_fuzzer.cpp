// libFuzzer target for the MCAP record parser and both readers. Built outside the normal build by
// run.sh with Debian's clang (-fsanitize=fuzzer,address,undefined). Any input must end without a
// crash, a sanitizer report, a hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>

#include "sensors/issues.h"
#include "sensors/mcap/mcap_reader.h"
#include "sensors/mcap/mcap_records.h"

namespace mcap = longtail::sensors::mcap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::uint64_t kLimit = 1 << 20;  // keeps claimed sizes from exhausting memory
  // 1. One record's content under its opcode (the first byte).
  if (size > 0) {
    const auto parsed = mcap::ParseRecord(data[0], mcap::ByteView(data + 1, size - 1));
    if (parsed) {
      mcap::RecordEncoder encoder;  // whatever parses must also encode
      encoder.Append(*parsed);
    }
  }
  // 2. The whole input as a file, streamed; then with the magic in front, so the fuzzer need not
  //    find it first.
  mcap::Bytes with_magic(mcap::kMagic, mcap::kMagic + 8);
  with_magic.insert(with_magic.end(), data, data + size);
  for (mcap::Bytes bytes : {mcap::Bytes(data, data + size), with_magic}) {
    longtail::sensors::IssueLog issues(16);
    mcap::StreamReaderOptions options;
    options.max_record_bytes = kLimit;
    mcap::McapStreamReader reader(mcap::MemorySource(bytes), issues, options);
    while (reader.Next()) {
    }
    // 3. The indexed reader over the same bytes.
    if (auto indexed = mcap::McapIndexedReader::Open(mcap::MemorySource(bytes), issues, kLimit)) {
      indexed->ReadMessages({});
      for (const auto& chunk : indexed->summary().chunk_indexes) indexed->ReadMessageIndexes(chunk);
      for (const auto& index : indexed->summary().metadata_indexes) indexed->ReadMetadata(index);
    }
  }
  return 0;
}
