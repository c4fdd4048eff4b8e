#include "sensors/rosbag/ros1_bag.h"

#include <bzlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "sensors/mcap/compression.h"
#include "sensors/mcap/mcap_reader.h"

namespace longtail::sensors {
namespace {

using ros::RosConnection;
using ros::RosLogContents;
using ros::RosMessage;
using ros::RosMessageSource;
using ByteView = std::span<const std::uint8_t>;

constexpr std::uint64_t kMagicBytes = sizeof(kRos1BagMagic) - 1;
// Record op codes.
constexpr std::uint8_t kOpMessage = 0x02, kOpBagHeader = 0x03, kOpIndex = 0x04, kOpChunk = 0x05,
                       kOpConnection = 0x07;
// A header this large is corruption; rosbag's own headers are well under a kilobyte, connection
// headers with message definitions a few tens of kilobytes.
constexpr std::uint32_t kMaxHeaderBytes = 16u << 20;
constexpr std::uint64_t kMaxChunkBytes = std::uint64_t{1} << 31;

std::uint32_t U32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

std::optional<std::uint64_t> FieldU(const std::map<std::string, std::string>& header,
                                    const std::string& name, std::size_t size) {
  auto it = header.find(name);
  if (it == header.end() || it->second.size() != size) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < size; ++i) {
    v |= std::uint64_t{static_cast<std::uint8_t>(it->second[i])} << (8 * i);
  }
  return v;
}

// ROS time (sec u32, nsec u32) as ns.
std::optional<std::int64_t> FieldTime(const std::map<std::string, std::string>& header,
                                      const std::string& name) {
  const std::optional<std::uint64_t> raw = FieldU(header, name, 8);
  if (!raw) return std::nullopt;
  return static_cast<std::int64_t>(*raw & 0xffffffffu) * 1'000'000'000 +
         static_cast<std::int64_t>(*raw >> 32);
}

struct BagRecord {
  std::map<std::string, std::string> header;
  std::uint8_t op = 0;
  std::uint64_t data_offset = 0;  // of the data in the file (or in the chunk)
  std::uint32_t data_length = 0;
  std::uint64_t end = 0;  // offset just past the record
};

// Parses the record at `pos` of `bytes` (a whole chunk in memory). Sets `error` when it is bad.
std::optional<BagRecord> RecordIn(ByteView bytes, std::uint64_t pos, std::string* error) {
  if (pos + 4 > bytes.size()) return *error = "record header length cut off", std::nullopt;
  const std::uint32_t header_len = U32(bytes.data() + pos);
  if (header_len > kMaxHeaderBytes || pos + 4 + header_len + 4 > bytes.size()) {
    *error = "record header of " + std::to_string(header_len) + " bytes runs past the end";
    return std::nullopt;
  }
  auto header = ParseBagHeader(bytes.subspan(pos + 4, header_len));
  if (!header) return *error = "malformed record header", std::nullopt;
  const std::uint64_t data_at = pos + 4 + header_len + 4;
  const std::uint32_t data_len = U32(bytes.data() + pos + 4 + header_len);
  if (data_at + data_len > bytes.size()) {
    *error = "record data of " + std::to_string(data_len) + " bytes runs past the end";
    return std::nullopt;
  }
  BagRecord record;
  record.op = static_cast<std::uint8_t>(FieldU(*header, "op", 1).value_or(0));
  record.header = std::move(*header);
  record.data_offset = data_at;
  record.data_length = data_len;
  record.end = data_at + data_len;
  return record;
}

std::optional<RosConnection> ConnectionOf(const BagRecord& record, ByteView data) {
  auto fields = ParseBagHeader(data);
  if (!fields) return std::nullopt;
  RosConnection c;
  auto topic = record.header.find("topic");
  c.topic = topic != record.header.end() ? topic->second : (*fields)["topic"];
  c.type = (*fields)["type"];
  c.encoding = ros::Encoding::kRos1;
  c.definition = (*fields)["message_definition"];
  return c;
}

std::string Decompress(const std::string& compression, ByteView data, std::uint64_t size,
                       std::vector<std::uint8_t>* out) {
  if (compression == "none") {
    if (data.size() != size) return "uncompressed chunk size mismatch";
    out->assign(data.begin(), data.end());
    return "";
  }
  if (compression == "lz4") {
    Decoded<mcap::Bytes> d = mcap::Decompress("lz4", data, size);
    if (!d) {
      out->clear();
      return d.error().message;
    }
    *out = std::move(*d);
    return "";
  }
  if (compression == "bz2") {
    out->resize(size);
    auto length = static_cast<unsigned int>(size);
    const int rc =
        BZ2_bzBuffToBuffDecompress(reinterpret_cast<char*>(out->data()), &length,
                                   const_cast<char*>(reinterpret_cast<const char*>(data.data())),
                                   static_cast<unsigned int>(data.size()), 0, 0);
    if (rc != BZ_OK) return "bz2 error " + std::to_string(rc);
    if (length != size) return "bz2 chunk decompressed to " + std::to_string(length) + " bytes";
    return "";
  }
  return "unknown chunk compression '" + compression + "'";
}

// Walks a bag's top-level records, opening chunks; calls back with connections and messages.
class BagWalker {
 public:
  // Problems of the top-level records go to `top_issues`, those inside chunks to `chunk_issues`:
  // a first look that skips chunks reports the one kind, the pass that opens them the other, and
  // nothing is reported twice.
  BagWalker(const std::string& path, IssueLog& top_issues, IssueLog& chunk_issues)
      : path_(path),
        source_(mcap::OpenFileSource(path)),
        top_issues_(&top_issues),
        chunk_issues_(&chunk_issues) {
    pos_ = kMagicBytes;
  }

