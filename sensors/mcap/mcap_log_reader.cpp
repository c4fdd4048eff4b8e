#include "sensors/mcap/mcap_log_reader.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "sensors/mcap/foxglove_log.h"
#include "sensors/mcap/mcap_reader.h"
#include "sensors/sync.h"

namespace longtail::sensors {
namespace {

using mcap::Message;

enum class Kind { kLidar, kCamera, kCalibration, kTransforms, kUnsupported };

struct ChannelInfo {
  std::string topic;
  std::string schema;  // "foxglove.PointCloud", or "encoding:name" for unsupported ones
  Kind kind = Kind::kUnsupported;
};

ChannelInfo Classify(const mcap::Channel& channel, const mcap::Schema* schema) {
  ChannelInfo info{channel.topic, schema ? schema->name : "", Kind::kUnsupported};
  const bool protobuf =
      schema && schema->encoding == "protobuf" && channel.message_encoding == "protobuf";
  if (protobuf && schema->name == "foxglove.PointCloud") info.kind = Kind::kLidar;
  if (protobuf && schema->name == "foxglove.CompressedImage") info.kind = Kind::kCamera;
  if (protobuf && schema->name == "foxglove.CameraCalibration") info.kind = Kind::kCalibration;
  if (protobuf && schema->name == "foxglove.FrameTransforms") info.kind = Kind::kTransforms;
  if (info.kind == Kind::kUnsupported) {
    info.schema = (schema ? schema->encoding + ":" + schema->name : std::string("no schema")) +
                  " as " + (channel.message_encoding.empty() ? "?" : channel.message_encoding);
  }
  return info;
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kLidar:
      return "lidar";
    case Kind::kCamera:
      return "camera";
    case Kind::kCalibration:
      return "calibration";
    case Kind::kTransforms:
      return "transforms";
    default:
      return "unsupported";
  }
}

struct StreamTimes {
  std::vector<std::uint64_t> times;  // log_time ns of every message
};

class McapLogReader final : public LogReader {
 public:
  McapLogReader(const std::string& path, IssueLog& issues, const proto::FoxgloveLogOptions& options)
      : path_(path), issues_(&issues), options_(options) {
    info_.path = path;
    info_.format = "mcap";
    info_.log_id = std::filesystem::path(path).filename().string();
    max_skew_ = FromSeconds(options_.max_camera_skew_ms() / 1000.0);
    indexed_ = mcap::McapIndexedReader::Open(mcap::OpenFileSource(path), *issues_);
    if (indexed_) {
      OpenIndexed();
    } else {
      OpenStreaming();
    }
    FinishInfo();
  }

  const LogInfo& info() const override { return info_; }

  std::optional<Frame> Next() override {
    while (true) {
      if (!scans_.empty()) {
        const std::uint64_t due =
            static_cast<std::uint64_t>(ToNanos(scans_.front().stamp + max_skew_));
        if (source_done_ || latest_time_ > due) return Emit();
      } else if (source_done_) {
        return std::nullopt;
      }
      std::optional<Message> message = next_message_();
      if (!message) {
        source_done_ = true;
        continue;
      }
      latest_time_ = std::max(latest_time_, message->log_time);
      Handle(*message);
    }
  }

 private:
  void AddChannel(const mcap::Channel& channel, const mcap::Schema* schema) {
    if (!channels_.count(channel.id)) channels_[channel.id] = Classify(channel, schema);
  }

