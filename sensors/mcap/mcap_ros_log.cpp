#include "sensors/mcap/mcap_ros_log.h"

#include <filesystem>

#include "sensors/mcap/mcap_log_reader.h"
#include "sensors/mcap/mcap_reader.h"

namespace longtail::sensors {
namespace {

using ros::RosConnection;
using ros::RosLogContents;
using ros::RosMessage;
using ros::RosMessageSource;

// Indexed: a cursor over the chunks holding the wanted topics, in log_time order.
class IndexedSource final : public RosMessageSource {
 public:
  IndexedSource(mcap::McapIndexedReader reader, mcap::MessageFilter filter,
                std::map<std::uint16_t, std::size_t> connection_of)
      : reader_(std::move(reader)),
        cursor_(reader_, std::move(filter)),
        connection_of_(std::move(connection_of)) {}
  std::optional<RosMessage> Next() override {
    while (std::optional<mcap::Message> m = cursor_.Next()) {
      auto c = connection_of_.find(m->channel_id);
      if (c == connection_of_.end()) continue;
      return RosMessage{c->second, static_cast<std::int64_t>(m->log_time), std::move(m->data), 0};
    }
    return std::nullopt;
  }

 private:
  mcap::McapIndexedReader reader_;
  mcap::IndexedMessageCursor cursor_;
  std::map<std::uint16_t, std::size_t> connection_of_;
};

// Without a summary: one linear pass in file order.
class StreamSource final : public RosMessageSource {
 public:
  // Damage goes to `issues` when `report`, else nowhere (a pass after one that reported it).
  StreamSource(const std::string& path, IssueLog& issues, bool report,
               std::map<std::uint16_t, std::size_t> connection_of)
      : stream_(mcap::OpenFileSource(path), report ? issues : dropped_),
        connection_of_(std::move(connection_of)) {}
  std::optional<RosMessage> Next() override {
    while (std::optional<mcap::RecordAt> record = stream_.Next()) {
      auto* m = std::get_if<mcap::Message>(&record->record);
      if (!m) continue;
      auto c = connection_of_.find(m->channel_id);
      if (c == connection_of_.end()) continue;
      return RosMessage{c->second, static_cast<std::int64_t>(m->log_time), std::move(m->data),
                        record->offset};
    }
    return std::nullopt;
  }

