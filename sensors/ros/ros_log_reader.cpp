#include "sensors/ros/ros_log_reader.h"

#include <algorithm>
#include <deque>
#include <map>

#include "sensors/ros/ros_messages.h"
#include "sensors/sync.h"

namespace longtail::sensors::ros {
namespace {

// Frames a vehicle body is called in ROS (REP 105 first).
const std::vector<std::string> kVehicleFrames = {"base_link", "base_footprint", "vehicle",
                                                 "ego_vehicle"};
// Fixed frames an ego pose is given in (REP 105).
const std::set<std::string> kWorldFrames = {"map", "odom", "world"};

// The static transform tree: each child has one parent.
class TfTree {
 public:
  void Add(const StampedTransform& t) {
    if (t.parent.empty() || t.child.empty() || t.parent == t.child) return;
    edges_[t.child] = {t.parent, t.parent_from_child};
  }
  // The topmost ancestor of `frame` (itself when it has no parent).
  std::string Root(const std::string& frame) const { return ToRoot(frame).first; }
  bool Has(const std::string& frame) const {
    if (edges_.count(frame)) return true;
    for (const auto& [child, edge] : edges_) {
      if (edge.first == frame) return true;
    }
    return false;
  }
  // target_from_source through the common root, or nullopt when the frames are not connected.
  std::optional<Eigen::Isometry3d> Lookup(const std::string& target,
                                          const std::string& source) const {
    if (target == source) return Eigen::Isometry3d::Identity();
    const auto [target_root, root_from_target] = ToRoot(target);
    const auto [source_root, root_from_source] = ToRoot(source);
    if (target_root != source_root) return std::nullopt;
    return root_from_target.inverse() * root_from_source;
  }

 private:
  std::pair<std::string, Eigen::Isometry3d> ToRoot(std::string frame) const {
    Eigen::Isometry3d root_from_frame = Eigen::Isometry3d::Identity();
    // A cycle in a corrupt tree must not loop forever.
    for (int depth = 0; depth < 64; ++depth) {
      auto edge = edges_.find(frame);
      if (edge == edges_.end()) break;
      root_from_frame = edge->second.second * root_from_frame;
      frame = edge->second.first;
    }
    return {frame, root_from_frame};
  }
  std::map<std::string, std::pair<std::string, Eigen::Isometry3d>> edges_;
};

struct TopicInfo {
  std::string type;
  MessageRole role = MessageRole::kOther;
  std::vector<std::size_t> connections;
  std::vector<std::int64_t> times;
};

bool IsStaticTfTopic(const std::string& topic) {
  return topic.find("tf_static") != std::string::npos;
}

// "/camera/front/camera_info" -> "/camera/front"
std::string Namespace(const std::string& topic) {
  const std::size_t slash = topic.rfind('/');
  return slash == std::string::npos ? "" : topic.substr(0, slash);
}

class RosLogReader final : public LogReader {
 public:
  RosLogReader(RosLogContents contents, IssueLog& issues, const RosLogOptions& options)
      : contents_(std::move(contents)), issues_(&issues), options_(options) {
    info_ = contents_.info;
    max_skew_ = FromSeconds(options_.max_camera_skew_ms / 1000.0);
    schemas_.resize(contents_.connections.size());
    CollectTopics();
    ChooseTopics();
    ReadCalibration();
    DescribeStreams();
    messages_ = contents_.open_messages(wanted_, *issues_);
  }

  const LogInfo& info() const override { return info_; }

  std::optional<Frame> Next() override {
    while (true) {
      if (!scans_.empty()) {
        const std::int64_t due = ToNanos(scans_.front().stamp + max_skew_);
        if (source_done_ || latest_time_ > due) return Emit();
      } else if (source_done_) {
        return std::nullopt;
      }
      std::optional<RosMessage> message = messages_ ? messages_->Next() : std::nullopt;
      if (!message) {
        source_done_ = true;
        if (invalid_points_ > 0 && !invalid_noted_) {
          invalid_noted_ = true;
          info_.notes.push_back(std::to_string(invalid_points_) +
                                " invalid points (NaN or at the origin) dropped from " +
                                std::to_string(next_index_ + scans_.size()) + " scans");
        }
        continue;
      }
      latest_time_ = std::max(latest_time_, message->log_time_ns);
      Handle(*message);
    }
  }