  void OpenIndexed() {
    const mcap::Summary& summary = indexed_->summary();
    for (const auto& [id, channel] : summary.channels) {
      auto schema = summary.schemas.find(channel.schema_id);
      AddChannel(channel, schema == summary.schemas.end() ? nullptr : &schema->second);
    }
    for (const mcap::MetadataIndex& index : summary.metadata_indexes) {
      if (index.name != mcap::kCalibrationMetadataName) continue;
      if (auto metadata = indexed_->ReadMetadata(index)) {
        exact_ = mcap::ParseCalibrationMetadata(metadata->metadata);
      }
    }
    // Per-channel times from the MessageIndex records: no chunk is decompressed for the info.
    std::map<std::uint16_t, StreamTimes> times;
    std::map<std::string, std::uint64_t> compression;
    for (const mcap::ChunkIndex& chunk : summary.chunk_indexes) {
      ++compression[chunk.compression];
      std::vector<mcap::MessageIndex> indexes = indexed_->ReadMessageIndexes(chunk);
      if (indexes.empty()) {
        for (const Message& m : indexed_->ChunkMessages(chunk, {}, {})) {
          times[m.channel_id].times.push_back(m.log_time);
        }
      }
      for (const mcap::MessageIndex& index : indexes) {
        for (const auto& [time, offset] : index.records)
          times[index.channel_id].times.push_back(time);
      }
    }
    if (summary.chunk_indexes.empty()) {
      for (const Message& m : indexed_->LinearMessages({}))
        times[m.channel_id].times.push_back(m.log_time);
    }
    AddStreams(times);
    for (const auto& [name, count] : compression) AddCompressionNote(name, count);
    if (summary.header) AddHeaderNotes(*summary.header);
    info_.notes.push_back("indexed: summary with " + std::to_string(summary.chunk_indexes.size()) +
                          " chunk indexes");
    if (!summary.attachment_indexes.empty()) {
      info_.notes.push_back(std::to_string(summary.attachment_indexes.size()) + " attachments");
    }
    cursor_ = std::make_unique<mcap::IndexedMessageCursor>(*indexed_, mcap::MessageFilter{});
    next_message_ = [this] { return cursor_->Next(); };
  }

  // Without a summary (a file still being written, truncated, or written without one): one pass
  // for the info, which also reports any damage, then a second pass for the frames.
  void OpenStreaming() {
    std::map<std::uint16_t, mcap::Schema> schemas;
    std::map<std::uint16_t, StreamTimes> times;
    mcap::McapStreamReader scan(mcap::OpenFileSource(path_), *issues_);
    std::optional<mcap::Header> header;
    while (std::optional<mcap::RecordAt> record = scan.Next()) {
      if (auto* schema = std::get_if<mcap::Schema>(&record->record)) {
        schemas[schema->id] = std::move(*schema);
      } else if (auto* channel = std::get_if<mcap::Channel>(&record->record)) {
        auto s = schemas.find(channel->schema_id);
        AddChannel(*channel, s == schemas.end() ? nullptr : &s->second);
      } else if (auto* message = std::get_if<Message>(&record->record)) {
        times[message->channel_id].times.push_back(message->log_time);
      } else if (auto* metadata = std::get_if<mcap::Metadata>(&record->record)) {
        if (metadata->name == mcap::kCalibrationMetadataName) {
          exact_ = mcap::ParseCalibrationMetadata(metadata->metadata);
        }
      } else if (auto* h = std::get_if<mcap::Header>(&record->record)) {
        header = *h;
      }
    }
    const mcap::StreamReport& report = scan.report();
    AddStreams(times);
    for (const auto& [name, count] : report.chunks_by_compression) AddCompressionNote(name, count);
    if (header) AddHeaderNotes(*header);
    info_.notes.push_back("no summary: read by a linear scan");
    if (report.truncated_at) {
      info_.notes.push_back("truncated at byte " + std::to_string(*report.truncated_at) + ": " +
                            std::to_string(report.bytes_dropped) + " bytes and at least " +
                            std::to_string(report.records_dropped) + " records lost");
    } else if (report.records_dropped > 0) {
      info_.notes.push_back(std::to_string(report.records_dropped) + " corrupt records skipped");
    }
    // The frame pass reports nothing new: the info pass already reported every problem.
    stream_ = std::make_unique<mcap::McapStreamReader>(mcap::OpenFileSource(path_),
                                                       frame_pass_issues_dropped_);
    next_message_ = [this]() -> std::optional<Message> {
      while (std::optional<mcap::RecordAt> record = stream_->Next()) {
        if (auto* message = std::get_if<Message>(&record->record)) return std::move(*message);
      }
      return std::nullopt;
    };
  }

