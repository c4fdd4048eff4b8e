#include "evaluation/real_drives.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pipeline/detectors/detector.h"

namespace longtail::evaluation {
namespace {

namespace fs = std::filesystem;
using pipeline::Event;
using pipeline::Timestamp;

// Episodes around a moment: from 2 s before its first frame to 1 s after its critical frame.
constexpr double kBeforeMomentS = 2.0, kAfterMomentS = 1.0;

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

bool NamesActor(const Event& episode, int actor_id) {
  return std::find(episode.track_ids.begin(), episode.track_ids.end(), actor_id) !=
         episode.track_ids.end();
}

Timestamp StampOf(const std::vector<pipeline::FrameResult>& frames, std::int64_t index) {
  const auto clamped =
      std::clamp<std::int64_t>(index, 0, static_cast<std::int64_t>(frames.size()) - 1);
  return frames[static_cast<std::size_t>(clamped)].stamp;
}

// Whether `episode` is about `moment`: it names the actor and overlaps the moment's span.
bool IsAbout(const Event& episode, const Moment& moment,
             const std::vector<pipeline::FrameResult>& frames) {
  const Timestamp from = StampOf(frames, moment.first_frame) - sensors::FromSeconds(kBeforeMomentS);
  const Timestamp to = StampOf(frames, moment.critical_frame) + sensors::FromSeconds(kAfterMomentS);
  return NamesActor(episode, moment.actor_id) && episode.start <= to && episode.end >= from;
}

MomentResult Judge(const Moment& moment, const std::vector<pipeline::FrameResult>& frames,
                   const std::vector<Event>& episodes) {
  MomentResult result{moment, false, 0, ""};
  const Timestamp critical = StampOf(frames, moment.critical_frame);
  for (const Event& episode : episodes) {
    if (!IsAbout(episode, moment, frames)) continue;
    const double lead = sensors::ToSeconds(critical - episode.start);
    if (result.found_by.empty() || lead > result.lead_s) {
      result.lead_s = lead;
      result.found_by = episode.type;
    }
  }
  result.found =
      !result.found_by.empty() && (!NeedsLead(moment.kind) || result.lead_s >= kMinLeadS);
  return result;
}

}  // namespace

bool NeedsLead(const std::string& kind) { return kind == "vru_crossing" || kind == "cut_in"; }

std::vector<Moment> ReadMoments(const fs::path& file, sensors::IssueLog& issues) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  std::vector<Moment> moments;
  std::string line;
  std::uint64_t offset = 0;
  for (bool header = true; std::getline(in, line); header = false) {
    const std::uint64_t line_offset = offset;
    offset += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header || line.empty()) continue;
    const std::vector<std::string> f = SplitTabs(line);
    const auto bad = [&](const std::string& why) {
      issues.Report({file.string(), line_offset, line.size(), "moment line: " + why});
    };
    if (f.size() < 7) {
      bad("expected 8 tab-separated fields, got " + std::to_string(f.size()));
      continue;
    }
    if (f[6] != "positive" && f[6] != "dontcare") {
      bad("label '" + f[6] + "' is neither positive nor dontcare");
      continue;
    }
    Moment m;
    m.sequence = f[0];
    m.kind = f[1];
    m.actor_type = f[2];
    m.positive = f[6] == "positive";
    m.note = f.size() > 7 ? f[7] : "";
    try {
      std::size_t used = 0;
      m.actor_id = std::stoi(f[3], &used);
      m.first_frame = std::stoll(f[4]);
      m.critical_frame = std::stoll(f[5]);
    } catch (const std::exception&) {
      bad("actor_id, first_frame and critical_frame must be integers");
      continue;
    }
    if (m.critical_frame < m.first_frame || m.first_frame < 0) {
      bad("critical_frame before first_frame, or a negative frame");
      continue;
    }
    moments.push_back(std::move(m));
  }
  return moments;
}

