#include "labeling/formats/kitti_tracklets.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>

#include "labeling/formats/kitti_labels.h"
#include "sensors/atomic_file.h"

namespace longtail::labeling {
namespace {

// ---- a minimal XML reader: elements, text, no namespaces; enough for boost's archives ----------

struct XmlElement {
  std::string name;
  std::string text;
  std::size_t offset = 0;  // byte offset of the '<' that opens it
  std::vector<XmlElement> children;

  const XmlElement* Child(std::string_view child_name) const {
    for (const XmlElement& child : children) {
      if (child.name == child_name) return &child;
    }
    return nullptr;
  }
};

std::string DecodeEntities(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool matched = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out += '&';
  }
  return out;
}

// Parses the first top-level element. Throws FormatError with the byte offset of what is wrong.
XmlElement ParseXml(std::string_view text, const std::string& source) {
  const auto fail = [&](std::size_t offset, const std::string& why) {
    throw FormatError(source + " @ " + std::to_string(offset) + ": bad XML: " + why);
  };
  std::vector<XmlElement> stack;
  std::optional<XmlElement> root;
  std::size_t i = 0;
  while (i < text.size() && !root) {
    const std::size_t open = text.find('<', i);
    if (open == std::string_view::npos) break;
    if (!stack.empty()) stack.back().text += DecodeEntities(text.substr(i, open - i));
    if (text.substr(open, 4) == "<!--") {
      const std::size_t end = text.find("-->", open);
      if (end == std::string_view::npos) fail(open, "unterminated comment");
      i = end + 3;
      continue;
    }
    const std::size_t close = text.find('>', open);
    if (close == std::string_view::npos) fail(open, "unterminated tag");
    const std::string_view tag = text.substr(open + 1, close - open - 1);
    i = close + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;  // declaration, DOCTYPE
    if (tag[0] == '/') {
      const std::string_view name = tag.substr(1, tag.find_first_of(" \t\r\n") - 1);
      if (stack.empty() || stack.back().name != name) {
        fail(open, "unexpected </" + std::string(name) + ">");
      }
      XmlElement done = std::move(stack.back());
      stack.pop_back();
      if (stack.empty()) {
        root = std::move(done);
      } else {
        stack.back().children.push_back(std::move(done));
      }
      continue;
    }
    const bool self_closing = tag.back() == '/';
    // Elements own their children, so depth costs stack when the tree is destroyed; tracklet files
    // nest six levels.
    constexpr std::size_t kMaxXmlDepth = 64;
    if (!self_closing && stack.size() >= kMaxXmlDepth) {
      fail(open, "elements nested deeper than " + std::to_string(kMaxXmlDepth) + " levels");
    }
    XmlElement element;
    element.name = std::string(tag.substr(0, tag.find_first_of(" \t\r\n/")));
    element.offset = open;
    if (!self_closing) {
      stack.push_back(std::move(element));
    } else if (stack.empty()) {
      root = std::move(element);
    } else {
      stack.back().children.push_back(std::move(element));
    }
  }
  if (!root)
    fail(text.size(), stack.empty() ? "no element" : "unclosed <" + stack.back().name + ">");
  return *root;
}

std::optional<double> NumberChild(const XmlElement& element, std::string_view name) {
  const XmlElement* child = element.Child(name);
  if (child == nullptr) return std::nullopt;
  const std::size_t first = child->text.find_first_not_of(" \t\r\n");
  const std::size_t last = child->text.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  double value = 0;
  const char* begin = child->text.data() + first;
  const char* end = child->text.data() + last + 1;
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc() || stop != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<const XmlElement*> Items(const XmlElement& list) {
  std::vector<const XmlElement*> items;
  for (const XmlElement& child : list.children) {
    if (child.name == "item") items.push_back(&child);
  }
  return items;
}

// ---- writing ---------------------------------------------------------------------------------

std::string TypeName(const ObjectLabel& object) {
  const bool valid =
      !object.type_name.empty() &&
      sensors::ParseObjectClass(object.type_name).value_or(sensors::ObjectClass::kUnknown) ==
          object.labeled.object_class;
  return valid ? object.type_name : std::string(ToString(object.labeled.object_class));
}

std::string Number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  return buffer;
}

struct TrackletPose {
  std::int64_t frame = 0;
  const ObjectLabel* object = nullptr;
};

// boost::serialization writes class_id/tracking_level/version on the first item of each type only.
std::string PoseXml(const ObjectLabel& object, const Eigen::Isometry3d& lidar_from_vehicle,
                    bool first) {
  const sensors::Box3D& box = object.labeled.box;
  const Eigen::Vector3d bottom_vehicle = box.center - Eigen::Vector3d(0, 0, box.height / 2);
  const Eigen::Vector3d bottom = lidar_from_vehicle * bottom_vehicle;
  const Eigen::Vector3d heading =
      lidar_from_vehicle.linear() * Eigen::Vector3d(std::cos(box.yaw), std::sin(box.yaw), 0);
  const double rz = std::atan2(heading.y(), heading.x());
  const int occlusion = object.image ? std::clamp(object.image->occluded, 0, 2) : 0;
  const int truncation = object.image && object.image->truncated > 0 ? 1 : 0;
  std::string xml =
      first ? "\t\t\t<item class_id=\"3\" tracking_level=\"0\" version=\"2\">\n" : "\t\t\t<item>\n";
  const auto field = [&](const char* name, const std::string& value) {
    xml += std::string("\t\t\t\t<") + name + ">" + value + "</" + name + ">\n";
  };
  field("tx", Number(bottom.x()));
  field("ty", Number(bottom.y()));
  field("tz", Number(bottom.z()));
  field("rx", "0");
  field("ry", "0");
  field("rz", Number(rz));
  field("state", "2");  // 2 = labelled (1 would be interpolated)
  field("occlusion", std::to_string(occlusion));
  field("occlusion_kf", "1");
  field("truncation", std::to_string(truncation));
  field("amt_occlusion", "-1");
  field("amt_occlusion_kf", "-1");
  field("amt_border_l", "-1");
  field("amt_border_r", "-1");
  field("amt_border_kf", "-1");
  xml += "\t\t\t</item>\n";
  return xml;
}

}  // namespace

