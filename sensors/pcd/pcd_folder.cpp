#include "sensors/pcd/pcd_folder.h"

#include <pcl/PCLPointCloud2.h>
#include <pcl/console/print.h>
#include <pcl/io/pcd_io.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <variant>

#include "sensors/file_limits.h"
#include "sensors/ros/ros_messages.h"

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;

// A PCD file starts with comment lines and then VERSION or FIELDS (PCD v0.5 has no VERSION).
bool StartsWithPcdHeader(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  for (int i = 0; i < 8 && std::getline(in, line); ++i) {
    if (line.rfind("#", 0) == 0) continue;
    return line.rfind("VERSION", 0) == 0 || line.rfind("FIELDS", 0) == 0;
  }
  return false;
}

// A PCD header, as its lines' words by key.
using PcdHeader = std::map<std::string, std::vector<std::string>>;

// Reads the header lines up to DATA, holding them to the grammar PCD v0.7 files are written in:
// known keys, each once, in the spec's order (VERSION, COUNT, VIEWPOINT and POINTS may be left
// out). Leaves `in` at the body.
std::variant<PcdHeader, std::string> ReadPcdHeader(std::istream& in) {
  static const char* const kKeys[] = {"VERSION", "FIELDS", "SIZE",      "TYPE",   "COUNT",
                                      "WIDTH",   "HEIGHT", "VIEWPOINT", "POINTS", "DATA"};
  PcdHeader header;
  std::size_t next_key = 0;
  std::string line;
  while (!header.count("DATA") && header.size() < std::size(kKeys) && std::getline(in, line)) {
    // The header is ASCII text; PCL splits a line holding a NUL or other control byte differently
    // from this reader (found by the pcd fuzzer), so such a header is refused.
    if (std::any_of(line.begin(), line.end(), [](unsigned char c) {
          return (c < 0x20 && c != '\t' && c != '\r') || c >= 0x7f;
        })) {
      return "header line '" + Excerpt(line, 30) + "' holds a byte that is not text";
    }
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string key, word;
    words >> key;
    std::size_t k = next_key;
    while (k < std::size(kKeys) && key != kKeys[k]) ++k;
    if (k == std::size(kKeys)) {
      return "header line '" + Excerpt(line, 30) + "' is not the next PCD v0.7 key";
    }
    next_key = k + 1;
    std::vector<std::string>& values = header[key];
    while (words >> word) values.push_back(word);
  }
  return header;
}

// The words as whole unsigned numbers, or nullopt if any is not one.
std::optional<std::vector<std::uint64_t>> Unsigneds(const std::vector<std::string>& words) {
  std::vector<std::uint64_t> out(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    const char* end = words[i].data() + words[i].size();
    const auto [stop, error] = std::from_chars(words[i].data(), end, out[i]);
    if (error != std::errc() || stop != end) return std::nullopt;
  }
  return out;
}