  struct Item {
    enum class Kind { kConnection, kMessage, kIndexTimes, kChunkStart } kind;
    std::uint32_t conn = 0;
    RosConnection connection;
    std::int64_t time_ns = 0;
    std::vector<std::uint8_t> data;
    std::vector<std::int64_t> times;  // kIndexTimes
    std::uint64_t offset = 0;
  };

  // `open_chunks`: false to skip chunk contents (the index records give the times).
  std::optional<Item> Next(bool open_chunks) {
    while (true) {
      if (chunk_pos_ < chunk_.size()) {
        std::string error;
        auto record = RecordIn(chunk_, chunk_pos_, &error);
        if (!record) {
          ReportChunk(chunk_offset_, chunk_.size() - chunk_pos_,
                      "chunk at " + std::to_string(chunk_offset_) + ", byte " +
                          std::to_string(chunk_pos_) + " inside: " + error +
                          "; rest of chunk skipped");
          chunk_.clear();
          continue;
        }
        chunk_pos_ = record->end;
        if (auto item =
                ItemOf(*record, ByteView(chunk_).subspan(record->data_offset, record->data_length),
                       chunk_offset_)) {
          return item;
        }
        continue;
      }
      chunk_.clear();
      chunk_pos_ = 0;
      if (done_) return std::nullopt;
      if (pos_ >= source_->size()) {
        if (!bag_header_seen_) {
          ReportTop(pos_, 0, "truncated: the file ends before the bag header record");
        } else if (index_pos_ > source_->size()) {
          ReportTop(source_->size(), 0,
                    "truncated: the bag header places the index at byte " +
                        std::to_string(index_pos_) + ", past the end");
        }
        done_ = true;
        return std::nullopt;
      }
      std::optional<BagRecord> record = TopLevel();
      if (!record) return std::nullopt;
      const std::uint64_t at = pos_;
      pos_ = record->end;
      if (record->op == kOpChunk) {
        ++chunks_;
        if (!open_chunks) return Item{Item::Kind::kChunkStart, 0, {}, 0, {}, {}, at};
        OpenChunk(*record, at);
        continue;
      }
      if (record->op == kOpBagHeader) {
        bag_header_seen_ = true;
        index_pos_ = FieldU(record->header, "index_pos", 8).value_or(0);
      }
      const ByteView data = source_->Read(record->data_offset, record->data_length);
      if (record->op == kOpIndex) {
        Item item{Item::Kind::kIndexTimes, 0, {}, 0, {}, {}, at};
        item.conn = static_cast<std::uint32_t>(FieldU(record->header, "conn", 4).value_or(0));
        for (std::size_t i = 0; i + 12 <= data.size(); i += 12) {
          item.times.push_back(static_cast<std::int64_t>(U32(data.data() + i)) * 1'000'000'000 +
                               U32(data.data() + i + 4));
        }
        return item;
      }
      if (auto item = ItemOf(*record, data, at)) return item;
    }
  }

  std::uint64_t chunks() const { return chunks_; }

 private:
  void ReportTop(std::uint64_t offset, std::uint64_t bytes, const std::string& reason) {
    top_issues_->Report({path_, offset, bytes, reason});
  }
  void ReportChunk(std::uint64_t offset, std::uint64_t bytes, const std::string& reason) {
    chunk_issues_->Report({path_, offset, bytes, reason});
  }