std::string FormatKittiTracklets(const std::vector<LabeledFrame>& frames,
                                 const sensors::Calibration& calibration) {
  const Eigen::Isometry3d lidar_from_vehicle = calibration.vehicle_from_lidar.inverse();
  // Group by track (untracked boxes are tracklets of their own), frames ascending.
  std::map<int, std::vector<TrackletPose>> tracks;
  std::vector<std::vector<TrackletPose>> singles;
  for (const LabeledFrame& frame : frames) {
    for (const ObjectLabel& object : frame.objects) {
      if (object.labeled.track_id >= 0) {
        tracks[object.labeled.track_id].push_back({frame.frame_index, &object});
      } else {
        singles.push_back({{frame.frame_index, &object}});
      }
    }
  }
  std::vector<std::vector<TrackletPose>> tracklets;
  for (auto& [id, poses] : tracks) {
    std::stable_sort(poses.begin(), poses.end(),
                     [](const auto& a, const auto& b) { return a.frame < b.frame; });
    std::vector<TrackletPose> current;
    for (const TrackletPose& pose : poses) {
      if (!current.empty()) {
        const sensors::Box3D& a = current.back().object->labeled.box;
        const sensors::Box3D& b = pose.object->labeled.box;
        const bool same_size = a.length == b.length && a.width == b.width && a.height == b.height;
        if (pose.frame != current.back().frame + 1 || !same_size) {
          tracklets.push_back(std::move(current));
          current.clear();
        }
      }
      current.push_back(pose);
    }
    if (!current.empty()) tracklets.push_back(std::move(current));
  }
  for (auto& single : singles) tracklets.push_back(std::move(single));

  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>\n"
      "<!DOCTYPE boost_serialization>\n"
      "<boost_serialization signature=\"serialization::archive\" version=\"9\">\n"
      "<tracklets class_id=\"0\" tracking_level=\"0\" version=\"0\">\n";
  xml += "\t<count>" + std::to_string(tracklets.size()) + "</count>\n";
  xml += "\t<item_version>1</item_version>\n";
  bool first_tracklet = true, first_pose = true;
  for (const auto& tracklet : tracklets) {
    const ObjectLabel& head = *tracklet.front().object;
    xml += first_tracklet ? "\t<item class_id=\"1\" tracking_level=\"0\" version=\"1\">\n"
                          : "\t<item>\n";
    xml += "\t\t<objectType>" + TypeName(head) + "</objectType>\n";
    xml += "\t\t<h>" + Number(head.labeled.box.height) + "</h>\n";
    xml += "\t\t<w>" + Number(head.labeled.box.width) + "</w>\n";
    xml += "\t\t<l>" + Number(head.labeled.box.length) + "</l>\n";
    xml += "\t\t<first_frame>" + std::to_string(tracklet.front().frame) + "</first_frame>\n";
    xml += first_tracklet ? "\t\t<poses class_id=\"2\" tracking_level=\"0\" version=\"0\">\n"
                          : "\t\t<poses>\n";
    xml += "\t\t\t<count>" + std::to_string(tracklet.size()) + "</count>\n";
    xml += "\t\t\t<item_version>2</item_version>\n";
    for (const TrackletPose& pose : tracklet) {
      xml += PoseXml(*pose.object, lidar_from_vehicle, first_pose);
      first_pose = false;
    }
    xml += "\t\t</poses>\n\t\t<finished>1</finished>\n\t</item>\n";
    first_tracklet = false;
  }
  xml += "</tracklets>\n</boost_serialization>\n";
  return xml;
}