 private:
  IssueLog dropped_;  // declared before stream_, which may report to it
  mcap::McapStreamReader stream_;
  std::map<std::uint16_t, std::size_t> connection_of_;
};

struct Channels {
  std::vector<RosConnection> connections;
  std::map<std::uint16_t, std::size_t> connection_of;  // channel id -> connection index
};

void AddChannel(const mcap::Channel& channel, const mcap::Schema* schema, Channels* out,
                LogInfo* info) {
  if (out->connection_of.count(channel.id)) return;
  RosConnection c;
  c.topic = channel.topic;
  c.type = schema ? schema->name : "";
  if (channel.message_encoding == "ros1") {
    c.encoding = ros::Encoding::kRos1;
  } else if (channel.message_encoding == "cdr") {
    c.encoding = ros::Encoding::kCdr;
  } else {
    info->notes.push_back("topic " + channel.topic + ": message encoding '" +
                          channel.message_encoding + "' is not ROS, skipped");
    c.type = channel.message_encoding + ":" + c.type;
  }
  if (schema && (schema->encoding == "ros2msg" || schema->encoding == "ros1msg")) {
    c.definition.assign(schema->data.begin(), schema->data.end());
  } else if (schema && schema->encoding == "ros2idl") {
    info->notes.push_back("topic " + channel.topic +
                          ": ros2idl schema; decoded only if it is a standard type");
  }
  out->connection_of[channel.id] = out->connections.size();
  out->connections.push_back(std::move(c));
}

mcap::MessageFilter FilterFor(const std::set<std::size_t>& wanted, const Channels& channels) {
  mcap::MessageFilter filter;
  for (std::size_t index : wanted) filter.topics.insert(channels.connections[index].topic);
  return filter;
}

}  // namespace

std::string McapProfile(const std::string& path) {
  if (!LooksLikeMcap(path)) return "";
  try {
    IssueLog ignored;  // damage is reported when the log is opened, not when probed
    mcap::McapStreamReader stream(mcap::OpenFileSource(path), ignored);
    if (std::optional<mcap::RecordAt> first = stream.Next()) {
      if (auto* header = std::get_if<mcap::Header>(&first->record)) return header->profile;
    }
  } catch (const LogError&) {
  }
  return "";
}

std::unique_ptr<LogReader> OpenMcapRosLog(const std::string& path, IssueLog& issues,
                                          const ros::RosLogOptions& options) {
  if (!LooksLikeMcap(path)) throw LogError(path, "not an MCAP file (no MCAP magic bytes)");
  RosLogContents contents;
  contents.info.path = path;
  contents.info.log_id = std::filesystem::path(path).filename().string();
  auto channels = std::make_shared<Channels>();
  std::map<std::uint16_t, std::vector<std::int64_t>> times;
  std::optional<mcap::McapIndexedReader> indexed =
      mcap::McapIndexedReader::Open(mcap::OpenFileSource(path), issues);
  std::string profile;
  if (indexed) {
    const mcap::Summary& summary = indexed->summary();
    if (summary.header) profile = summary.header->profile;
    for (const auto& [id, channel] : summary.channels) {
      auto schema = summary.schemas.find(channel.schema_id);
      AddChannel(channel, schema == summary.schemas.end() ? nullptr : &schema->second,
                 channels.get(), &contents.info);
    }
    // Times from the MessageIndex records: no chunk is decompressed for the info.
    std::map<std::string, std::uint64_t> compression;
    for (const mcap::ChunkIndex& chunk : summary.chunk_indexes) {
      ++compression[chunk.compression];
      std::vector<mcap::MessageIndex> indexes = indexed->ReadMessageIndexes(chunk);
      if (indexes.empty()) {
        for (const mcap::Message& m : indexed->ChunkMessages(chunk, {}, {})) {
          times[m.channel_id].push_back(static_cast<std::int64_t>(m.log_time));
        }
      }
      for (const mcap::MessageIndex& index : indexes) {
        for (const auto& [time, offset] : index.records) {
          times[index.channel_id].push_back(static_cast<std::int64_t>(time));
        }
      }
    }
    if (summary.chunk_indexes.empty()) {
      for (const mcap::Message& m : indexed->LinearMessages({})) {
        times[m.channel_id].push_back(static_cast<std::int64_t>(m.log_time));
      }
    }
    for (const auto& [name, count] : compression) {
      contents.info.notes.push_back("chunk compression: " + (name.empty() ? "none" : name) + " (" +
                                    std::to_string(count) + " chunks)");
    }
    contents.info.notes.push_back("indexed: summary with " +
                                  std::to_string(summary.chunk_indexes.size()) + " chunk indexes");
    contents.open_messages = [path, channels](const std::set<std::size_t>& wanted,
                                              IssueLog& log) -> std::unique_ptr<RosMessageSource> {
      std::optional<mcap::McapIndexedReader> reader =
          mcap::McapIndexedReader::Open(mcap::OpenFileSource(path), log);
      if (!reader) {
        return std::make_unique<StreamSource>(path, log, true, channels->connection_of);
      }
      return std::make_unique<IndexedSource>(std::move(*reader), FilterFor(wanted, *channels),
                                             channels->connection_of);
    };
  } else {
    // One pass for the info, which reports any damage; the message passes report nothing new.
    std::map<std::uint16_t, mcap::Schema> schemas;
    mcap::McapStreamReader scan(mcap::OpenFileSource(path), issues);
    while (std::optional<mcap::RecordAt> record = scan.Next()) {
      if (auto* schema = std::get_if<mcap::Schema>(&record->record)) {
        schemas[schema->id] = std::move(*schema);
      } else if (auto* channel = std::get_if<mcap::Channel>(&record->record)) {
        auto s = schemas.find(channel->schema_id);
        AddChannel(*channel, s == schemas.end() ? nullptr : &s->second, channels.get(),
                   &contents.info);
      } else if (auto* message = std::get_if<mcap::Message>(&record->record)) {
        times[message->channel_id].push_back(static_cast<std::int64_t>(message->log_time));
      } else if (auto* header = std::get_if<mcap::Header>(&record->record)) {
        profile = header->profile;
      }
    }
    contents.info.notes.push_back("no summary: read by a linear scan");
    if (const auto& report = scan.report(); report.truncated_at) {
      contents.info.notes.push_back("truncated at byte " + std::to_string(*report.truncated_at) +
                                    ": " + std::to_string(report.bytes_dropped) +
                                    " bytes and at least " +
                                    std::to_string(report.records_dropped) + " records lost");
    }
    contents.open_messages = [path, channels](const std::set<std::size_t>&,
                                              IssueLog& log) -> std::unique_ptr<RosMessageSource> {
      return std::make_unique<StreamSource>(path, log, false, channels->connection_of);
    };
  }
  contents.info.format = profile == "ros1" ? "mcap-ros1" : "mcap-ros2";
  contents.info.notes.insert(contents.info.notes.begin(), "MCAP profile " + profile);
  contents.log_times.resize(channels->connections.size());
  for (auto& [id, list] : times) {
    auto c = channels->connection_of.find(id);
    if (c != channels->connection_of.end()) contents.log_times[c->second] = std::move(list);
  }
  contents.connections = channels->connections;
  return ros::MakeRosLogReader(std::move(contents), issues, options);
}

LogFormat McapRos2LogFormat() {
  return LogFormat{
      "mcap-ros2", [](const std::string& path) { return McapProfile(path) == "ros2"; },
      [](const std::string& path, IssueLog& issues) { return OpenMcapRosLog(path, issues); },
      [](const std::string& path, IssueLog& issues, const LogOpenOptions& options) {
        return OpenMcapRosLog(path, issues, ros::RosOptionsFrom(options));
      }};
}

LogFormat McapRos1LogFormat() {
  return LogFormat{
      "mcap-ros1", [](const std::string& path) { return McapProfile(path) == "ros1"; },
      [](const std::string& path, IssueLog& issues) { return OpenMcapRosLog(path, issues); },
      [](const std::string& path, IssueLog& issues, const LogOpenOptions& options) {
        return OpenMcapRosLog(path, issues, ros::RosOptionsFrom(options));
      }};
}

}  // namespace longtail::sensors
