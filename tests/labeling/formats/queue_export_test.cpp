#include "labeling/formats/queue_export.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "labeling/formats/kitti_labels.h"
#include "labeling/formats/openlabel.h"
#include "labeling/formats/queue_import.h"
#include "tests/labeling/formats/format_test_data.h"
#include "tests/test_support.h"

namespace longtail::labeling {
namespace {

using sensors::IssueLog;

TaskDraft Draft(std::int64_t first_frame) {
  TaskDraft draft;
  draft.log_id = "drive_0005";
  draft.log_path = "/logs/drive_0005";
  draft.log_format = "kitti-raw";
  draft.detectors = "ego_corridor";
  draft.options_hash = "abc123";
  draft.first_frame = first_frame;
  draft.last_frame = first_frame + 1;
  draft.start = sensors::FromNanos(1000000000LL * first_frame);
  draft.end = sensors::FromNanos(1000000000LL * (first_frame + 1));
  draft.severity = 0.6;
  pipeline::Event event;
  event.detector = "ego_corridor";
  event.type = "object_in_corridor";
  event.first_frame = first_frame;
  event.last_frame = first_frame + 1;
  event.track_ids = {0};
  event.reason = "car #0 ahead";
  draft.events = {event};
  for (std::int64_t f = first_frame; f <= first_frame + 1; ++f) {
    FramePrelabels frame;
    frame.frame_index = f;
    frame.stamp = sensors::FromNanos(1000000000LL * f);
    for (const ObjectLabel& object : testdata::HardObjects()) frame.boxes.push_back(object.labeled);
    draft.frames.push_back(frame);
  }
  return draft;
}

std::vector<std::string> Lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A queue with one accepted, one rejected and one unreviewed task (ids 1, 2, 3).
class QueueExport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::ScratchDir();
    queue_ = OpenQueue((dir_ / "queue.db").string());
    queue_->Enqueue({Draft(10), Draft(20), Draft(30)});
    for (const Verdict verdict : {Verdict::kAccept, Verdict::kReject}) {
      const std::optional<ClaimedTask> claim = queue_->Claim("ana");
      ASSERT_TRUE(claim);
      Submission submission;
      submission.claim_id = claim->claim_id;
      submission.reviewer = "ana";
      submission.verdict = verdict;
      queue_->Submit(submission);
    }
  }

  ExportSummary Export(ExportFormat format, bool include_prelabels,
                       const CalibrationSource& calibration_of) {
    ExportOptions options;
    options.format = format;
    options.output_dir = dir_ / "out";
    options.include_prelabels = include_prelabels;
    options.page_size = 2;  // several pages
    progress_.clear();
    return ExportQueue(
        *queue_, options, calibration_of,
        [this](std::int64_t done, std::int64_t total) { progress_.emplace_back(done, total); },
        issues_);
  }

  static sensors::Calibration Kitti(const TaskSummary&, std::int64_t) {
    return testdata::KittiCalibration();
  }

  std::filesystem::path dir_;
  std::unique_ptr<ReviewQueue> queue_;
  IssueLog issues_;
  std::vector<std::pair<std::int64_t, std::int64_t>> progress_;
};

TEST_F(QueueExport, ExportsOnlyReviewedTasksByDefault) {
  const ExportSummary summary = Export(ExportFormat::kOpenLabel, false, Kitti);
  EXPECT_EQ(summary.tasks_seen, 3);
  EXPECT_EQ(summary.tasks_exported, 1);
  EXPECT_EQ(summary.tasks_without_labels, 2);
  EXPECT_EQ(summary.boxes, 10);
  const std::vector<std::string> manifest = Lines(dir_ / "out" / "manifest.tsv");
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_EQ(manifest[1].substr(0, 27), "1\taccepted\treviewed\tdrive_0");
  EXPECT_EQ(progress_.back(), std::make_pair(std::int64_t{3}, std::int64_t{3}));
  EXPECT_EQ(progress_.size(), 3u);

  IssueLog issues;
  const LabelSet back = ReadOpenLabel(dir_ / "out" / "task_000001.json", "vehicle", issues);
  EXPECT_EQ(issues.count(), 0u);
  EXPECT_EQ(back.name, "drive_0005");
  EXPECT_EQ(back.options_hash, "abc123");
  ASSERT_EQ(back.frames.size(), 2u);
  EXPECT_EQ(back.frames[0].frame_index, 10);
  EXPECT_EQ(back.frames[0].objects.size(), 5u);
  ASSERT_EQ(back.events.size(), 1u);
  EXPECT_EQ(back.events[0].reason, "car #0 ahead");
}

