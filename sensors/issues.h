// Bad-data reporting: readers tell an IssueLog about every file or byte range they could not use
// and keep going (the leveldb log::Reader::Reporter pattern). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace longtail::sensors {

struct DataIssue {
  std::string file;          // path of the file that holds the bad data
  std::uint64_t offset = 0;  // byte offset of the bad data in `file` (0 when the whole file is bad)
  std::uint64_t bytes = 0;   // bytes dropped because of it (0 when unknown)
  std::string
      reason;  // what was wrong, for a person: "truncated: 1000 bytes is not a multiple of 16"
};

class IssueLog {
 public:
  // Keeps the first `max_kept` issues verbatim; the count goes on past that.
  explicit IssueLog(std::size_t max_kept = 1000) : max_kept_(max_kept) {}

  void Report(DataIssue issue);
  std::size_t count() const;
  std::uint64_t bytes_dropped() const;
  std::vector<DataIssue> issues() const;  // a copy, in report order

 private:
  mutable std::mutex mutex_;
  std::size_t max_kept_;
  std::size_t count_ = 0;
  std::uint64_t bytes_dropped_ = 0;
  std::vector<DataIssue> issues_;
};

// "path @ offset: reason"
std::string ToString(const DataIssue& issue);

}  // namespace longtail::sensors
