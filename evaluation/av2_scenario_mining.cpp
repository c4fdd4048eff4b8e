#include "evaluation/av2_scenario_mining.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace longtail::evaluation::av2 {

using sensors::ObjectClass;

namespace {

// Track velocities: slope over +-2 frames; the ego's motion: over +-5 frames.
constexpr int kTrackHalfWindow = 2;
constexpr int kEgoHalfWindow = 5;

const nlohmann::json& Field(const nlohmann::json& object, const char* key,
                            const std::filesystem::path& file) {
  if (!object.contains(key)) {
    throw std::runtime_error(file.string() + ": missing \"" + key + "\"");
  }
  return object.at(key);
}

ScenarioFrame ReadFrame(const nlohmann::json& f, const std::filesystem::path& file,
                        ScenarioFile& out) {
  ScenarioFrame frame;
  frame.timestamp_ns = Field(f, "timestamp_ns", file).get<std::int64_t>();
  const auto& ego = Field(f, "ego_translation_m", file);
  frame.ego_translation = {ego[0].get<double>(), ego[1].get<double>(), ego[2].get<double>()};
  const auto& ids = Field(f, "track_id", file);
  const auto& labels = Field(f, "label", file);
  const auto& translations = Field(f, "translation_m", file);
  const bool has_score = f.contains("score"), has_roi = f.contains("in_roi"),
             has_uuid = f.contains("track_uuid");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ScenarioObject o;
    o.track_id = ids[i].get<int>();
    o.label = labels.at(i).get<int>();
    const auto& t = translations.at(i);
    o.translation = {t[0].get<double>(), t[1].get<double>(), t[2].get<double>()};
    if (has_score) o.score = f["score"].at(i).get<double>();
    if (has_roi) o.in_roi = f["in_roi"].at(i).get<int>() != 0;
    if (has_uuid) {
      out.in_roi_by_uuid[{frame.timestamp_ns, f["track_uuid"].at(i).get<std::string>()}] = o.in_roi;
    }
    frame.objects.push_back(o);
  }
  return frame;
}

}  // namespace

ScenarioFile ReadScenarioFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot be opened");
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(file.string() + ": byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {  // out_of_range for a number like 1e99999
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  ScenarioFile out;
  for (const auto& s : Field(root, "sequences", file)) {
    ScenarioSequence sequence;
    sequence.log_id = Field(s, "log_id", file).get<std::string>();
    sequence.prompt = Field(s, "prompt", file).get<std::string>();
    for (const auto& f : Field(s, "frames", file)) {
      sequence.frames.push_back(ReadFrame(f, file, out));
    }
    out.sequences.push_back(std::move(sequence));
  }
  return out;
}

void WriteScenarioFile(const std::filesystem::path& file,
                       const std::vector<ScenarioSequence>& sequences) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : sequences) {
    nlohmann::json frames = nlohmann::json::array(), timestamps = nlohmann::json::array();
    for (const auto& f : s.frames) {
      nlohmann::json ids = nlohmann::json::array(), labels = ids, translations = ids, scores = ids,
                     roi = ids;
      for (const auto& o : f.objects) {
        ids.push_back(o.track_id);
        labels.push_back(o.label);
        translations.push_back({o.translation.x(), o.translation.y(), o.translation.z()});
        scores.push_back(o.score);
        roi.push_back(o.in_roi ? 1 : 0);
      }
      timestamps.push_back(f.timestamp_ns);
      frames.push_back({{"timestamp_ns", f.timestamp_ns},
                        {"ego_translation_m",
                         {f.ego_translation.x(), f.ego_translation.y(), f.ego_translation.z()}},
                        {"track_id", ids},
                        {"label", labels},
                        {"translation_m", translations},
                        {"score", scores},
                        {"in_roi", roi}});
    }
    list.push_back({{"log_id", s.log_id},
                    {"prompt", s.prompt},
                    {"timestamps_ns", timestamps},
                    {"frames", frames}});
  }
  const std::filesystem::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary);
    out << nlohmann::json{{"what", "longtail scenario-query predictions"}, {"sequences", list}}
               .dump()
        << "\n";
    if (!out) throw std::runtime_error(temporary.string() + ": cannot be written");
  }
  std::filesystem::rename(temporary, file);
}