 private:
  // The parsed schema of a connection, parsed once; nullptr (and reported once) when unusable.
  const MsgSchema* SchemaOf(std::size_t connection) {
    auto& slot = schemas_[connection];
    if (!slot) {
      const RosConnection& c = contents_.connections[connection];
      std::string text = c.definition;
      if (text.empty() && c.encoding == Encoding::kCdr) text = BuiltinRos2Definition(c.type);
      if (text.empty()) {
        slot.emplace(
            DecodeError{DecodeErrorKind::kUnsupported, "no message definition for " + c.type});
      } else {
        slot.emplace(ParseMsgSchema(
            c.type, text, c.encoding == Encoding::kRos1 ? Dialect::kRos1 : Dialect::kRos2));
      }
      if (!*slot) {
        Report(0, "topic " + c.topic + " (" + c.type + "): " + slot->error().message);
      }
    }
    return *slot ? &**slot : nullptr;
  }

  void Report(std::uint64_t offset, const std::string& reason) {
    issues_->Report({info_.path, offset, 0, reason});
  }

  std::optional<RosValue> Decode(const RosMessage& message) {
    const MsgSchema* schema = SchemaOf(message.connection);
    if (!schema) return std::nullopt;
    Decoded<RosValue> decoded =
        DecodeMessage(*schema, message.data, contents_.connections[message.connection].encoding);
    if (!decoded) {
      Report(message.offset, "topic " + contents_.connections[message.connection].topic +
                                 ", message at log_time " + std::to_string(message.log_time_ns) +
                                 ": " + decoded.error().message);
      return std::nullopt;
    }
    return std::move(*decoded);
  }

  void CollectTopics() {
    for (std::size_t i = 0; i < contents_.connections.size(); ++i) {
      const RosConnection& c = contents_.connections[i];
      TopicInfo& topic = topics_[c.topic];
      topic.type = NormalizeTypeName(c.type);
      topic.role = RoleOf(c.type);
      topic.connections.push_back(i);
      if (i < contents_.log_times.size()) {
        topic.times.insert(topic.times.end(), contents_.log_times[i].begin(),
                           contents_.log_times[i].end());
      }
    }
    for (auto& [name, topic] : topics_) std::sort(topic.times.begin(), topic.times.end());
  }

  void ChooseTopics() {
    std::vector<std::string> clouds, images, infos;
    for (const auto& [name, topic] : topics_) {
      if (topic.role == MessageRole::kLidar && !topic.times.empty()) clouds.push_back(name);
      if (topic.role == MessageRole::kCompressedImage || topic.role == MessageRole::kRawImage) {
        images.push_back(name);
      }
      if (topic.role == MessageRole::kCameraInfo) infos.push_back(name);
    }
    if (!options_.lidar_topic.empty()) {
      if (std::find(clouds.begin(), clouds.end(), options_.lidar_topic) == clouds.end()) {
        throw LogError(info_.path, "--lidar-topic " + options_.lidar_topic +
                                       " is not a PointCloud2 topic with messages in this log");
      }
      lidar_topic_ = options_.lidar_topic;
    } else if (clouds.size() == 1) {
      lidar_topic_ = clouds.front();
    } else if (clouds.empty()) {
      info_.notes.push_back(
          "no sensor_msgs/PointCloud2 topic: no lidar topic longtail can "
          "decode, the log has no frames");
    } else {
      std::string list;
      for (const auto& c : clouds) list += (list.empty() ? "" : ", ") + c;
      info_.notes.push_back("several PointCloud2 topics (" + list +
                            "): none chosen, pass --lidar-topic");
    }
    if (!lidar_topic_.empty()) info_.notes.push_back("lidar topic: " + lidar_topic_);

    if (!options_.camera_topics.empty()) {
      for (const std::string& topic : options_.camera_topics) {
        if (std::find(images.begin(), images.end(), topic) == images.end()) {
          throw LogError(info_.path, "--camera-topic " + topic + " is not an image topic");
        }
        cameras_[topic] = {};
      }
    }
    for (const std::string& info : infos) {
      for (const std::string& image : images) {
        if (image.rfind(Namespace(info) + "/", 0) != 0) continue;
        if (options_.camera_topics.empty() && !cameras_.count(image)) cameras_[image] = {};
        if (!cameras_.count(image)) continue;
        cameras_[image].info_topic = info;
        // "/image_02/camera_info" names the camera "image_02", as KITTI and Foxglove logs do.
        const std::string ns = Namespace(info);
        if (!ns.empty()) cameras_[image].name = ns.substr(ns.rfind('/') + 1);
      }
    }
    for (const auto& [image, camera] : cameras_) {
      info_.notes.push_back(
          "camera topic: " + image +
          (camera.info_topic.empty() ? " (no CameraInfo)" : " with " + camera.info_topic));
    }
    if (cameras_.empty() && !images.empty()) {
      info_.notes.push_back(std::to_string(images.size()) +
                            " image topics without a CameraInfo: none used as a camera "
                            "(pass --camera-topic)");
    }
    // The connections the frame pass needs.
    for (const auto& [name, topic] : topics_) {
      const bool used = name == lidar_topic_ || cameras_.count(name) ||
                        topic.role == MessageRole::kTransforms ||
                        topic.role == MessageRole::kOdometry ||
                        (topic.role == MessageRole::kCameraInfo && IsCameraInfo(name));
      if (used) wanted_.insert(topic.connections.begin(), topic.connections.end());
    }
  }