TEST_F(QueueExport, IncludesPrelabelsOfUnreviewedTasksButNeverRejectedOnes) {
  const ExportSummary summary = Export(ExportFormat::kKittiTracking, true, Kitti);
  EXPECT_EQ(summary.tasks_exported, 2);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / "label_02" / "000001.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / "calib" / "000001.txt"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out" / "label_02" / "000002.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / "label_02" / "000003.txt"));
  const std::vector<std::string> manifest = Lines(dir_ / "out" / "manifest.tsv");
  ASSERT_EQ(manifest.size(), 3u);
  EXPECT_NE(manifest[2].find("\tprelabels\t"), std::string::npos);
}

TEST_F(QueueExport, ADamagedRowCostsItsTaskNotTheExport) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "queue.db").string().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE tasks SET events_json = '{broken' WHERE id = 1", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const ExportSummary summary = Export(ExportFormat::kOpenLabel, true, Kitti);
  EXPECT_EQ(summary.tasks_seen, 3);
  EXPECT_EQ(summary.tasks_failed, 1);
  EXPECT_EQ(summary.tasks_exported, 1);  // task 3 (task 2 was rejected)
  ASSERT_EQ(issues_.count(), 1u);
  EXPECT_NE(issues_.issues()[0].reason.find("task 1 not exported: bad JSON in the queue database"),
            std::string::npos)
      << issues_.issues()[0].reason;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / "task_000003.json"));
}

TEST_F(QueueExport, WritesOneKittiFilePerFrame) {
  const ExportSummary summary = Export(ExportFormat::kKitti, false, Kitti);
  EXPECT_EQ(summary.files_written, 4);  // label_2 and calib for each of the two frames
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / "task_000001" / "calib" / "000011.txt"));
  IssueLog issues;
  const LabeledFrame frame = ReadKittiObjectLabels(
      dir_ / "out" / "task_000001" / "label_2" / "000011.txt", testdata::KittiCamera(), issues);
  EXPECT_EQ(frame.objects.size(), 5u);
}

TEST_F(QueueExport, WritesTrackletXml) {
  Export(ExportFormat::kTracklets, false, Kitti);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / "task_000001" / "tracklet_labels.xml"));
}

TEST_F(QueueExport, ATaskWithoutCalibrationFailsForKittiButNotForOpenLabel) {
  const CalibrationSource unreadable = [](const TaskSummary& task,
                                          std::int64_t) -> sensors::Calibration {
    throw std::runtime_error("cannot read " + task.log_path);
  };
  ExportSummary summary = Export(ExportFormat::kKitti, false, unreadable);
  EXPECT_EQ(summary.tasks_failed, 1);
  EXPECT_EQ(summary.tasks_exported, 0);
  ASSERT_EQ(issues_.count(), 1u);
  EXPECT_NE(issues_.issues()[0].reason.find("task 1 not exported"), std::string::npos);

  summary = Export(ExportFormat::kOpenLabel, false, unreadable);
  EXPECT_EQ(summary.tasks_failed, 0);
  EXPECT_EQ(summary.tasks_exported, 1);
  EXPECT_EQ(issues_.count(), 2u);
}