ObjectClass ClassOfAv2Category(const std::string& category) {
  if (category == "REGULAR_VEHICLE") return ObjectClass::kCar;
  if (category == "LARGE_VEHICLE" || category == "BUS" || category == "BOX_TRUCK" ||
      category == "TRUCK" || category == "TRUCK_CAB" || category == "VEHICULAR_TRAILER" ||
      category == "SCHOOL_BUS" || category == "ARTICULATED_BUS") {
    return ObjectClass::kTruck;
  }
  if (category == "RAILED_VEHICLE") return ObjectClass::kTram;
  if (category == "PEDESTRIAN" || category == "OFFICIAL_SIGNALER") return ObjectClass::kPedestrian;
  if (category == "BICYCLE" || category == "BICYCLIST" || category == "MOTORCYCLE" ||
      category == "MOTORCYCLIST" || category == "WHEELED_RIDER") {
    return ObjectClass::kCyclist;
  }
  return ObjectClass::kMisc;
}

namespace {

struct Row {
  std::int64_t stamp = 0;
  std::string uuid, category;
  double values[11] = {};  // length width height qw qx qy qz tx ty tz points
};

// Splits a CSV line; returns false when it has not `expected` fields or a number does not parse.
bool ParseAnnotation(const std::string& line, Row& row) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) fields.push_back(field);
  if (fields.size() != 14) return false;
  auto number = [](const std::string& text, auto& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
  };
  if (!number(fields[0], row.stamp)) return false;
  row.uuid = fields[1];
  row.category = fields[2];
  for (int i = 0; i < 11; ++i) {
    if (!number(fields[3 + i], row.values[i])) return false;
  }
  return true;
}

// Reads a CSV with a header line; each data line goes to `parse`; failures are reported.
template <typename T, typename Parse>
std::vector<T> ReadCsv(const std::filesystem::path& file, Parse parse, sensors::IssueLog& issues) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot be opened");
  std::vector<T> rows;
  std::string line;
  std::uint64_t offset = 0;
  bool header = true;
  while (std::getline(in, line)) {
    const std::uint64_t line_offset = offset;
    offset += line.size() + 1;
    if (header || line.empty()) {
      header = false;
      continue;
    }
    T row;
    if (parse(line, row)) {
      rows.push_back(std::move(row));
    } else {
      issues.Report({file.string(), line_offset, line.size() + 1, "not a valid CSV row"});
    }
  }
  return rows;
}

struct PoseRow {
  std::int64_t stamp = 0;
  double values[7] = {};  // qw qx qy qz tx ty tz
};
bool ParsePose(const std::string& line, PoseRow& row) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) fields.push_back(field);
  if (fields.size() != 8) return false;
  auto parses = [](const std::string& text, auto& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
  };
  if (!parses(fields[0], row.stamp)) return false;
  for (int i = 0; i < 7; ++i) {
    if (!parses(fields[1 + i], row.values[i])) return false;
  }
  return true;
}

Eigen::Isometry3d Pose(const double* qwxyz_t) {
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.linear() =
      Eigen::Quaterniond(qwxyz_t[0], qwxyz_t[1], qwxyz_t[2], qwxyz_t[3]).normalized().matrix();
  pose.translation() = Eigen::Vector3d(qwxyz_t[4], qwxyz_t[5], qwxyz_t[6]);
  return pose;
}

// Least-squares slope of `values` (one per sample, samples at `times` s).
double Slope(const std::vector<double>& times, const std::vector<double>& values) {
  const double n = static_cast<double>(times.size());
  if (times.size() < 2) return 0;
  double mt = 0, mv = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    mt += times[i] / n;
    mv += values[i] / n;
  }
  double num = 0, den = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    num += (times[i] - mt) * (values[i] - mv);
    den += (times[i] - mt) * (times[i] - mt);
  }
  return den > 0 ? num / den : 0;
}