  bool IsCameraInfo(const std::string& topic) const {
    for (const auto& [image, camera] : cameras_) {
      if (camera.info_topic == topic) return true;
    }
    return false;
  }

  // The first seconds of the log: static transforms, camera infos and the lidar's frame id.
  void ReadCalibration() {
    std::set<std::size_t> wanted;
    // Messages still worth reading per topic: every static transform, one camera info, the first
    // few dynamic transforms or odometry (enough to see whether an ego pose is there). The pass
    // stops once none are left, so a long log costs only its first chunk or two.
    std::map<std::string, std::size_t> remaining;
    std::int64_t start = 0;
    bool have_start = false;
    for (const auto& [name, topic] : topics_) {
      const bool camera_info = topic.role == MessageRole::kCameraInfo && IsCameraInfo(name);
      const bool calibration = topic.role == MessageRole::kTransforms || camera_info ||
                               topic.role == MessageRole::kOdometry || name == lidar_topic_;
      if (calibration) wanted.insert(topic.connections.begin(), topic.connections.end());
      if (topic.role == MessageRole::kTransforms) {
        remaining[name] = IsStaticTfTopic(name) ? topic.times.size()
                                                : std::min<std::size_t>(topic.times.size(), 10);
      }
      if (camera_info || topic.role == MessageRole::kOdometry) {
        remaining[name] = std::min<std::size_t>(topic.times.size(), 1);
      }
      if (!topic.times.empty() && (!have_start || topic.times.front() < start)) {
        start = topic.times.front();
        have_start = true;
      }
    }
    if (wanted.empty()) return;
    // tf_static is latched and recorded first; 5 s bounds the cost of this pass on long logs.
    const std::int64_t horizon = start + 5'000'000'000;
    // The frame pass reports decoding problems, once: what this pass finds is dropped.
    IssueLog dropped;
    std::unique_ptr<RosMessageSource> source = contents_.open_messages(wanted, dropped);
    IssueLog* saved = issues_;
    issues_ = &dropped;
    info_pass_ = true;
    bool lidar_frame_known = lidar_topic_.empty();
    const auto done = [&] {
      if (!lidar_frame_known) return false;
      for (const auto& [name, count] : remaining) {
        if (count > 0 && !(ego_source_seen_ && !IsStaticTfTopic(name))) return false;
      }
      return true;
    };
    while (!done()) {
      std::optional<RosMessage> message = source->Next();
      if (!message) break;
      if (have_start && message->log_time_ns > horizon && lidar_frame_known) break;
      if (!wanted.count(message->connection)) continue;
      const std::string& topic = contents_.connections[message->connection].topic;
      if (topic == lidar_topic_) {
        if (lidar_frame_known) continue;
        if (auto value = Decode(*message)) {
          lidar_frame_ = TextAt(*value, "header.frame_id").value_or("");
          lidar_frame_known = true;
        }
        continue;
      }
      if (message->log_time_ns > horizon) continue;
      if (auto left = remaining.find(topic); left != remaining.end() && left->second > 0) {
        --left->second;
      }
      Handle(*message);
    }
    issues_ = saved;
    info_pass_ = false;
    // The frame pass starts over: forget the dynamic poses read here.
    poses_.clear();
    const bool has_ego = ego_source_seen_;
    ego_source_seen_ = false;
    std::shared_ptr<const Calibration> calibration = CurrentCalibration();
    info_.has_calibration = vehicle_frame_ != lidar_frame_ || !calibration->cameras.empty();
    info_.has_ego_pose = has_ego;
    if (!lidar_frame_.empty()) {
      info_.notes.push_back(
          vehicle_frame_ == lidar_frame_
              ? "no tf path from base_link to the lidar frame " + lidar_frame_ +
                    ": the lidar frame is the vehicle frame"
              : "vehicle frame " + vehicle_frame_ + ", lidar frame " + lidar_frame_ +
                    " (resolved through tf" +
                    (std::find(kVehicleFrames.begin(), kVehicleFrames.end(), vehicle_frame_) ==
                             kVehicleFrames.end()
                         ? "; no base_link, so the root of the lidar's tree is the vehicle)"
                         : ")"));
    }
    if (!has_ego) {
      info_.notes.push_back(
          "no map/odom -> " + vehicle_frame_ +
          " transform or Odometry: ego motion unknown (estimated from the lidar)");
    }
    calibration_.reset();
  }