TEST(QueueImport, SplitsFramesIntoTasksAtGapsAndAtTheTaskSizeAndKeepsOverlappingEvents) {
  LabelSet labels;
  for (std::int64_t f : {0, 1, 2, 3, 4, 7, 8}) {
    LabeledFrame frame;
    frame.frame_index = f;
    frame.objects = testdata::HardObjects();
    labels.frames.push_back(frame);
  }
  pipeline::Event event;
  event.first_frame = 4;
  event.last_frame = 7;
  event.severity = 0.9;
  labels.events = {event};
  ImportOptions options;
  options.log_id = "drive";
  options.source = "openlabel";
  options.frames_per_task = 3;
  const std::vector<TaskDraft> drafts = ImportDrafts(labels, options);
  ASSERT_EQ(drafts.size(), 3u);
  EXPECT_EQ(drafts[0].first_frame, 0);
  EXPECT_EQ(drafts[0].last_frame, 2);
  EXPECT_EQ(drafts[1].first_frame, 3);
  EXPECT_EQ(drafts[1].last_frame, 4);
  EXPECT_EQ(drafts[2].first_frame, 7);
  EXPECT_TRUE(drafts[0].events.empty());
  EXPECT_EQ(drafts[1].events.size(), 1u);
  EXPECT_EQ(drafts[2].severity, 0.9);
  EXPECT_EQ(drafts[0].detectors, "import:openlabel");
  EXPECT_EQ(drafts[0].options_hash, "import:openlabel");
  EXPECT_EQ(drafts[0].frames[0].boxes.size(), 5u);
}

TEST(QueueImport, ImportingTheSameLabelsTwiceAddsNothing) {
  const std::filesystem::path dir = testing::ScratchDir();
  const auto queue = OpenQueue((dir / "queue.db").string());
  LabelSet labels;
  labels.frames.resize(1);
  labels.frames[0].objects = testdata::HardObjects();
  ImportOptions options;
  options.log_id = "drive";
  options.source = "kitti";
  EXPECT_EQ(queue->Enqueue(ImportDrafts(labels, options)).inserted, 1);
  EXPECT_EQ(queue->Enqueue(ImportDrafts(labels, options)).already_present, 1);
}

// Acceptance: exporting a queue with 10,000 tasks streams (one task in memory at a time) and
// reports progress. Prints the time and peak resident memory before and after (no assertion on
// either: speed and memory are measurements, not unit-test outcomes).
long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

TEST(QueueExportScale, StreamsTenThousandTasksWithProgress) {
  const std::filesystem::path dir = testing::ScratchDir();
  const auto queue = OpenQueue((dir / "queue.db").string());
  std::vector<TaskDraft> drafts;
  for (int i = 0; i < 10000; ++i) {
    drafts.push_back(Draft(10 * i));
    if (drafts.size() == 1000) {
      queue->Enqueue(drafts);
      drafts.clear();
    }
  }
  const long rss_before = PeakRssKb();
  const auto start = std::chrono::steady_clock::now();
  ExportOptions options;
  options.format = ExportFormat::kOpenLabel;
  options.output_dir = dir / "out";
  options.include_prelabels = true;
  std::int64_t calls = 0, last_done = 0;
  IssueLog issues;
  const ExportSummary summary = ExportQueue(
      *queue, options,
      [](const TaskSummary&, std::int64_t) { return testdata::KittiCalibration(); },
      [&](std::int64_t done, std::int64_t total) {
        ++calls;
        last_done = done;
        EXPECT_EQ(total, 10000);
      },
      issues);
  EXPECT_EQ(summary.tasks_exported, 10000);
  EXPECT_EQ(calls, 10000);
  EXPECT_EQ(last_done, 10000);
  EXPECT_EQ(Lines(dir / "out" / "manifest.tsv").size(), 10001u);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "10000-task OpenLABEL export: %.1f s, peak RSS %ld kB before, %ld kB after (+%ld kB)\n",
      seconds, rss_before, PeakRssKb(), PeakRssKb() - rss_before);
}

}  // namespace
}  // namespace longtail::labeling