std::vector<LabeledFrame> ParseKittiTracklets(std::string_view xml,
                                              const sensors::Calibration& calibration,
                                              const std::string& source,
                                              sensors::IssueLog& issues) {
  const XmlElement root = ParseXml(xml, source);
  const XmlElement* tracklets = root.name == "tracklets" ? &root : root.Child("tracklets");
  if (tracklets == nullptr) throw FormatError(source + ": no <tracklets> element");

  std::map<std::int64_t, LabeledFrame> frames;
  int track_id = 0;
  for (const XmlElement* item : Items(*tracklets)) {
    const std::optional<double> h = NumberChild(*item, "h"), w = NumberChild(*item, "w"),
                                l = NumberChild(*item, "l");
    const std::optional<double> first_frame = NumberChild(*item, "first_frame");
    const XmlElement* type = item->Child("objectType");
    const XmlElement* poses = item->Child("poses");
    // Written so that NaN fails too; a first frame past a billion (115 days at 100 Hz) is damage
    // and would not fit the frame counter.
    constexpr double kMaxExtent = 1e3;  // m: no labelled object is a kilometre long
    const auto in = [](const std::optional<double>& v, double high) {
      return v && *v >= 0 && *v <= high;
    };
    if (!in(h, kMaxExtent) || !in(w, kMaxExtent) || !in(l, kMaxExtent) || !in(first_frame, 1e9) ||
        type == nullptr || poses == nullptr) {
      issues.Report({source, item->offset, 0,
                     "tracklet without a valid objectType, h, w, l, first_frame or poses"});
      continue;
    }
    const std::string type_name = type->text;
    std::vector<std::pair<std::int64_t, ObjectLabel>> boxes;
    bool ok = true;
    std::int64_t frame = static_cast<std::int64_t>(*first_frame);
    for (const XmlElement* pose : Items(*poses)) {
      std::optional<double> values[6];
      const char* names[6] = {"tx", "ty", "tz", "rx", "ry", "rz"};
      for (int k = 0; k < 6; ++k) values[k] = NumberChild(*pose, names[k]);
      if (!std::all_of(std::begin(values), std::end(values),
                       [](const std::optional<double>& v) { return v && std::isfinite(*v); })) {
        issues.Report({source, pose->offset, 0, "tracklet pose without finite numeric tx..rz"});
        ok = false;
        break;
      }
      const Eigen::Matrix3d rotation = (Eigen::AngleAxisd(*values[5], Eigen::Vector3d::UnitZ()) *
                                        Eigen::AngleAxisd(*values[4], Eigen::Vector3d::UnitY()) *
                                        Eigen::AngleAxisd(*values[3], Eigen::Vector3d::UnitX()))
                                           .toRotationMatrix();
      // The pose is the bottom centre: the centre is half the height up the box's own z.
      const Eigen::Vector3d center_lidar =
          Eigen::Vector3d(*values[0], *values[1], *values[2]) + rotation.col(2) * (*h / 2);
      const Eigen::Vector3d heading = calibration.vehicle_from_lidar.linear() * rotation.col(0);
      ObjectLabel object;
      object.labeled.box.center = calibration.vehicle_from_lidar * center_lidar;
      object.labeled.box.length = *l;
      object.labeled.box.width = *w;
      object.labeled.box.height = *h;
      object.labeled.box.yaw = sensors::WrapAngle(std::atan2(heading.y(), heading.x()));
      object.labeled.object_class =
          sensors::ParseObjectClass(type_name).value_or(sensors::ObjectClass::kUnknown);
      object.labeled.track_id = track_id;
      object.type_name = type_name;
      boxes.emplace_back(frame++, std::move(object));
    }
    if (!ok) continue;
    for (auto& [index, object] : boxes) {
      frames[index].frame_index = index;
      frames[index].objects.push_back(std::move(object));
    }
    ++track_id;
  }
  std::vector<LabeledFrame> ordered;
  for (auto& [index, frame] : frames) ordered.push_back(std::move(frame));
  return ordered;
}

void WriteKittiTracklets(const std::filesystem::path& file, const std::vector<LabeledFrame>& frames,
                         const sensors::Calibration& calibration) {
  sensors::WriteFileAtomically(file, FormatKittiTracklets(frames, calibration));
}

std::vector<LabeledFrame> ReadKittiTracklets(const std::filesystem::path& file,
                                             const sensors::Calibration& calibration,
                                             sensors::IssueLog& issues) {
  return ParseKittiTracklets(ReadTextFile(file), calibration, file.string(), issues);
}

}  // namespace longtail::labeling