// PCL does not stop reading the header at DATA: it goes on while lines are empty, comments or
// start like a key, and would take a body beginning "FIELDS ..." as more header (the pcd fuzzer
// found memory errors after that). Such a body is refused.
std::optional<std::string> BodyReadsAsHeader(std::istream& in) {
  static const char* const kPrefixes[] = {"#",      "VERSION",   "FIELDS", "COLUMNS",
                                          "SIZE",   "TYPE",      "COUNT",  "WIDTH",
                                          "HEIGHT", "VIEWPOINT", "POINTS", "DATA"};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    if (!(words >> first)) continue;  // PCL skips empty lines too
    for (const char* prefix : kPrefixes) {
      if (first.rfind(prefix, 0) == 0) {
        return "the data after DATA begins like a header line ('" + Excerpt(line, 20) + "')";
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// What is wrong with an ascii PCD body, or nullopt: every line must be `values` numbers. PCL's
// ascii reader touched freed memory on a body of stray bytes (found by the pcd fuzzer), so it is
// only given bodies of plain number lines.
std::optional<std::string> AsciiBodyProblem(std::istream& in, std::uint64_t values) {
  std::string line;
  for (std::uint64_t number = 1; std::getline(in, line); ++number) {
    const bool plain = std::all_of(line.begin(), line.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '.' || c == '-' || c == '+' || c == ' ' || c == '\t' ||
             c == '\r';
    });
    std::istringstream words(line);
    const auto count = static_cast<std::uint64_t>(std::distance(
        std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()));
    if (!plain || (count != 0 && count != values)) {
      return "ascii data line " + std::to_string(number) + " is not " + std::to_string(values) +
             " numbers";
    }
  }
  return std::nullopt;
}

// What is wrong with a PCD file's header, or nullopt. PCL trusts the header: it sizes the cloud
// from it before reading a byte of the body (in readHeader already), so a 300-byte file claiming
// 10^8 points costs gigabytes, and its ascii reader crashes on some malformed headers. So the
// header is checked here first: the v0.7 grammar (ReadPcdHeader), one SIZE (1, 2, 4 or 8), TYPE
// (I, U or F) and COUNT per field, whole numbers, and no more points than the body can hold. An
// ascii value takes at least two bytes ("0 "); LZF expands at most about 100-fold.
std::optional<std::string> PcdHeaderProblem(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::variant<PcdHeader, std::string> read = ReadPcdHeader(in);
  if (const auto* why = std::get_if<std::string>(&read)) return *why;
  PcdHeader& header = std::get<PcdHeader>(read);
  const std::vector<std::string>& fields = header["FIELDS"];
  const std::vector<std::string>& types = header["TYPE"];
  const std::vector<std::string>& data = header["DATA"];
  const std::vector<std::string>& version = header["VERSION"];
  if (data.size() != 1 ||
      (data[0] != "ascii" && data[0] != "binary" && data[0] != "binary_compressed")) {
    return "no DATA ascii, binary or binary_compressed line in the header";
  }
  if (!version.empty() && (version.size() != 1 || (version[0] != "0.7" && version[0] != ".7"))) {
    return "VERSION is not 0.7";
  }
  if (!header.count("COUNT")) header["COUNT"].assign(fields.size(), "1");
  if (!header.count("HEIGHT")) header["HEIGHT"] = {"1"};
  const auto sizes = Unsigneds(header["SIZE"]), counts = Unsigneds(header["COUNT"]);
  const auto width = Unsigneds(header["WIDTH"]), height = Unsigneds(header["HEIGHT"]);
  const auto points = Unsigneds(header["POINTS"]);
  if (fields.empty() || !sizes || !counts || sizes->size() != fields.size() ||
      types.size() != fields.size() || counts->size() != fields.size()) {
    return "the header's FIELDS, SIZE, TYPE and COUNT do not list the same number of fields";
  }
  if (!width || width->size() != 1 || !height || height->size() != 1 || !points ||
      points->size() > 1) {
    return "the header's WIDTH, HEIGHT or POINTS is not one whole number";
  }
  // Bytes of one point in memory and values of one point (ascii), saturating: a huge COUNT must
  // make the claim larger, never wrap it small.
  const auto saturated = [](std::uint64_t a, std::uint64_t b, std::uint64_t add) {
    std::uint64_t out = 0;
    if (__builtin_mul_overflow(a, b, &out) || __builtin_add_overflow(out, add, &out)) {
      return UINT64_MAX;
    }
    return out;
  };
  std::uint64_t point_step = 0, values = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::uint64_t size = (*sizes)[i], count = (*counts)[i];
    const bool size_ok = size == 1 || size == 2 || size == 4 || size == 8;
    if (!size_ok || (types[i] != "I" && types[i] != "U" && types[i] != "F") || count == 0) {
      return "field '" + Excerpt(fields[i], 20) + "' has an invalid SIZE, TYPE or COUNT";
    }
    point_step = saturated(size, count, point_step);
    values = saturated(1, count, values);
  }
  const std::uint64_t claimed = saturated(width->front(), height->front(), 0);
  if (!points->empty() && points->front() != claimed) {
    return "the header's POINTS is not WIDTH x HEIGHT";
  }
  const std::streamoff data_offset = in.tellg();
  if (auto why = BodyReadsAsHeader(in)) return why;
  in.clear();
  in.seekg(data_offset);
  std::error_code ec;
  const std::uint64_t size = fs::file_size(file, ec);
  const std::uint64_t body = data_offset > 0 && size > static_cast<std::uint64_t>(data_offset)
                                 ? size - static_cast<std::uint64_t>(data_offset)
                                 : 0;
  const std::uint64_t per_point = data[0] == "ascii" ? saturated(2, values, 0) : point_step;
  const std::uint64_t room = data[0] == "binary_compressed" ? 100 * body : body;
  if (claimed > room / per_point) {
    return "the header claims " + std::to_string(claimed) + " points but the file holds " +
           std::to_string(body) + " bytes of data";
  }
  return data[0] == "ascii" ? AsciiBodyProblem(in, values) : std::nullopt;
}

// One .pcd file through PCL, then the packed-cloud conversion ROS clouds use.
Decoded<ros::CloudConversion> ReadPcd(const fs::path& file) {
  pcl::PCLPointCloud2 cloud;
  pcl::PCDReader reader;
  // A header that breaks the PCD rules or claims more points than the file holds.
  if (auto problem = PcdHeaderProblem(file)) {
    return DecodeError{DecodeErrorKind::kMalformed, *problem};
  }
  // PCL's header parser indexes words without checking they are there (std::out_of_range on a
  // header line with a control byte in it, found by the pcd fuzzer).
  try {
    if (reader.read(file.string(), cloud) < 0) {
      return DecodeError{DecodeErrorKind::kMalformed,
                         "PCL cannot read this PCD (truncated or corrupt)"};
    }
  } catch (const std::exception& e) {
    return DecodeError{DecodeErrorKind::kMalformed,
                       std::string("PCL cannot read this PCD: ") + e.what()};
  }
  ros::PackedCloud packed;
  for (const pcl::PCLPointField& f : cloud.fields) {
    packed.fields.push_back({f.name, f.offset, static_cast<int>(f.datatype)});
  }
  packed.width = cloud.width;
  packed.height = cloud.height;
  packed.point_step = cloud.point_step;
  packed.row_step = cloud.row_step;
  packed.big_endian = cloud.is_bigendian != 0;
  packed.data = ros::ByteView(cloud.data.data(), cloud.data.size());
  return ros::UnpackCloud(packed);
}

std::vector<fs::path> PcdFiles(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".pcd") files.push_back(entry);
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct PoseTable {
  fs::path file;
  std::map<std::string, Eigen::Isometry3d> by_stem;
  std::vector<Eigen::Isometry3d> by_order;  // lines without a name
};

std::optional<PoseTable> ReadPoses(const fs::path& folder, IssueLog& issues) {
  const std::string name = folder.filename().string();
  for (const fs::path& candidate :
       {folder / "poses.txt", folder.parent_path() / (name + "-pose.txt"),
        folder.parent_path() / (name + "_poses.txt")}) {
    std::ifstream in(candidate);
    if (!in) continue;
    PoseTable table;
    table.file = candidate;
    std::string line;
    std::uint64_t offset = 0;
    while (std::getline(in, line)) {
      const std::uint64_t line_offset = offset;
      offset += line.size() + 1;
      std::istringstream fields(line);
      std::vector<std::string> tokens;
      for (std::string t; fields >> t;) tokens.push_back(t);
      if (tokens.empty()) continue;
      const bool named = tokens.size() == 13;
      if (tokens.size() != 12 && !named) {
        issues.Report({candidate.string(), line_offset, line.size(),
                       "pose line with " + std::to_string(tokens.size()) +
                           " values (expected 12, or a name and 12)"});
        continue;
      }
      Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
      try {
        for (int i = 0; i < 12; ++i) pose.matrix()(i / 4, i % 4) = std::stod(tokens[named + i]);
      } catch (const std::exception&) {
        issues.Report({candidate.string(), line_offset, line.size(), "bad number"});
        continue;
      }
      if (named) {
        table.by_stem[tokens[0]] = pose;
      } else {
        table.by_order.push_back(pose);
      }
    }
    return table;
  }
  return std::nullopt;
}

class PcdFolderReader final : public LogReader {
 public:
  PcdFolderReader(const std::string& path, IssueLog& issues) : issues_(&issues) {
    // PCL prints its own errors; library code reports through the IssueLog instead.
    pcl::console::setVerbosityLevel(pcl::console::L_ALWAYS);
    files_ = PcdFiles(path);
    info_.path = path;
    info_.format = "pcd-folder";
    info_.log_id = fs::path(path).filename().string();
    if (info_.log_id.empty()) info_.log_id = fs::path(path).parent_path().filename().string();
    poses_ = ReadPoses(path, issues);
    bool named_stamps = true;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      std::optional<Timestamp> stamp = StampFromFileName(files_[i].stem().string());
      named_stamps = named_stamps && stamp.has_value();
      stamps_.push_back(stamp.value_or(FromNanos(static_cast<std::int64_t>(i) * 100'000'000)));
    }
    if (!named_stamps) {
      for (std::size_t i = 0; i < files_.size(); ++i) {
        stamps_[i] = FromNanos(static_cast<std::int64_t>(i) * 100'000'000);
      }
      info_.notes.push_back("file names hold no time: 10 Hz from 0 assumed");
    }
    StreamInfo lidar{"pcd", "lidar", static_cast<std::int64_t>(files_.size()), {}, {}, Duration{0}};
    if (!files_.empty()) {
      lidar.first = stamps_.front();
      lidar.last = stamps_.back();
      for (std::size_t i = 1; i < stamps_.size(); ++i) {
        lidar.largest_gap = std::max(lidar.largest_gap, stamps_[i] - stamps_[i - 1]);
      }
    }
    info_.streams.push_back(lidar);
    if (poses_) {
      std::int64_t matched = 0;
      for (std::size_t i = 0; i < files_.size(); ++i) matched += PoseAt(i).has_value();
      info_.has_ego_pose = matched > 0;
      info_.streams.push_back({poses_->file.filename().string(), "pose", matched, lidar.first,
                               lidar.last, Duration{0}});
      info_.notes.push_back("poses from " + poses_->file.string() + " for " +
                            std::to_string(matched) + " of " + std::to_string(files_.size()) +
                            " clouds");
    } else {
      info_.notes.push_back("no pose file (poses.txt, " + info_.log_id +
                            "-pose.txt): ego motion unknown (estimated from the lidar)");
    }
    info_.notes.push_back("no calibration: the lidar frame is the vehicle frame");
    calibration_ = std::make_shared<Calibration>();
  }

  const LogInfo& info() const override { return info_; }

  std::optional<Frame> Next() override {
    while (next_ < files_.size()) {
      const std::size_t i = next_++;
      Decoded<ros::CloudConversion> scan = ReadPcd(files_[i]);
      if (!scan) {
        std::error_code ec;
        issues_->Report(
            {files_[i].string(), 0, fs::file_size(files_[i], ec), scan.error().message});
        continue;
      }
      Frame frame;
      frame.index = static_cast<std::int64_t>(i);
      frame.lidar = std::move(scan->scan);
      frame.lidar.stamp = stamps_[i];
      if (auto pose = PoseAt(i)) frame.ego = EgoPose{stamps_[i], *pose, std::nullopt};
      frame.calibration = calibration_;
      return frame;
    }
    return std::nullopt;
  }

  bool Seek(std::int64_t index) override {
    next_ = static_cast<std::size_t>(
        std::clamp<std::int64_t>(index, 0, static_cast<std::int64_t>(files_.size())));
    return true;
  }

 private:
  std::optional<Eigen::Isometry3d> PoseAt(std::size_t i) const {
    if (!poses_) return std::nullopt;
    auto named = poses_->by_stem.find(files_[i].stem().string());
    if (named != poses_->by_stem.end()) return named->second;
    if (i < poses_->by_order.size()) return poses_->by_order[i];
    return std::nullopt;
  }

  IssueLog* issues_;
  LogInfo info_;
  std::vector<fs::path> files_;
  std::vector<Timestamp> stamps_;
  std::optional<PoseTable> poses_;
  std::shared_ptr<const Calibration> calibration_;
  std::size_t next_ = 0;
};

}  // namespace

