// A full health check of an MCAP file, for `longtail doctor`: every CRC, the summary against what
// the data section really holds (statistics, chunk indexes, message indexes, attachment and
// metadata indexes, summary offsets), and message times against their chunks.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sensors/issues.h"
#include "sensors/mcap/mcap_reader.h"

namespace longtail::sensors::mcap {

struct McapCheck {
  std::vector<DataIssue> problems;  // each makes the file unhealthy
  std::vector<std::string> notes;   // facts and legal oddities (e.g. messages out of time order)
  StreamReport stream;              // what the streaming pass read and lost
  std::uint64_t messages = 0;
  std::uint64_t chunks = 0;
  bool healthy() const { return problems.empty(); }
};

// Reads the whole file once (plus the bytes that indexes point at). Never throws for bad data;
// throws LogError only when the file cannot be opened.
McapCheck CheckMcapFile(const std::filesystem::path& path);

}  // namespace longtail::sensors::mcap
