// The longtail log model as Foxglove messages in MCAP, both ways:
//   lidar scan      <-> foxglove.PointCloud (x, y, z, intensity as FLOAT32, 16-byte stride)
//   camera image    <-> foxglove.CompressedImage (the original PNG/JPEG bytes, never re-encoded)
//   camera model    <-> foxglove.CameraCalibration (P as given, K = P's left 3x3, R = identity)
//   sensor mounting <-> foxglove.FrameTransforms on the static topic (vehicle -> lidar, cameras)
//   ego pose        <-> foxglove.FrameTransforms on the dynamic topic (world -> vehicle)
// Foxglove transforms go through a quaternion, which would round a calibration that is not exactly
// orthonormal (KITTI's is not), so the exact matrices also go in a Metadata record
// ("longtail.calibration") that longtail prefers when reading.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sensors/frame.h"
#include "sensors/mcap/mcap_options.pb.h"
#include "sensors/mcap/mcap_records.h"
#include "sensors/mcap/mcap_writer.h"

namespace longtail::sensors::mcap {

inline constexpr char kCalibrationMetadataName[] = "longtail.calibration";

// Writes frames as Foxglove messages. Calibration (static transforms, camera calibrations, the
// metadata record) is written before the first frame and again whenever a frame brings another.
class FoxgloveLogWriter {
 public:
  FoxgloveLogWriter(const std::filesystem::path& path,
                    const proto::McapWriterOptions& writer_options = {},
                    const proto::FoxgloveLogOptions& log_options = {});
  void Write(const Frame& frame);
  void Close();  // see McapWriter::Close
  // The underlying writer, for callers that add their own channels (e.g. labels as SceneUpdate)
  // to the same file.
  McapWriter& writer() { return writer_; }

 private:
  std::uint16_t Channel(const std::string& topic, const google::protobuf::Descriptor& type);
  void WriteCalibration(const Calibration& calibration, Timestamp stamp);

  McapWriter writer_;
  proto::FoxgloveLogOptions options_;
  std::map<std::string, std::uint16_t> channels_;  // topic -> channel id
  std::shared_ptr<const Calibration> written_calibration_;
  std::map<std::string, Timestamp> last_image_stamp_;  // camera -> stamp already written
  std::optional<Timestamp> last_pose_stamp_;
};

// Decoders of the Foxglove messages (serialized protobuf) into the log model. Each gives a
// kMalformed error when the bytes do not parse or lack what longtail needs.
Decoded<LidarScan> DecodePointCloud(ByteView data);
Decoded<CameraImage> DecodeCompressedImage(ByteView data);

// A camera model from foxglove.CameraCalibration (camera_from_vehicle left as identity: it comes
// from the transforms).
Decoded<CameraModel> DecodeCameraCalibration(ByteView data);

struct Transform {
  std::string parent, child;
  Timestamp stamp;
  Eigen::Isometry3d parent_from_child = Eigen::Isometry3d::Identity();
};
Decoded<std::vector<Transform>> DecodeFrameTransforms(ByteView data);

// The exact calibration matrices from the longtail.calibration metadata record.
struct ExactCalibration {
  std::optional<double> lidar_height_m;
  std::optional<Eigen::Isometry3d> vehicle_from_lidar;
  std::map<std::string, Eigen::Isometry3d> camera_from_vehicle;   // by camera name
  std::map<std::string, Eigen::Matrix<double, 3, 4>> projection;  // by camera name
};
ExactCalibration ParseCalibrationMetadata(const std::map<std::string, std::string>& metadata);

}  // namespace longtail::sensors::mcap
