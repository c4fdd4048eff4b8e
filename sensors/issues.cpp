#include "sensors/issues.h"

namespace longtail::sensors {

void IssueLog::Report(DataIssue issue) {
  std::lock_guard lock(mutex_);
  ++count_;
  bytes_dropped_ += issue.bytes;
  if (issues_.size() < max_kept_) issues_.push_back(std::move(issue));
}

std::size_t IssueLog::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

std::uint64_t IssueLog::bytes_dropped() const {
  std::lock_guard lock(mutex_);
  return bytes_dropped_;
}

std::vector<DataIssue> IssueLog::issues() const {
  std::lock_guard lock(mutex_);
  return issues_;
}

std::string ToString(const DataIssue& issue) {
  return issue.file + " @ " + std::to_string(issue.offset) + ": " + issue.reason;
}

}  // namespace longtail::sensors