  void DescribeStreams() {
    std::int64_t total = 0;
    for (const auto& [name, topic] : topics_) {
      StreamInfo stream;
      stream.name = name;
      stream.kind = RoleName(topic.role);
      if (topic.role == MessageRole::kLidar && name != lidar_topic_) stream.kind = "unused";
      if ((topic.role == MessageRole::kCompressedImage || topic.role == MessageRole::kRawImage) &&
          !cameras_.count(name)) {
        stream.kind = "unused";
      }
      if (topic.role == MessageRole::kTransforms && !IsStaticTfTopic(name)) stream.kind = "pose";
      stream.count = static_cast<std::int64_t>(topic.times.size());
      if (!topic.times.empty()) {
        stream.first = FromNanos(topic.times.front());
        stream.last = FromNanos(topic.times.back());
      }
      for (std::size_t i = 1; i < topic.times.size(); ++i) {
        stream.largest_gap =
            std::max(stream.largest_gap, Duration(topic.times[i] - topic.times[i - 1]));
      }
      total += stream.count;
      if (topic.role == MessageRole::kOther) {
        info_.notes.push_back("topic " + name + " (" + topic.type + "): not a type longtail " +
                              "decodes, its " + std::to_string(stream.count) +
                              " messages are skipped");
      } else {
        info_.notes.push_back("topic " + name + ": " + topic.type + " (" + stream.kind + ")");
      }
      info_.streams.push_back(stream);
    }
    info_.notes.push_back(std::to_string(total) + " messages on " +
                          std::to_string(info_.streams.size()) + " topics");
  }