  std::optional<BagRecord> TopLevel() {
    const std::uint64_t size = source_->size();
    const auto fail = [&](const std::string& why) {
      ReportTop(pos_, size - pos_, "truncated or corrupt record: " + why + "; the rest is lost");
      done_ = true;
      return std::nullopt;
    };
    if (pos_ + 4 > size) return fail("record header length cut off");
    const std::uint32_t header_len = U32(source_->Read(pos_, 4).data());
    if (header_len > kMaxHeaderBytes || pos_ + 8 + header_len > size) {
      return fail("header of " + std::to_string(header_len) + " bytes runs past the end");
    }
    const ByteView head = source_->Read(pos_ + 4, header_len + 4);
    auto header = ParseBagHeader(head.subspan(0, header_len));
    if (!header) return fail("malformed record header");
    BagRecord record;
    record.data_length = U32(head.data() + header_len);
    record.data_offset = pos_ + 8 + header_len;
    record.end = record.data_offset + record.data_length;
    if (record.end > size) {
      return fail("data of " + std::to_string(record.data_length) + " bytes runs past the end");
    }
    record.op = static_cast<std::uint8_t>(FieldU(*header, "op", 1).value_or(0));
    record.header = std::move(*header);
    return record;
  }

  void OpenChunk(const BagRecord& record, std::uint64_t at) {
    const std::string compression =
        record.header.count("compression") ? record.header.at("compression") : "none";
    const std::uint64_t size = FieldU(record.header, "size", 4).value_or(0);
    // bz2 peaks below zstd's ratio; lz4 and "none" have their own bounds.
    const std::string bound = compression == "none" ? "" : compression == "lz4" ? "lz4" : "zstd";
    if (size > kMaxChunkBytes || !mcap::PlausibleChunkSize(bound, record.data_length, size)) {
      ReportChunk(at, record.end - at, "chunk claims " + std::to_string(size) + " bytes: skipped");
      return;
    }
    const ByteView data = source_->Read(record.data_offset, record.data_length);
    const std::string error = Decompress(compression, data, size, &chunk_);
    if (!error.empty()) {
      ReportChunk(at, record.end - at, "chunk (" + compression + ") fails to decompress: " + error);
      chunk_.clear();
      return;
    }
    chunk_offset_ = at;
  }

  std::optional<Item> ItemOf(const BagRecord& record, ByteView data, std::uint64_t offset) {
    if (record.op == kOpConnection) {
      auto connection = ConnectionOf(record, data);
      const auto conn = FieldU(record.header, "conn", 4);
      if (!connection || !conn) {
        ReportChunk(offset, 0, "malformed connection record");
        return std::nullopt;
      }
      Item item{Item::Kind::kConnection,
                static_cast<std::uint32_t>(*conn),
                std::move(*connection),
                0,
                {},
                {},
                offset};
      return item;
    }
    if (record.op == kOpMessage) {
      const auto conn = FieldU(record.header, "conn", 4);
      const auto time = FieldTime(record.header, "time");
      if (!conn || !time) {
        ReportChunk(offset, data.size(), "message record without conn or time");
        return std::nullopt;
      }
      return Item{Item::Kind::kMessage,
                  static_cast<std::uint32_t>(*conn),
                  {},
                  *time,
                  std::vector<std::uint8_t>(data.begin(), data.end()),
                  {},
                  offset};
    }
    return std::nullopt;  // bag header, chunk info: nothing a reader of messages needs
  }

  std::string path_;
  std::unique_ptr<mcap::ByteSource> source_;
  IssueLog* top_issues_;
  IssueLog* chunk_issues_;
  std::uint64_t pos_ = 0;
  bool done_ = false;
  bool bag_header_seen_ = false;
  std::uint64_t index_pos_ = 0;
  std::vector<std::uint8_t> chunk_;
  std::size_t chunk_pos_ = 0;
  std::uint64_t chunk_offset_ = 0;
  std::uint64_t chunks_ = 0;
};

struct Connections {
  std::vector<RosConnection> list;
  std::map<std::uint32_t, std::size_t> index_of;  // bag conn id -> index in list
};

class BagSource final : public RosMessageSource {
 public:
  // Damage inside chunks goes to `chunk_issues` when `report_chunks`; top-level damage was
  // reported by the first look and is dropped here.
  BagSource(const std::string& path, IssueLog& chunk_issues, bool report_chunks,
            std::shared_ptr<const Connections> c)
      : walker_(path, dropped_, report_chunks ? chunk_issues : dropped_),
        connections_(std::move(c)) {}
  std::optional<RosMessage> Next() override {
    while (auto item = walker_.Next(true)) {
      if (item->kind != BagWalker::Item::Kind::kMessage) continue;
      auto index = connections_->index_of.find(item->conn);
      if (index == connections_->index_of.end()) continue;
      return RosMessage{index->second, item->time_ns, std::move(item->data), item->offset};
    }
    return std::nullopt;
  }

 private:
  IssueLog dropped_;  // declared before walker_, which reports to it
  BagWalker walker_;
  std::shared_ptr<const Connections> connections_;
};

}  // namespace