double SecondsBetween(pipeline::Timestamp a, pipeline::Timestamp b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

namespace {

// Fills every frame's ego motion from the poses: speed along its heading, yaw rate and
// acceleration as slopes over the neighbouring frames.
void FillEgoMotion(Av2Log& log) {
  const int n = static_cast<int>(log.frames.size());
  std::vector<double> speeds(n, 0);
  auto window = [&](int i, auto value) {
    std::vector<double> t, v;
    for (int k = std::max(0, i - kEgoHalfWindow); k <= std::min(n - 1, i + kEgoHalfWindow); ++k) {
      t.push_back(SecondsBetween(log.frames[0].stamp, log.frames[k].stamp));
      v.push_back(value(k));
    }
    return Slope(t, v);
  };
  std::vector<double> yaw(n, 0);
  for (int i = 0; i < n; ++i) {
    const Eigen::Matrix3d r = log.city_from_ego[i].linear();
    yaw[i] = std::atan2(r(1, 0), r(0, 0));
    if (i > 0) yaw[i] = yaw[i - 1] + sensors::WrapAngle(yaw[i] - yaw[i - 1]);  // unwrapped
  }
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector2d v(
        window(i, [&](int k) { return log.city_from_ego[k].translation().x(); }),
        window(i, [&](int k) { return log.city_from_ego[k].translation().y(); }));
    speeds[i] = v.dot(Eigen::Vector2d(std::cos(yaw[i]), std::sin(yaw[i])));
  }
  for (int i = 0; i < n; ++i) {
    pipeline::EgoMotion& ego = log.frames[i].ego;
    ego.known = true;
    ego.world_from_vehicle = log.city_from_ego[i].matrix();
    ego.speed = speeds[i];
    ego.yaw_rate = window(i, [&](int k) { return yaw[k]; });
    ego.acceleration = window(i, [&](int k) { return speeds[k]; });
  }
}

// Each track's velocity over ground: the slope of its city positions over its neighbouring
// frames (those it is seen in), in the world and in the ego's axes.
void FillTrackVelocities(Av2Log& log, const std::vector<std::vector<Eigen::Vector2d>>& city) {
  const int n = static_cast<int>(log.frames.size());
  std::map<int, std::vector<std::pair<int, std::size_t>>> seen;  // id -> (frame, index)
  for (int i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < log.frames[i].tracks.size(); ++k) {
      seen[log.frames[i].tracks[k].id].emplace_back(i, k);
    }
  }
  for (const auto& [id, observations] : seen) {
    for (std::size_t j = 0; j < observations.size(); ++j) {
      std::vector<double> t, x, y;
      for (std::size_t m = 0; m < observations.size(); ++m) {
        const int frame = observations[m].first;
        if (std::abs(frame - observations[j].first) > kTrackHalfWindow) continue;
        t.push_back(SecondsBetween(log.frames[0].stamp, log.frames[frame].stamp));
        x.push_back(city[frame][observations[m].second].x());
        y.push_back(city[frame][observations[m].second].y());
      }
      pipeline::Track& track = log.frames[observations[j].first].tracks[observations[j].second];
      track.velocity_world = {Slope(t, x), Slope(t, y)};
      const Eigen::Matrix2d r =
          log.city_from_ego[observations[j].first].linear().topLeftCorner<2, 2>();
      track.velocity_vehicle = r.transpose() * track.velocity_world;
      track.age = static_cast<int>(j);
      track.hits = static_cast<int>(j) + 1;
    }
  }
}

}  // namespace

Av2Log LoadAv2Log(const std::filesystem::path& log_dir, sensors::IssueLog& issues) {
  Av2Log log;
  log.log_id = log_dir.filename().string();
  if (log.log_id.empty()) log.log_id = log_dir.parent_path().filename().string();
  const auto rows = ReadCsv<Row>(log_dir / "annotations.csv", ParseAnnotation, issues);
  const auto poses = ReadCsv<PoseRow>(log_dir / "city_SE3_egovehicle.csv", ParsePose, issues);
  std::map<std::int64_t, Eigen::Isometry3d> pose_at;
  for (const auto& p : poses) pose_at[p.stamp] = Pose(p.values);
  std::map<std::int64_t, int> frame_of;
  std::map<std::string, int> id_of;
  std::vector<std::vector<Eigen::Vector2d>> city;
  for (const auto& row : rows) {
    if (!frame_of.contains(row.stamp)) {
      const auto pose = pose_at.find(row.stamp);
      if (pose == pose_at.end()) {
        issues.Report({(log_dir / "annotations.csv").string(), 0, 0,
                       "no ego pose at " + std::to_string(row.stamp)});
        continue;
      }
      frame_of[row.stamp] = static_cast<int>(log.frames.size());
      pipeline::FrameResult frame;
      frame.index = static_cast<std::int64_t>(log.frames.size());
      frame.stamp = pipeline::Timestamp(std::chrono::nanoseconds(row.stamp));
      log.frames.push_back(std::move(frame));
      log.city_from_ego.push_back(pose->second);
      city.emplace_back();
    }
    if (row.category == "EGO_VEHICLE") continue;
    const auto [it, fresh] = id_of.try_emplace(row.uuid, static_cast<int>(log.uuids.size()));
    if (fresh) log.uuids.push_back(row.uuid);
    const int f = frame_of.at(row.stamp);
    pipeline::Track track;
    track.id = it->second;
    track.object_class = ClassOfAv2Category(row.category);
    track.class_confidence = 1;
    const Eigen::Quaterniond q(row.values[3], row.values[4], row.values[5], row.values[6]);
    const Eigen::Vector3d forward = q.normalized() * Eigen::Vector3d::UnitX();
    track.box.center = {row.values[7], row.values[8], row.values[9]};
    track.box.length = row.values[0];
    track.box.width = row.values[1];
    track.box.height = row.values[2];
    track.box.yaw = std::atan2(forward.y(), forward.x());
    track.num_points = static_cast<int>(row.values[10]);
    city[f].push_back((log.city_from_ego[f] * track.box.center).head<2>());
    log.frames[f].tracks.push_back(track);
  }
  FillEgoMotion(log);
  FillTrackVelocities(log, city);
  return log;
}

