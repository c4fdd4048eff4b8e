#include "sensors/kitti/kitti_object_reader.h"

#include <fstream>

#include "sensors/kitti/kitti_calibration.h"
#include "sensors/kitti/kitti_files.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;

// Benchmarks carry no timestamps; frames are 10 Hz like the recordings they come from.
constexpr Duration kFramePeriod = std::chrono::milliseconds(100);

fs::path TrainingRoot(const fs::path& path) {
  return fs::is_directory(path / "training") ? path / "training" : path;
}

std::vector<KittiLabel> ReadLabelFile(const fs::path& file, bool tracking, IssueLog& issues) {
  std::vector<KittiLabel> labels;
  std::ifstream in(file);
  if (!in) return labels;  // labels are optional: a test split has none
  std::string line;
  std::uint64_t offset = 0;
  while (std::getline(in, line)) {
    const std::uint64_t line_offset = offset;
    offset += line.size() + 1;
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    if (auto label = ParseKittiLabel(line, tracking)) {
      labels.push_back(*label);
    } else {
      issues.Report(
          {file.string(), line_offset, line.size(), "bad label line: " + label.error().message});
    }
  }
  return labels;
}

// Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian), without decoding.
std::optional<std::pair<int, int>> PngSize(const std::vector<std::uint8_t>& png) {
  if (png.size() < 24) return std::nullopt;
  const auto be32 = [&](std::size_t at) {
    return int(png[at]) << 24 | int(png[at + 1]) << 16 | int(png[at + 2]) << 8 | int(png[at + 3]);
  };
  return std::pair{be32(16), be32(20)};
}

class BenchmarkReader : public LogReader {
 public:
  BenchmarkReader(const fs::path& path, IssueLog& issues)
      : benchmark_(KittiBenchmark::Open(path, issues)) {
    info_.path = path.string();
    info_.format = "kitti-object";
    info_.log_id = fs::weakly_canonical(path).filename().string();
    info_.has_calibration = true;
    info_.notes.push_back(std::string(benchmark_.is_tracking() ? "tracking" : "object") +
                          " benchmark layout: no timestamps, frames placed 100 ms apart");
    info_.notes.push_back("no ego pose: ego motion unknown");
    StreamInfo lidar{"velodyne", "lidar", static_cast<std::int64_t>(benchmark_.size()),
                     {},         {},      kFramePeriod};
    if (benchmark_.size() > 0) lidar.last = Timestamp(kFramePeriod * (benchmark_.size() - 1));
    info_.streams.push_back(lidar);
  }
  const LogInfo& info() const override { return info_; }
  std::optional<Frame> Next() override {
    if (next_ >= benchmark_.size()) return std::nullopt;
    Frame frame = benchmark_.Load(next_).frame;
    frame.index = static_cast<std::int64_t>(next_);
    frame.lidar.stamp = Timestamp(kFramePeriod * next_);
    for (auto& camera : frame.cameras) camera.image.stamp = frame.lidar.stamp;
    ++next_;
    return frame;
  }

 private:
  KittiBenchmark benchmark_;
  LogInfo info_;
  std::size_t next_ = 0;
};

}  // namespace

KittiBenchmark KittiBenchmark::Open(const fs::path& path, IssueLog& issues) {
  KittiBenchmark benchmark;
  benchmark.root_ = TrainingRoot(path);
  benchmark.issues_ = &issues;
  const fs::path velodyne = benchmark.root_ / "velodyne";
  if (!fs::is_directory(velodyne) || !fs::is_directory(benchmark.root_ / "calib")) {
    throw LogError(path.string(),
                   "not a KITTI object or tracking layout (needs velodyne/ and calib/)");
  }
  std::vector<fs::path> sequences;
  for (const auto& entry : fs::directory_iterator(velodyne)) {
    if (entry.is_directory()) sequences.push_back(entry.path());
  }
  std::sort(sequences.begin(), sequences.end());
  benchmark.tracking_ = !sequences.empty();
  if (benchmark.tracking_) {
    for (const fs::path& sequence : sequences) {
      const std::string name = sequence.filename().string();
      for (const auto& [number, file] : kitti::NumberedFiles(sequence, ".bin")) {
        benchmark.entries_.push_back({name, file.stem().string(), number});
      }
      benchmark.labels_[name] =
          ReadLabelFile(benchmark.root_ / "label_02" / (name + ".txt"), true, issues);
    }
  } else {
    for (const auto& [number, file] : kitti::NumberedFiles(velodyne, ".bin")) {
      const std::string id = file.stem().string();
      benchmark.entries_.push_back({"", id, number});
      benchmark.labels_[id] =
          ReadLabelFile(benchmark.root_ / "label_2" / (id + ".txt"), false, issues);
    }
  }
  return benchmark;
}

LabeledFrame KittiBenchmark::Load(std::size_t i) const {
  const Entry& entry = entries_.at(i);
  LabeledFrame result;
  result.sequence = entry.sequence;
  result.id = entry.id;
  Frame& frame = result.frame;
  frame.index = entry.index;

  const fs::path scan = tracking_ ? root_ / "velodyne" / entry.sequence / (entry.id + ".bin")
                                  : root_ / "velodyne" / (entry.id + ".bin");
  if (auto points = kitti::ReadVelodyneBin(scan, *issues_)) frame.lidar.points = std::move(*points);

  const fs::path image_file = tracking_ ? root_ / "image_02" / entry.sequence / (entry.id + ".png")
                                        : root_ / "image_2" / (entry.id + ".png");
  int width = kKittiImageWidth, height = kKittiImageHeight;
  if (fs::exists(image_file)) {
    if (auto image = kitti::ReadEncodedImage(image_file, *issues_)) {
      if (const auto size = PngSize(*image->data)) std::tie(width, height) = *size;
      image->camera = "image_2";
      frame.cameras.push_back({*image, Duration{0}});
    }
  }
  const fs::path calib = tracking_ ? root_ / "calib" / (entry.sequence + ".txt")
                                   : root_ / "calib" / (entry.id + ".txt");
  frame.calibration =
      std::make_shared<Calibration>(ReadKittiBenchmarkCalibration(calib, width, height));

  if (tracking_) {
    for (const KittiLabel& label : labels_.at(entry.sequence)) {
      if (label.frame == entry.index) result.labels.push_back(label);
    }
  } else {
    result.labels = labels_.at(entry.id);
  }
  return result;
}

LogFormat KittiObjectLogFormat() {
  return {"kitti-object",
          [](const std::string& path) {
            const fs::path root = TrainingRoot(path);
            return fs::is_directory(root / "velodyne") && fs::is_directory(root / "calib");
          },
          [](const std::string& path, IssueLog& issues) -> std::unique_ptr<LogReader> {
            return std::make_unique<BenchmarkReader>(path, issues);
          }};
}

}  // namespace longtail::sensors