  void AddStreams(std::map<std::uint16_t, StreamTimes>& times) {
    for (auto& [id, stream] : times) {
      auto channel = channels_.find(id);
      if (channel == channels_.end()) continue;
      std::sort(stream.times.begin(), stream.times.end());
      StreamInfo info;
      info.name = channel->second.topic;
      info.kind = KindName(channel->second.kind);
      if (channel->second.kind == Kind::kTransforms && info.name == options_.transforms_topic()) {
        info.kind = "pose";
        info_.has_ego_pose = true;
      }
      if (channel->second.kind == Kind::kCalibration) info_.has_calibration = true;
      info.count = static_cast<std::int64_t>(stream.times.size());
      info.first = FromNanos(static_cast<std::int64_t>(stream.times.front()));
      info.last = FromNanos(static_cast<std::int64_t>(stream.times.back()));
      for (std::size_t i = 1; i < stream.times.size(); ++i) {
        info.largest_gap =
            std::max(info.largest_gap,
                     Duration(static_cast<std::int64_t>(stream.times[i] - stream.times[i - 1])));
      }
      info_.streams.push_back(info);
      if (channel->second.kind == Kind::kUnsupported) {
        info_.notes.push_back("topic " + info.name + " (" + channel->second.schema +
                              "): unsupported schema, its " + std::to_string(info.count) +
                              " messages are skipped");
      } else {
        info_.notes.push_back("topic " + info.name + ": " + channel->second.schema + " (protobuf)");
      }
    }
    // Topic order, as `mcap info` lists them.
    std::sort(info_.streams.begin(), info_.streams.end(),
              [](const StreamInfo& a, const StreamInfo& b) { return a.name < b.name; });
    std::int64_t total = 0;
    for (const StreamInfo& stream : info_.streams) total += stream.count;
    info_.notes.push_back(std::to_string(total) + " messages on " +
                          std::to_string(info_.streams.size()) + " topics");
  }

  void AddCompressionNote(const std::string& name, std::uint64_t count) {
    info_.notes.push_back("chunk compression: " + (name.empty() ? std::string("none") : name) +
                          " (" + std::to_string(count) + " chunks)");
  }
  void AddHeaderNotes(const mcap::Header& header) {
    info_.notes.push_back("written by: " + (header.library.empty() ? "?" : header.library) +
                          (header.profile.empty() ? "" : ", profile " + header.profile));
  }

  void FinishInfo() {
    bool has_lidar = false;
    for (const StreamInfo& stream : info_.streams) has_lidar = has_lidar || stream.kind == "lidar";
    if (!has_lidar) info_.notes.push_back("no foxglove.PointCloud topic: the log has no frames");
    if (!info_.has_ego_pose) {
      info_.notes.push_back("no " + options_.world_frame_id() + " -> " +
                            options_.vehicle_frame_id() + " transforms: ego motion unknown");
    }
    if (exact_) info_.has_calibration = true;
  }

  void Fail(const Message& message, const std::string& error) {
    const auto channel = channels_.find(message.channel_id);
    issues_->Report(
        {path_, 0, 0,
         "topic " + (channel == channels_.end() ? std::string("?") : channel->second.topic) +
             ", message at log_time " + std::to_string(message.log_time) + ": " + error});
  }

  void Handle(const Message& message) {
    auto channel = channels_.find(message.channel_id);
    if (channel == channels_.end()) return;  // a channel the info pass never saw
    switch (channel->second.kind) {
      case Kind::kLidar:
        if (auto scan = mcap::DecodePointCloud(message.data)) {
          scans_.push_back(std::move(*scan));
        } else {
          Fail(message, scan.error().message);
        }
        break;
      case Kind::kCamera:
        if (auto image = mcap::DecodeCompressedImage(message.data)) {
          images_[image->camera].push_back(std::move(*image));
        } else {
          Fail(message, image.error().message);
        }
        break;
      case Kind::kCalibration:
        if (auto camera = mcap::DecodeCameraCalibration(message.data)) {
          cameras_[camera->name] = *camera;
          calibration_.reset();
        } else {
          Fail(message, camera.error().message);
        }
        break;
      case Kind::kTransforms:
        if (auto transforms = mcap::DecodeFrameTransforms(message.data)) {
          for (const mcap::Transform& t : *transforms) HandleTransform(t);
        } else {
          Fail(message, transforms.error().message);
        }
        break;
      default:
        break;
    }
  }

  bool IsVehicleFrame(const std::string& frame) const {
    return frame == options_.vehicle_frame_id() || frame == "base_link";
  }