std::optional<Timestamp> StampFromFileName(const std::string& stem) {
  // value * scale + add nanoseconds, or nullopt when that leaves the 64-bit range (years past 2262
  // or before 1677 are not stamps but damaged names).
  const auto nanos = [](std::int64_t value, std::int64_t scale,
                        std::int64_t add) -> std::optional<Timestamp> {
    std::int64_t ns = 0;
    if (__builtin_mul_overflow(value, scale, &ns) || __builtin_add_overflow(ns, add, &ns)) {
      return std::nullopt;
    }
    return FromNanos(ns);
  };
  if (!stem.empty() &&
      std::all_of(stem.begin(), stem.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    // Unix time by digit count: 10 s, 13 ms, 16 us, 19 ns. Other lengths are frame numbers.
    std::int64_t v = 0;
    if (std::from_chars(stem.data(), stem.data() + stem.size(), v).ec != std::errc()) {
      return std::nullopt;
    }
    switch (stem.size()) {
      case 10:
        return nanos(v, 1'000'000'000, 0);
      case 13:
        return nanos(v, 1'000'000, 0);
      case 16:
        return nanos(v, 1'000, 0);
      case 19:
        return nanos(v, 1, 0);
      default:
        return std::nullopt;
    }
  }
  int y, mo, d, h, mi, s, ms;
  char tail;
  if (std::sscanf(stem.c_str(), "%4d-%2d-%2d-%2d-%2d-%2d-%3d%c", &y, &mo, &d, &h, &mi, &s, &ms,
                  &tail) == 7 &&
      std::min({y, mo, d, h, mi, s, ms}) >= 0) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return nanos(static_cast<std::int64_t>(timegm(&tm)), 1'000'000'000,
                 std::int64_t{ms} * 1'000'000);
  }
  return std::nullopt;
}

bool LooksLikePcdFolder(const std::string& path) {
  std::error_code error;
  if (!fs::is_directory(path, error)) return false;
  const std::vector<fs::path> files = PcdFiles(path);
  return !files.empty() && StartsWithPcdHeader(files.front());
}

std::unique_ptr<LogReader> OpenPcdFolder(const std::string& path, IssueLog& issues) {
  if (!LooksLikePcdFolder(path)) throw LogError(path, "not a folder of .pcd files");
  return std::make_unique<PcdFolderReader>(path, issues);
}

LogFormat PcdFolderLogFormat() {
  return LogFormat{"pcd-folder", LooksLikePcdFolder, OpenPcdFolder};
}

}  // namespace longtail::sensors