std::optional<std::map<std::string, std::string>> ParseBagHeader(ByteView bytes) {
  std::map<std::string, std::string> fields;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    if (pos + 4 > bytes.size()) return std::nullopt;
    const std::uint32_t len = U32(bytes.data() + pos);
    pos += 4;
    if (len > bytes.size() - pos) return std::nullopt;
    const std::string field(reinterpret_cast<const char*>(bytes.data() + pos), len);
    pos += len;
    const std::size_t eq = field.find('=');
    if (eq == std::string::npos) return std::nullopt;
    fields[field.substr(0, eq)] = field.substr(eq + 1);
  }
  return fields;
}

bool LooksLikeRos1Bag(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[kMagicBytes] = {};
  in.read(magic, kMagicBytes);
  return in.gcount() == static_cast<std::streamsize>(kMagicBytes) &&
         std::memcmp(magic, kRos1BagMagic, kMagicBytes) == 0;
}

std::unique_ptr<LogReader> OpenRos1BagLog(const std::string& path, IssueLog& issues,
                                          const ros::RosLogOptions& options) {
  if (!LooksLikeRos1Bag(path)) throw LogError(path, "not a ROS 1 bag v2.0 (no #ROSBAG V2.0 line)");
  RosLogContents contents;
  contents.info.path = path;
  contents.info.format = "ros1-bag";
  contents.info.log_id = std::filesystem::path(path).filename().string();
  auto connections = std::make_shared<Connections>();
  std::map<std::uint32_t, std::vector<std::int64_t>> times;
  const auto add_connection = [&](BagWalker::Item& item) {
    if (connections->index_of.count(item.conn)) return;
    connections->index_of[item.conn] = connections->list.size();
    connections->list.push_back(std::move(item.connection));
  };
  // First look: the index records after each chunk give every message's time without
  // decompressing anything; connections are repeated at the end of an indexed bag.
  std::uint64_t chunks = 0, indexed_chunks = 0;
  {
    IssueLog chunk_issues_dropped;  // chunks are not read here
    BagWalker walker(path, issues, chunk_issues_dropped);
    bool index_after_chunk = true;
    while (auto item = walker.Next(false)) {
      switch (item->kind) {
        case BagWalker::Item::Kind::kChunkStart:
          ++chunks;
          index_after_chunk = false;
          break;
        case BagWalker::Item::Kind::kIndexTimes:
          if (!index_after_chunk) ++indexed_chunks;
          index_after_chunk = true;
          times[item->conn].insert(times[item->conn].end(), item->times.begin(), item->times.end());
          break;
        case BagWalker::Item::Kind::kConnection:
          add_connection(*item);
          break;
        case BagWalker::Item::Kind::kMessage:
          times[item->conn].push_back(item->time_ns);
          break;
      }
    }
  }
  bool chunks_reported = false;
  if (indexed_chunks < chunks || connections->list.empty()) {
    // Unindexed (a bag whose recording was cut off, or written without index): read it all.
    contents.info.notes.push_back("no index for " + std::to_string(chunks - indexed_chunks) +
                                  " of " + std::to_string(chunks) + " chunks: read by a full scan");
    times.clear();
    IssueLog top_issues_dropped;  // the first look reported them
    BagWalker walker(path, top_issues_dropped, issues);
    chunks_reported = true;
    while (auto item = walker.Next(true)) {
      if (item->kind == BagWalker::Item::Kind::kConnection) add_connection(*item);
      if (item->kind == BagWalker::Item::Kind::kMessage) times[item->conn].push_back(item->time_ns);
    }
  } else {
    contents.info.notes.push_back("indexed: " + std::to_string(chunks) + " chunks");
  }
  contents.connections = connections->list;
  contents.log_times.resize(connections->list.size());
  for (auto& [conn, list] : times) {
    auto index = connections->index_of.find(conn);
    if (index != connections->index_of.end()) {
      auto& into = contents.log_times[index->second];
      into.insert(into.end(), list.begin(), list.end());
    }
  }
  contents.open_messages = [path, connections, chunks_reported](const std::set<std::size_t>&,
                                                                IssueLog& log) {
    return std::make_unique<BagSource>(path, log, !chunks_reported, connections);
  };
  return ros::MakeRosLogReader(std::move(contents), issues, options);
}

LogFormat Ros1BagLogFormat() {
  return LogFormat{
      "ros1-bag", LooksLikeRos1Bag,
      [](const std::string& path, IssueLog& issues) { return OpenRos1BagLog(path, issues); },
      [](const std::string& path, IssueLog& issues, const LogOpenOptions& options) {
        return OpenRos1BagLog(path, issues, ros::RosOptionsFrom(options));
      }};
}

}  // namespace longtail::sensors