SequenceScore ScoreSequence(const std::string& sequence,
                            const std::vector<pipeline::FrameResult>& frames,
                            const pipeline::OfflineDetection& detection,
                            const std::vector<Moment>& moments) {
  SequenceScore score;
  score.sequence = sequence;
  score.frames = static_cast<std::int64_t>(frames.size());
  if (frames.empty()) return score;
  const Timestamp first = frames.front().stamp, last = frames.back().stamp;
  const double period =
      frames.size() > 1 ? sensors::ToSeconds(last - first) / static_cast<double>(frames.size() - 1)
                        : 0.1;
  score.duration_s = sensors::ToSeconds(last - first) + period;

  // Flagged time: the union of the windows (which may overlap and close out of order), clipped to
  // the drive.
  std::vector<std::pair<Timestamp, Timestamp>> spans;
  for (const auto& window : detection.windows) spans.emplace_back(window.start, window.end);
  std::sort(spans.begin(), spans.end());
  Timestamp covered_to = first;
  for (const auto& [start, end] : spans) {
    const Timestamp from = std::max({start, first, covered_to});
    const Timestamp to = std::min(end, last + sensors::FromSeconds(period));
    if (to > from) score.flagged_s += sensors::ToSeconds(to - from);
    covered_to = std::max(covered_to, to);
  }
  for (const Event& episode : detection.episodes) ++score.episodes_by_type[episode.type];
  score.episodes = static_cast<std::int64_t>(detection.episodes.size());

  for (const Moment& moment : moments) {
    if (moment.sequence == sequence)
      score.moments.push_back(Judge(moment, frames, detection.episodes));
  }
  score.windows = static_cast<std::int64_t>(detection.windows.size());
  for (const auto& window : detection.windows) {
    const bool holds_moment =
        std::any_of(window.events.begin(), window.events.end(), [&](const Event& e) {
          return std::any_of(score.moments.begin(), score.moments.end(),
                             [&](const MomentResult& m) { return IsAbout(e, m.moment, frames); });
        });
    if (!holds_moment) ++score.windows_without_moment;
  }
  return score;
}

std::vector<SequenceScore> ScoreDriveFolder(const fs::path& folder,
                                            const std::vector<std::string>& only,
                                            const pipeline::proto::RunOptions& options,
                                            sensors::IssueLog& issues) {
  const fs::path labels = folder / "label_02";
  if (!fs::is_directory(labels)) {
    throw std::runtime_error(folder.string() +
                             ": no label_02/ folder (expected label_02/, calib/, "
                             "poses/, timestamps/ and moments.tsv)");
  }
  const std::vector<Moment> moments = ReadMoments(folder / "moments.tsv", issues);
  std::vector<std::string> sequences;
  for (const auto& entry : fs::directory_iterator(labels)) {
    if (entry.path().extension() == ".txt") sequences.push_back(entry.path().stem().string());
  }
  std::sort(sequences.begin(), sequences.end());
  for (const std::string& name : only) {
    if (std::find(sequences.begin(), sequences.end(), name) == sequences.end()) {
      throw std::runtime_error(folder.string() + ": no sequence " + name + " in label_02/");
    }
  }
  std::vector<SequenceScore> scores;
  for (const std::string& sequence : sequences) {
    if (!only.empty() && std::find(only.begin(), only.end(), sequence) == only.end()) continue;
    const auto optional_file = [&](const char* sub) {
      const fs::path file = folder / sub / (sequence + ".txt");
      return fs::exists(file) ? file : fs::path();
    };
    const pipeline::TrackListInput input = pipeline::LoadTrackList(
        labels / (sequence + ".txt"), folder / "calib" / (sequence + ".txt"),
        optional_file("poses"), optional_file("timestamps"), 10.0, issues);
    const std::vector<pipeline::FrameResult> frames = pipeline::FrameResultsFromLabels(input);
    scores.push_back(
        ScoreSequence(sequence, frames, pipeline::DetectOffline(frames, options), moments));
  }
  return scores;
}

DriveSetSummary Summarize(const std::vector<SequenceScore>& sequences) {
  DriveSetSummary s;
  for (const SequenceScore& q : sequences) {
    ++s.sequences;
    s.frames += q.frames;
    s.windows += q.windows;
    s.windows_without_moment += q.windows_without_moment;
    s.duration_s += q.duration_s;
    s.flagged_s += q.flagged_s;
    s.episodes += q.episodes;
    for (const auto& [type, n] : q.episodes_by_type) s.episodes_by_type[type] += n;
    bool has_positive = false;
    for (const MomentResult& m : q.moments) {
      if (!m.moment.positive) continue;
      has_positive = true;
      ++s.positives;
      s.positives_found += m.found ? 1 : 0;
    }
    const double share = q.duration_s > 0 ? q.flagged_s / q.duration_s : 0;
    if (!has_positive && share >= s.worst_share_without_positive) {
      s.worst_share_without_positive = share;
      s.worst_sequence_without_positive = q.sequence;
    }
  }
  return s;
}

}  // namespace longtail::evaluation