  void Handle(const RosMessage& message) {
    if (!wanted_.count(message.connection) && !wanted_.empty()) return;
    const RosConnection& connection = contents_.connections[message.connection];
    const TopicInfo& topic = topics_[connection.topic];
    const bool is_lidar = connection.topic == lidar_topic_;
    auto camera = cameras_.find(connection.topic);
    if (!is_lidar && camera == cameras_.end() && topic.role != MessageRole::kTransforms &&
        topic.role != MessageRole::kOdometry && topic.role != MessageRole::kCameraInfo) {
      return;
    }
    std::optional<RosValue> value = Decode(message);
    if (!value) return;
    const auto fail = [&](const DecodeError& error) {
      Report(message.offset, "topic " + connection.topic + ", message at log_time " +
                                 std::to_string(message.log_time_ns) + ": " + error.message);
    };
    if (is_lidar) {
      if (auto cloud = PointCloud2ToScan(*value)) {
        cloud->scan.stamp = Stamp(cloud->scan.stamp, message, connection.topic);
        invalid_points_ += cloud->invalid_points;
        scans_.push_back(std::move(cloud->scan));
      } else {
        fail(cloud.error());
      }
    } else if (camera != cameras_.end()) {
      const std::string& name = CameraName(connection.topic);
      auto image = topic.role == MessageRole::kRawImage ? RawImageOf(*value, name)
                                                        : CompressedImageOf(*value, name);
      if (!image) return fail(image.error());
      image->stamp = Stamp(image->stamp, message, connection.topic);
      images_[connection.topic].push_back(std::move(*image));
    } else if (topic.role == MessageRole::kCameraInfo) {
      auto info = CameraInfoOf(*value);
      if (!info) return fail(info.error());
      camera_infos_[connection.topic] = *info;
      calibration_.reset();
    } else if (topic.role == MessageRole::kTransforms) {
      auto transforms = TransformsOf(*value);
      if (!transforms) return fail(transforms.error());
      for (StampedTransform t : *transforms) {
        if (!IsStaticTfTopic(connection.topic)) t.stamp = Stamp(t.stamp, message, connection.topic);
        HandleTransform(t, connection.topic);
      }
    } else if (topic.role == MessageRole::kOdometry) {
      auto pose = OdometryPose(*value);
      if (!pose) return fail(pose.error());
      // Odometry is the fallback pose source: used only when /tf has none.
      if (!tf_pose_seen_ && (pose->child.empty() || IsVehicleFrame(pose->child))) {
        AddPose(Stamp(pose->stamp, message, connection.topic), pose->parent_from_child);
      }
    }
  }