  void HandleTransform(const mcap::Transform& t) {
    if (t.parent == options_.world_frame_id() && IsVehicleFrame(t.child)) {
      EgoPose pose;
      pose.stamp = t.stamp;
      pose.world_from_vehicle = t.parent_from_child;
      poses_.push_back(pose);
    } else if (IsVehicleFrame(t.parent)) {
      vehicle_from_sensor_[t.child] = t.parent_from_child;
      calibration_.reset();
    }
  }

  std::shared_ptr<const Calibration> CurrentCalibration() {
    if (calibration_) return calibration_;
    auto calibration = std::make_shared<Calibration>();
    auto lidar = vehicle_from_sensor_.find(options_.lidar_frame_id());
    if (lidar != vehicle_from_sensor_.end()) calibration->vehicle_from_lidar = lidar->second;
    for (const auto& [name, model] : cameras_) {
      CameraModel camera = model;
      auto mount = vehicle_from_sensor_.find(name);
      if (mount != vehicle_from_sensor_.end()) camera.camera_from_vehicle = mount->second.inverse();
      if (exact_) {
        if (auto e = exact_->camera_from_vehicle.find(name);
            e != exact_->camera_from_vehicle.end()) {
          camera.camera_from_vehicle = e->second;
        }
        if (auto p = exact_->projection.find(name); p != exact_->projection.end()) {
          camera.projection = p->second;
        }
      }
      calibration->cameras.push_back(camera);
    }
    if (exact_) {
      if (exact_->vehicle_from_lidar) calibration->vehicle_from_lidar = *exact_->vehicle_from_lidar;
      if (exact_->lidar_height_m) calibration->lidar_height_m = *exact_->lidar_height_m;
    }
    calibration_ = calibration;
    return calibration_;
  }

  Frame Emit() {
    Frame frame;
    frame.index = next_index_++;
    frame.lidar = std::move(scans_.front());
    scans_.pop_front();
    const Timestamp t = frame.lidar.stamp;
    for (auto& [camera, queue] : images_) {
      if (auto image = TakeNearest(queue, t, max_skew_)) {
        frame.cameras.push_back(CameraFrame{*image, image->stamp - t});
      }
    }
    frame.ego = TakeNearest(poses_, t, max_skew_);
    frame.calibration = CurrentCalibration();
    return frame;
  }

  std::string path_;
  IssueLog* issues_;
  proto::FoxgloveLogOptions options_;
  Duration max_skew_{0};
  LogInfo info_;
  std::map<std::uint16_t, ChannelInfo> channels_;
  std::optional<mcap::McapIndexedReader> indexed_;
  std::unique_ptr<mcap::IndexedMessageCursor> cursor_;
  IssueLog frame_pass_issues_dropped_;  // declared before stream_, which reports to it
  std::unique_ptr<mcap::McapStreamReader> stream_;
  std::function<std::optional<Message>()> next_message_;
  bool source_done_ = false;
  std::uint64_t latest_time_ = 0;  // ns, latest log_time read so far

  std::deque<LidarScan> scans_;
  std::map<std::string, std::deque<CameraImage>> images_;  // by camera name
  std::deque<EgoPose> poses_;
  std::map<std::string, CameraModel> cameras_;
  std::map<std::string, Eigen::Isometry3d> vehicle_from_sensor_;
  std::optional<mcap::ExactCalibration> exact_;
  std::shared_ptr<const Calibration> calibration_;
  std::int64_t next_index_ = 0;
};

}  // namespace

bool LooksLikeMcap(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in.gcount() == 8 && std::memcmp(magic, mcap::kMagic, 8) == 0;
}

std::unique_ptr<LogReader> OpenMcapLog(const std::string& path, IssueLog& issues,
                                       const proto::FoxgloveLogOptions& options) {
  if (!LooksLikeMcap(path)) throw LogError(path, "not an MCAP file (no MCAP magic bytes)");
  return std::make_unique<McapLogReader>(path, issues, options);
}

LogFormat McapLogFormat() {
  return LogFormat{"mcap", LooksLikeMcap, [](const std::string& path, IssueLog& issues) {
                     return OpenMcapLog(path, issues);
                   }};
}

}  // namespace longtail::sensors
