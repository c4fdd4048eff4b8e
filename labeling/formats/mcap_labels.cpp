#include "labeling/formats/mcap_labels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>

#include "foxglove/Log.pb.h"
#include "labeling/formats/foxglove_cube.h"
#include "sensors/mcap/foxglove_log.h"
#include "sensors/mcap/foxglove_schemas.h"

namespace longtail::labeling {
namespace {

namespace mcap = sensors::mcap;

void SetStamp(sensors::Timestamp t, google::protobuf::Timestamp* out) {
  const std::int64_t ns = sensors::ToNanos(t);
  std::int64_t seconds = ns / 1'000'000'000, nanos = ns % 1'000'000'000;
  if (nanos < 0) {  // protobuf keeps nanos in [0, 1e9)
    nanos += 1'000'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<std::int32_t>(nanos));
}

// One colour per class, so a reviewer tells cars from people at a glance.
void SetClassColor(sensors::ObjectClass c, double alpha, foxglove::Color* color) {
  std::array<double, 3> rgb = {0.7, 0.7, 0.7};
  if (sensors::IsVehicle(c)) rgb = {0.1, 0.6, 1.0};
  if (c == sensors::ObjectClass::kPedestrian) rgb = {1.0, 0.3, 0.2};
  if (c == sensors::ObjectClass::kCyclist) rgb = {1.0, 0.8, 0.1};
  color->set_r(rgb[0]);
  color->set_g(rgb[1]);
  color->set_b(rgb[2]);
  color->set_a(alpha);
}

std::string EntityId(const ObjectLabel& object, std::size_t index) {
  return object.labeled.track_id >= 0 ? "track_" + std::to_string(object.labeled.track_id)
                                      : "box_" + std::to_string(index);
}

std::string Describe(const ObjectLabel& object) {
  std::string text(ToString(object.labeled.object_class));
  if (object.labeled.track_id >= 0) text += " #" + std::to_string(object.labeled.track_id);
  return text;
}

void AddMetadata(const std::string& key, const std::string& value,
                 google::protobuf::RepeatedPtrField<foxglove::KeyValuePair>* metadata) {
  foxglove::KeyValuePair* pair = metadata->Add();
  pair->set_key(key);
  pair->set_value(value);
}

// Corner pairs of the 12 edges, in sensors::Corners order (bottom face, then top face).
constexpr std::array<std::pair<int, int>, 12> kEdges = {{{0, 1},
                                                         {1, 2},
                                                         {2, 3},
                                                         {3, 0},
                                                         {4, 5},
                                                         {5, 6},
                                                         {6, 7},
                                                         {7, 4},
                                                         {0, 4},
                                                         {1, 5},
                                                         {2, 6},
                                                         {3, 7}}};

class Channels {
 public:
  explicit Channels(mcap::McapWriter& writer) : writer_(writer) {}
  std::uint16_t Get(const std::string& topic, const google::protobuf::Descriptor& type) {
    const auto it = ids_.find(topic);
    if (it != ids_.end()) return it->second;
    const mcap::Schema schema = mcap::ProtobufSchema(type);
    const std::uint16_t schema_id = writer_.AddSchema(schema.name, schema.encoding, schema.data);
    return ids_[topic] = writer_.AddChannel(topic, mcap::kProtobufEncoding, schema_id);
  }
  void Write(const std::string& topic, const google::protobuf::Message& message,
             sensors::Timestamp stamp) {
    const std::string bytes = message.SerializeAsString();
    const auto time =
        static_cast<std::uint64_t>(std::max<std::int64_t>(sensors::ToNanos(stamp), 0));
    writer_.WriteMessage(
        Get(topic, *message.GetDescriptor()), time, time,
        mcap::ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }

 private:
  mcap::McapWriter& writer_;
  std::map<std::string, std::uint16_t> ids_;
};

}  // namespace

foxglove::SceneUpdate ToSceneUpdate(const LabeledFrame& frame, sensors::Timestamp stamp,
                                    const std::string& vehicle_frame_id) {
  foxglove::SceneUpdate update;
  foxglove::SceneEntityDeletion* deletion = update.add_deletions();
  SetStamp(stamp, deletion->mutable_timestamp());
  deletion->set_type(foxglove::SceneEntityDeletion::ALL);
  for (std::size_t i = 0; i < frame.objects.size(); ++i) {
    const ObjectLabel& object = frame.objects[i];
    foxglove::SceneEntity* entity = update.add_entities();
    SetStamp(stamp, entity->mutable_timestamp());
    entity->set_frame_id(vehicle_frame_id);
    entity->set_id(EntityId(object, i));
    AddMetadata("class", std::string(ToString(object.labeled.object_class)),
                entity->mutable_metadata());
    AddMetadata("track_id", std::to_string(object.labeled.track_id), entity->mutable_metadata());
    AddMetadata("score", std::to_string(object.labeled.score), entity->mutable_metadata());
    const FoxgloveCube cube = BoxToFoxgloveCube(object.labeled.box);
    foxglove::CubePrimitive* primitive = entity->add_cubes();
    foxglove::Pose* pose = primitive->mutable_pose();
    pose->mutable_position()->set_x(cube.position.x());
    pose->mutable_position()->set_y(cube.position.y());
    pose->mutable_position()->set_z(cube.position.z());
    pose->mutable_orientation()->set_x(cube.orientation.x());
    pose->mutable_orientation()->set_y(cube.orientation.y());
    pose->mutable_orientation()->set_z(cube.orientation.z());
    pose->mutable_orientation()->set_w(cube.orientation.w());
    primitive->mutable_size()->set_x(cube.size.x());
    primitive->mutable_size()->set_y(cube.size.y());
    primitive->mutable_size()->set_z(cube.size.z());
    SetClassColor(object.labeled.object_class, 0.4, primitive->mutable_color());
  }
  return update;
}

foxglove::ImageAnnotations ToImageAnnotations(const LabeledFrame& frame,
                                              const sensors::CameraModel& camera,
                                              sensors::Timestamp stamp) {
  foxglove::ImageAnnotations annotations;
  SetStamp(stamp, annotations.mutable_timestamp());
  for (const ObjectLabel& object : frame.objects) {
    std::array<std::optional<Eigen::Vector2d>, 8> pixels;
    const auto corners = sensors::Corners(object.labeled.box);
    for (int k = 0; k < 8; ++k) {
      const Eigen::Vector3d p =
          camera.projection * (camera.camera_from_vehicle * corners[k]).homogeneous();
      if (p.z() > 0.1) pixels[k] = Eigen::Vector2d(p.x() / p.z(), p.y() / p.z());
    }
    foxglove::PointsAnnotation* lines = nullptr;
    for (const auto& [a, b] : kEdges) {
      if (!pixels[a] || !pixels[b]) continue;  // an edge crossing behind the camera: skip
      if (lines == nullptr) {
        lines = annotations.add_points();
        SetStamp(stamp, lines->mutable_timestamp());
        lines->set_type(foxglove::PointsAnnotation::LINE_LIST);
        lines->set_thickness(2);
        SetClassColor(object.labeled.object_class, 1.0, lines->mutable_outline_color());
      }
      for (const Eigen::Vector2d& pixel : {*pixels[a], *pixels[b]}) {
        foxglove::Point2* point = lines->add_points();
        point->set_x(pixel.x());
        point->set_y(pixel.y());
      }
    }
    if (lines == nullptr) continue;
    // The label sits at the top-left of the drawn edges.
    double left = INFINITY, top = INFINITY;
    for (const foxglove::Point2& point : lines->points()) {
      left = std::min(left, point.x());
      top = std::min(top, point.y());
    }
    foxglove::TextAnnotation* text = annotations.add_texts();
    SetStamp(stamp, text->mutable_timestamp());
    text->mutable_position()->set_x(left);
    text->mutable_position()->set_y(top - 4);
    text->set_text(Describe(object));
    text->set_font_size(14);
    SetClassColor(object.labeled.object_class, 1.0, text->mutable_text_color());
  }
  return annotations;
}

void WriteLabelsMcap(const std::filesystem::path& file, const LabelSet& labels,
                     const SourceFrames& source_frames) {
  const sensors::proto::FoxgloveLogOptions log_options;
  mcap::FoxgloveLogWriter log(file, {}, log_options);
  Channels channels(log.writer());
  for (const LabeledFrame& frame : labels.frames) {
    const std::optional<sensors::Frame> source =
        source_frames ? source_frames(frame.frame_index) : std::nullopt;
    sensors::Timestamp stamp =
        frame.stamp.value_or(sensors::FromNanos(frame.frame_index * 100'000'000));
    if (source) {
      log.Write(*source);
      stamp = source->lidar.stamp;  // boxes are drawn over the scan they were labelled on
    }
    channels.Write(kBoxesTopic, ToSceneUpdate(frame, stamp, log_options.vehicle_frame_id()), stamp);
    // Annotations carry the stamp of the image they belong to: Foxglove pairs them by time.
    const sensors::Calibration& calibration =
        source && source->calibration ? *source->calibration : labels.calibration;
    for (const sensors::CameraModel& camera : calibration.cameras) {
      sensors::Timestamp image_stamp = stamp;
      bool has_image = !source;
      if (source) {
        for (const sensors::CameraFrame& image : source->cameras) {
          if (image.image.camera != camera.name) continue;
          image_stamp = image.image.stamp;
          has_image = true;
        }
      }
      if (!has_image) continue;
      channels.Write(log_options.camera_topic_prefix() + camera.name + kAnnotationsTopicSuffix,
                     ToImageAnnotations(frame, camera, image_stamp), image_stamp);
    }
  }
  for (const pipeline::Event& event : labels.events) {
    foxglove::Log message;
    sensors::Timestamp stamp = event.start;
    for (const LabeledFrame& frame : labels.frames) {
      if (frame.frame_index == event.first_frame && frame.stamp &&
          event.start == sensors::Timestamp{}) {
        stamp = *frame.stamp;
      }
    }
    SetStamp(stamp, message.mutable_timestamp());
    message.set_level(foxglove::Log::WARNING);
    message.set_message(event.type + " (frames " + std::to_string(event.first_frame) + "-" +
                        std::to_string(event.last_frame) + ", peak " +
                        std::to_string(event.peak_frame) + "): " + event.reason);
    message.set_name(event.detector + " v" + std::to_string(event.detector_version));
    channels.Write(kEventsTopic, message, stamp);
  }
  log.Close();
}

}  // namespace longtail::labeling