  // A message's time: its header stamp, unless that is unset or on another clock than the
  // recording (a simulator's, e.g. 60.2 s since 1970 in a 2020 bag): then when it was recorded.
  Timestamp Stamp(Timestamp header, const RosMessage& message, const std::string& topic) {
    const std::int64_t header_ns = ToNanos(header);
    const std::int64_t off = header_ns - message.log_time_ns;
    if (header_ns != 0 && off < 3'600'000'000'000 && off > -3'600'000'000'000) return header;
    if (header_ns != 0 && other_clock_topics_.insert(topic).second) {
      info_.notes.push_back("topic " + topic + ": header stamps " +
                            std::to_string(off / 1'000'000'000) +
                            " s away from the recording time (another clock): recording time used");
    }
    return FromNanos(message.log_time_ns);
  }

  // The vehicle frame is settled once the tree is known; before, any usual body frame name counts.
  bool IsVehicleFrame(const std::string& frame) const {
    return frame == vehicle_frame_ ||
           std::find(kVehicleFrames.begin(), kVehicleFrames.end(), frame) != kVehicleFrames.end();
  }

  void AddPose(Timestamp stamp, const Eigen::Isometry3d& world_from_vehicle) {
    ego_source_seen_ = true;
    EgoPose pose;
    pose.stamp = stamp;
    pose.world_from_vehicle = world_from_vehicle;
    poses_.push_back(pose);
  }

  void HandleTransform(const StampedTransform& t, const std::string& topic) {
    if (kWorldFrames.count(t.parent) && IsVehicleFrame(t.child)) {
      if (!tf_pose_seen_) poses_.clear();  // /tf wins over Odometry
      tf_pose_seen_ = true;
      AddPose(t.stamp, t.parent_from_child);
      return;
    }
    if (kWorldFrames.count(t.parent)) return;
    // Static (and, for logs without /tf_static, dynamic sensor) mounts go into the tree.
    if (IsStaticTfTopic(topic) || !tree_.Has(t.child)) {
      tree_.Add(t);
      calibration_.reset();
    }
  }

  std::shared_ptr<const Calibration> CurrentCalibration() {
    if (calibration_) return calibration_;
    if (!vehicle_fixed_) {
      vehicle_frame_ = lidar_frame_;
      for (const std::string& frame : kVehicleFrames) {
        if (tree_.Lookup(frame, lidar_frame_) && tree_.Has(frame)) {
          vehicle_frame_ = frame;
          break;
        }
      }
      // No usual body frame: the root of the lidar's tree (a sensor's housing frame, whose x
      // points forward where the lidar's own may not) stands in for the vehicle.
      if (vehicle_frame_ == lidar_frame_ && !lidar_frame_.empty()) {
        vehicle_frame_ = tree_.Root(lidar_frame_);
      }
      // Without a lidar frame the first named vehicle frame in the tree still anchors cameras.
      if (vehicle_frame_.empty()) vehicle_frame_ = "base_link";
    }
    auto calibration = std::make_shared<Calibration>();
    if (auto vehicle_from_lidar = tree_.Lookup(vehicle_frame_, lidar_frame_)) {
      calibration->vehicle_from_lidar = *vehicle_from_lidar;
    }
    for (const auto& [image, camera] : cameras_) {
      auto info = camera_infos_.find(camera.info_topic);
      if (info == camera_infos_.end()) continue;
      CameraModel model;
      model.name = CameraName(image);
      model.width = info->second.width;
      model.height = info->second.height;
      model.projection = info->second.projection;
      if (auto camera_from_vehicle = tree_.Lookup(info->second.frame_id, vehicle_frame_)) {
        model.camera_from_vehicle = *camera_from_vehicle;
      } else if (!info_pass_ && !reported_no_path_.count(image)) {  // once, in the frame pass
        reported_no_path_.insert(image);
        Report(0, "no tf path from " + vehicle_frame_ + " to camera frame " +
                      info->second.frame_id + " (" + image + "): camera mounting unknown");
      }
      calibration->cameras.push_back(model);
    }
    calibration_ = calibration;
    return calibration_;
  }

  Frame Emit() {
    vehicle_fixed_ = true;
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

  struct Camera {
    std::string info_topic;
    std::string name;  // CameraModel::name; the image topic when no CameraInfo names it
  };
  const std::string& CameraName(const std::string& image_topic) const {
    const Camera& camera = cameras_.at(image_topic);
    return camera.name.empty() ? image_topic : camera.name;
  }

  RosLogContents contents_;
  IssueLog* issues_;  // never null; points elsewhere only during the info pass
  bool info_pass_ = false;
  RosLogOptions options_;
  LogInfo info_;
  Duration max_skew_{0};
  std::vector<std::optional<Decoded<MsgSchema>>> schemas_;  // empty until first parsed
  std::map<std::string, TopicInfo> topics_;
  std::string lidar_topic_;
  std::string lidar_frame_;
  std::string vehicle_frame_;
  bool vehicle_fixed_ = false;
  std::map<std::string, Camera> cameras_;  // by image topic
  std::set<std::size_t> wanted_;
  std::unique_ptr<RosMessageSource> messages_;
  bool source_done_ = false;
  std::int64_t latest_time_ = 0;

  TfTree tree_;
  std::map<std::string, CameraInfo> camera_infos_;  // by CameraInfo topic
  std::set<std::string> reported_no_path_;
  std::set<std::string> other_clock_topics_;
  bool tf_pose_seen_ = false;
  bool ego_source_seen_ = false;
  std::deque<LidarScan> scans_;
  std::map<std::string, std::deque<CameraImage>> images_;
  std::deque<EgoPose> poses_;
  std::shared_ptr<const Calibration> calibration_;
  std::uint64_t invalid_points_ = 0;
  bool invalid_noted_ = false;
  std::int64_t next_index_ = 0;
};

}  // namespace

RosLogOptions RosOptionsFrom(const LogOpenOptions& options) {
  RosLogOptions ros;
  ros.lidar_topic = options.lidar_topic;
  ros.camera_topics = options.camera_topics;
  return ros;
}

std::unique_ptr<LogReader> MakeRosLogReader(RosLogContents contents, IssueLog& issues,
                                            const RosLogOptions& options) {
  return std::make_unique<RosLogReader>(std::move(contents), issues, options);
}

}  // namespace longtail::sensors::ros