ScenarioSequence ToScenarioSequence(const Av2Log& log, const std::string& prompt,
                                    const std::vector<query::FrameMatches>& matches,
                                    const ScenarioSequence& ground_truth,
                                    const ScenarioFile& ground_truth_file) {
  std::map<std::int64_t, std::size_t> frame_of;
  for (std::size_t i = 0; i < log.frames.size(); ++i) {
    frame_of[sensors::ToNanos(log.frames[i].stamp)] = i;
  }
  std::map<std::int64_t, const query::FrameMatches*> matches_at;
  for (const auto& m : matches) matches_at[sensors::ToNanos(m.stamp)] = &m;
  ScenarioSequence out;
  out.log_id = ground_truth.log_id;
  out.prompt = prompt;
  for (const auto& gt_frame : ground_truth.frames) {
    ScenarioFrame frame;
    frame.timestamp_ns = gt_frame.timestamp_ns;
    frame.ego_translation = gt_frame.ego_translation;
    const auto f = frame_of.find(gt_frame.timestamp_ns);
    if (f != frame_of.end()) {
      std::vector<int> referred;
      if (const auto m = matches_at.find(gt_frame.timestamp_ns); m != matches_at.end()) {
        for (const auto& match : m->second->matches) referred.push_back(match.subject);
      }
      for (const auto& track : log.frames[f->second].tracks) {
        ScenarioObject o;
        o.track_id = track.id;
        o.label = std::count(referred.begin(), referred.end(), track.id) ? kReferred : 2;
        o.translation = log.city_from_ego[f->second] * track.box.center;
        const auto roi =
            ground_truth_file.in_roi_by_uuid.find({gt_frame.timestamp_ns, log.uuids[track.id]});
        o.in_roi = roi == ground_truth_file.in_roi_by_uuid.end() || roi->second;
        frame.objects.push_back(o);
      }
    }
    out.frames.push_back(std::move(frame));
  }
  return out;
}

std::vector<PromptQuery> ReadPromptQueries(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot be opened");
  std::vector<PromptQuery> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == '[') {
      const auto close = line.rfind(']');
      if (close == std::string::npos || close <= first + 1) {
        throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                                 ": expected '[prompt]'");
      }
      out.push_back({line.substr(first + 1, close - first - 1), "", number + 1});
    } else if (!out.empty()) {
      out.back().query += line + "\n";
    } else if (first != std::string::npos && line[first] != '#') {
      throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                               ": a query before the first '[prompt]' line");
    }
  }
  return out;
}

PromptRun RunPromptQueries(const std::filesystem::path& fixture,
                           const std::vector<PromptQuery>& queries, const MetricOptions& metrics,
                           const query::QueryOptions& options, sensors::IssueLog& issues) {
  const ScenarioFile gt = ReadScenarioFile(fixture / "ground_truth.json");
  std::map<std::string, query::Query> compiled;
  for (const auto& q : queries) {
    try {
      compiled.emplace(q.prompt, query::ParseQuery(q.query));
    } catch (const query::QueryError& e) {
      // Lines in the file: the query's own line plus where it starts.
      throw query::QueryError(e.line() + q.line - 1, e.column(),
                              e.message() + " (prompt '" + q.prompt + "')");
    }
  }
  PromptRun run;
  std::map<std::string, Av2Log> logs;
  for (const auto& sequence : gt.sequences) {
    const auto q = compiled.find(sequence.prompt);
    if (q == compiled.end()) {
      throw std::runtime_error("no query for prompt '" + sequence.prompt + "'");
    }
    auto log = logs.find(sequence.log_id);
    if (log == logs.end()) {
      log = logs.emplace(sequence.log_id, LoadAv2Log(fixture / sequence.log_id, issues)).first;
    }
    const auto matches = query::RunQuery(q->second, log->second.frames, options);
    run.predictions.push_back(
        ToScenarioSequence(log->second, sequence.prompt, matches, sequence, gt));
  }
  run.scores = Score(run.predictions, gt.sequences, metrics);
  return run;
}

}  // namespace longtail::evaluation::av2
