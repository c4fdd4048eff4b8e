#include "evaluation/box_evaluation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <set>

#include "pipeline/perception/classify.h"
#include "sensors/kitti/kitti_label.h"
#include "sensors/log_reader.h"
#include "tests/test_support.h"

namespace longtail::evaluation {

using pipeline::LabelScoring;
using pipeline::ScoredGroup;
using pipeline::ScoringOfLabelType;
namespace {

const ClassScore& Row(const BoxEvaluation& evaluation, const std::string& name) {
  for (const ClassScore& score : evaluation.classes) {
    if (score.name == name) return score;
  }
  throw std::runtime_error("no row " + name);
}

const TrackingScore& TrackingRow(const BoxEvaluation& evaluation, const std::string& name) {
  for (const TrackingScore& score : evaluation.tracking) {
    if (score.name == name) return score;
  }
  throw std::runtime_error("no tracking row " + name);
}

void Print(const BoxEvaluation& evaluation) {
  for (const ClassScore& c : evaluation.classes) {
    std::cout << c.name << " truth " << c.num_truth << " matched " << c.num_matched_truth
              << " recall " << c.recall << " predicted " << c.num_predicted << " fp "
              << c.num_false_positives << " precision " << c.precision << " centre "
              << c.center_error_m << " yaw " << c.yaw_error_deg << " size " << c.size_error_m
              << " iou " << c.bev_iou << "\n";
  }
  for (const TrackingScore& t : evaluation.tracking) {
    std::cout << "tracking " << t.name << " truth " << t.num_truth << " misses " << t.misses
              << " fp " << t.false_positives << " idsw " << t.id_switches << " frag "
              << t.fragmentations << " mota " << t.mota << " ids:";
    for (const auto& [truth, ids] : t.predicted_ids) {
      std::cout << " " << truth << "->";
      for (int id : ids) std::cout << id << ",";
      std::cout << " (mean " << t.mean_speed_mps.at(truth) << " max " << t.max_speed_mps.at(truth)
                << " m/s)";
    }
    std::cout << "\n";
  }
}

// The real labelled sequence: KITTI tracking 0000 (drive 0005), 40 frames.
TEST(AveragePrecision40, IsOneForPerfectRankingAndCountsMissedTruth) {
  const std::vector<ScoredDetection> perfect = {{0.9, true}, {0.8, true}, {0.1, false}};
  EXPECT_DOUBLE_EQ(AveragePrecision40(perfect, 2), 1.0);
  // Half the truth never found: recall points above 0.5 add nothing.
  EXPECT_DOUBLE_EQ(AveragePrecision40({{0.9, true}}, 2), 0.5);
  // A false detection ranked first: 2/3 at recall 1 lifts the interpolated precision everywhere.
  EXPECT_NEAR(AveragePrecision40({{0.9, false}, {0.8, true}, {0.7, true}}, 2), 2.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(AveragePrecision40({}, 0), 0.0);
}

TEST(OperatingPoints, FindTheBestThresholdForARecallOrPrecisionTarget) {
  const std::vector<ScoredDetection> d = {{0.95, true}, {0.9, true},  {0.7, false},
                                          {0.6, true},  {0.2, false}, {0.1, true}};
  const OperatingPoint at_half = AtThreshold(d, 5, 0.5);
  EXPECT_DOUBLE_EQ(at_half.precision, 0.75);
  EXPECT_DOUBLE_EQ(at_half.recall, 0.6);
  const OperatingPoint p = BestPrecisionAtRecall(d, 5, 0.6);
  ASSERT_TRUE(p.reached);
  EXPECT_DOUBLE_EQ(p.precision, 0.75);
  EXPECT_DOUBLE_EQ(p.score_threshold, 0.6);
  const OperatingPoint r = BestRecallAtPrecision(d, 5, 0.7);
  EXPECT_DOUBLE_EQ(r.recall, 0.6);
  EXPECT_FALSE(BestPrecisionAtRecall(d, 10, 0.9).reached);
}

TEST(ReliabilityOf, BinsScoresAndWeighsTheGapByDetections) {
  // 0.95-scored detections right 3 times in 4 (gap 0.2); 0.25-scored right 1 in 4 (gap 0).
  const std::vector<ScoredDetection> d = {{0.95, true},  {0.95, true}, {0.95, true},
                                          {0.95, false}, {0.25, true}, {0.25, false},
                                          {0.25, false}, {0.25, false}};
  const Reliability r = ReliabilityOf(d, 10);
  EXPECT_EQ(r.count, 8);
  EXPECT_EQ(r.bins[9].count, 4);
  EXPECT_DOUBLE_EQ(r.bins[9].precision, 0.75);
  EXPECT_DOUBLE_EQ(r.bins[2].precision, 0.25);
  EXPECT_NEAR(r.expected_calibration_error, 0.1, 1e-12);
}

TEST(ScoringOfLabelType, MapsKittiAndArgoverseNames) {
  EXPECT_EQ(ScoringOfLabelType("Van").group, ScoredGroup::kVehicle);
  EXPECT_TRUE(ScoringOfLabelType("Van").scored);
  EXPECT_FALSE(ScoringOfLabelType("Person_sitting").scored);
  EXPECT_EQ(ScoringOfLabelType("REGULAR_VEHICLE").group, ScoredGroup::kVehicle);
  EXPECT_EQ(ScoringOfLabelType("PEDESTRIAN").group, ScoredGroup::kPedestrian);
  EXPECT_EQ(ScoringOfLabelType("BICYCLE").group, ScoredGroup::kCyclist);
  EXPECT_FALSE(ScoringOfLabelType("BICYCLE").scored);  // a parked bike has no rider
  EXPECT_EQ(ScoringOfLabelType("BOLLARD").group, ScoredGroup::kNone);
  EXPECT_EQ(ScoringOfLabelType("Misc").group, ScoredGroup::kNone);
}

TEST(EvaluateBoxes, PinsTheNumbersOnKittiTrackingSequence0000) {
  LONGTAIL_REQUIRE_DATA(dataset, "kitti-tracking/training");
  sensors::IssueLog issues;
  const BoxEvaluation evaluation = EvaluateBoxes(dataset, {}, {}, {}, {}, std::nullopt, issues);
  Print(evaluation);
  EXPECT_TRUE(evaluation.tracking_layout);
  EXPECT_EQ(evaluation.frames, 40);
  EXPECT_EQ(issues.count(), 0u);
  const ClassScore& vehicles = Row(evaluation, "Vehicle");
  EXPECT_EQ(vehicles.num_truth, 69);  // the issue's count: >= 50 points, <= 40 m, in view
  // The targets, and the numbers this version reaches (a regression fails here).
  EXPECT_GE(vehicles.recall, 0.98);        // target >= 0.85
  EXPECT_LE(vehicles.yaw_error_deg, 2.5);  // target <= 8
  EXPECT_LE(vehicles.center_error_m, 0.4);
  // In-sample: these 40 frames are in the class model's training set (precision was 0.45 with
  // the size rule). The held-out numbers are pipeline/perception/README.md's leave-one-drive-out.
  EXPECT_GE(vehicles.precision, 0.95);
  const ClassScore& cyclists = Row(evaluation, "Cyclist");
  EXPECT_EQ(cyclists.num_truth, 40);
  EXPECT_GE(cyclists.recall, 0.97);
  EXPECT_EQ(Row(evaluation, "Pedestrian").num_matched_truth, 4);
  EXPECT_GE(Row(evaluation, "Pedestrian").precision, 0.95);  // in-sample (0.36 by size)
  const TrackingScore& vehicle_tracks = TrackingRow(evaluation, "Vehicle");
  EXPECT_EQ(vehicle_tracks.id_switches, 0);  // target <= 2
  EXPECT_LE(vehicle_tracks.misses, 1);
  // Van 3 is parked: with lidar ego motion removed it stands (nearly) still. Measured 0.50 m/s:
  // the learned classes track it from frame 6, 41 m out, where its partial box swaps between the
  // car and van size priors (3.0 m/s at birth, then near 0).
  EXPECT_LT(vehicle_tracks.mean_speed_mps.at(3), 0.55);
  const TrackingScore& cyclist_tracks = TrackingRow(evaluation, "Cyclist");
  ASSERT_EQ(cyclist_tracks.predicted_ids.size(), 1u);
  EXPECT_EQ(cyclist_tracks.predicted_ids.begin()->second.size(), 1u);  // one id all along
  EXPECT_EQ(cyclist_tracks.id_switches, 0);
  EXPECT_GE(cyclist_tracks.mota, 0.85);  // 1 miss; 5 false cyclist track-frames elsewhere
}

TEST(EvaluateBoxes, PinsTheNumbersOnKittiObjectFrames) {
  LONGTAIL_REQUIRE_DATA(dataset, "kitti-object/training");
  sensors::IssueLog issues;
  const BoxEvaluation evaluation = EvaluateBoxes(dataset, {}, {}, {}, {}, std::nullopt, issues);
  Print(evaluation);
  EXPECT_FALSE(evaluation.tracking_layout);
  EXPECT_EQ(evaluation.frames, 6);
  EXPECT_TRUE(evaluation.tracking.empty());
  const ClassScore& all = Row(evaluation, "All");
  EXPECT_EQ(all.num_truth, 4);
  EXPECT_GE(all.num_matched_truth, 3);
  EXPECT_EQ(Row(evaluation, "Pedestrian").num_matched_truth, 2);
}

// Another lidar and mounting (two stacked 32-beam sensors, points in a frame whose origin is the
// rear axle, road at z = -0.35 m) with Argoverse 2 category names, and no code change: the ground
// comes from the scan, the categories map to the scored groups. Measured: 14 vehicles, 7 found,
// precision 0.875 (the size rule with KITTI's 1.73 m prior: 6 found, precision 0.55).
TEST(EvaluateBoxes, FindsVehiclesInArgoverse2SweepsWithNoChange) {
  LONGTAIL_REQUIRE_DATA(dataset, "av2-sweeps/training");
  sensors::IssueLog issues;
  const BoxEvaluation evaluation = EvaluateBoxes(dataset, {}, {}, {}, {}, std::nullopt, issues);
  EXPECT_EQ(evaluation.frames, 3);
  const ClassScore& vehicles = Row(evaluation, "Vehicle");
  EXPECT_EQ(vehicles.num_truth, 14);
  EXPECT_GE(vehicles.num_matched_truth, 7);
  EXPECT_GE(vehicles.precision, 0.85);
  EXPECT_EQ(Row(evaluation, "Pedestrian").num_truth, 4);
}

// Argoverse 2 labels cover every direction: with all_around the objects behind and beside the car
// are scored too (KITTI-style scoring keeps to the camera image, a third of them). The size rule
// alone reaches AP40 0.28 and precision 0.42 here. The learned models of stop 27 (other seeds, 80
// trees, calibrations fitted with and without the low-vehicle rule) reach AP40 0.55-0.58 and report
// 30-37 boxes at precision 0.69-0.83: the scores are calibrated on the HDL-64, and which boxes
// pass the reporting threshold on this sensor moves with the calibration.
TEST(EvaluateBoxes, ScoresArgoverse2AllAroundWhenAsked) {
  LONGTAIL_REQUIRE_DATA(dataset, "av2-sweeps/training");
  pipeline::proto::BoxEvaluationOptions options;
  options.set_all_around(true);
  sensors::IssueLog issues;
  const BoxEvaluation evaluation =
      EvaluateBoxes(dataset, {}, {}, {}, options, std::nullopt, issues);
  const ClassScore& vehicles = Row(evaluation, "Vehicle");
  EXPECT_EQ(vehicles.num_truth, 44);
  EXPECT_GE(vehicles.num_matched_truth, 20);
  EXPECT_GE(vehicles.precision, 0.65);
  const GroupDetections& ranked = evaluation.detections.at(0);
  ASSERT_EQ(ranked.name, "Vehicle");
  EXPECT_GE(AveragePrecision40(ranked.loose, ranked.num_truth), 0.55);
  EXPECT_EQ(Row(evaluation, "Pedestrian").num_truth, 9);
}

// Whether `label` is a vehicle. A vehicle or pedestrian, reported or only a candidate, must have
// at least its class's typical footprint: a partly seen car or person is written as a label of
// its class would have it.
bool IsVehicleWithItsFootprint(const sensors::KittiLabel& label, const std::string& line) {
  const sensors::ObjectClass object_class =
      sensors::ParseObjectClass(label.type).value_or(sensors::ObjectClass::kUnknown);
  if (!sensors::IsVehicle(object_class) && object_class != sensors::ObjectClass::kPedestrian) {
    return false;
  }
  const pipeline::TypicalSize size = pipeline::TypicalSizeOf(object_class);
  EXPECT_GE(label.length, size.length - 0.01) << line;
  EXPECT_GE(label.width, size.width - 0.01) << line;
  return sensors::IsVehicle(object_class);
}

TEST(EvaluateBoxes, WritesKittiResultFilesThatParseBack) {
  LONGTAIL_REQUIRE_DATA(dataset, "kitti-object/training");
  const std::filesystem::path out = testing::ScratchDir() / "labels";
  sensors::IssueLog issues;
  EvaluateBoxes(dataset, {}, {}, {}, {}, out, issues);
  int files = 0, lines = 0, unsure = 0, unsure_vehicles = 0;
  const double min_confidence = pipeline::proto::ClassOptions().min_confidence();
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    ++files;
    EXPECT_EQ(entry.path().extension(), ".txt");
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      const auto label = sensors::ParseKittiLabel(line, false);
      ASSERT_TRUE(label) << label.error().message << ": " << line;
      ASSERT_TRUE(label->score.has_value());
      EXPECT_GE(*label->score, 0.05) << line;
      unsure += *label->score < min_confidence;
      ++lines;
      if (!IsVehicleWithItsFootprint(*label, line)) continue;
      unsure_vehicles += *label->score < min_confidence;
    }
  }
  EXPECT_EQ(files, 6);
  EXPECT_GT(lines, 0);
  // Objects the pipeline reports as unknown are written with their most likely class, so a scorer
  // that sweeps the score column sees the whole ranking.
  EXPECT_GT(unsure, 0);
  EXPECT_GT(unsure_vehicles, 0);
}

TEST(EvaluateBoxes, WritesEveryObjectOfATrackingSequenceFromItsFirstFrame) {
  LONGTAIL_REQUIRE_DATA(dataset, "kitti-tracking/training");
  const std::filesystem::path out = testing::ScratchDir() / "labels";
  sensors::IssueLog issues;
  const BoxEvaluation evaluation = EvaluateBoxes(dataset, {}, {}, {}, {}, out, issues);
  std::ifstream in(out / "0000.txt");
  ASSERT_TRUE(in) << "no result file for sequence 0000";
  std::set<int> frames, track_ids;
  int unsure = 0;
  const double min_confidence = pipeline::proto::ClassOptions().min_confidence();
  for (std::string line; std::getline(in, line);) {
    const auto label = sensors::ParseKittiLabel(line, true);
    ASSERT_TRUE(label) << label.error().message << ": " << line;
    ASSERT_TRUE(label->score.has_value());
    EXPECT_GE(label->track_id, 0) << line;
    frames.insert(label->frame);
    track_ids.insert(label->track_id);
    unsure += *label->score < min_confidence;
    // Also a vehicle track observed in a frame where its detection was no vehicle, and a person.
    IsVehicleWithItsFootprint(*label, line);
  }
  // Objects are there from their first observation (a confirmed-only tracker writes nothing for
  // frame 0), and candidates the pipeline reports as unknown are ranked too.
  EXPECT_EQ(frames.size(), 40u);
  EXPECT_EQ(*frames.begin(), 0);
  EXPECT_GT(unsure, 0);
  EXPECT_GT(track_ids.size(), 10u);
  // The curves score what the file holds. In-sample: the built-in model saw this sequence.
  const GroupDetections& vehicles = evaluation.detections.at(0);
  EXPECT_EQ(vehicles.name, "Vehicle");
  EXPECT_GE(BestPrecisionAtRecall(vehicles.loose, vehicles.num_truth, 0.85).precision, 0.95);
}

TEST(EvaluateBoxes, ReportsATruncatedScanAndGoesOn) {
  LONGTAIL_REQUIRE_DATA(source, "kitti-object/training");
  // A one-frame object layout in a scratch folder whose scan is cut mid-point.
  const std::filesystem::path root = testing::ScratchDir() / "training";
  for (const char* dir : {"velodyne", "calib", "label_2"}) {
    std::filesystem::create_directories(root / dir);
  }
  std::filesystem::copy_file(source / "calib/000000.txt", root / "calib/000000.txt");
  std::filesystem::copy_file(source / "label_2/000000.txt", root / "label_2/000000.txt");
  std::ofstream(root / "velodyne/000000.bin", std::ios::binary) << std::string(1000, '\0');
  sensors::IssueLog issues;
  const BoxEvaluation evaluation = EvaluateBoxes(root, {}, {}, {}, {}, std::nullopt, issues);
  EXPECT_EQ(evaluation.frames, 1);
  EXPECT_GE(issues.count(), 1u);
  EXPECT_EQ(evaluation.data_issues, issues.count());
}

TEST(EvaluateBoxes, RejectsAFolderThatIsNeitherLayout) {
  sensors::IssueLog issues;
  EXPECT_THROW(EvaluateBoxes(testing::ScratchDir(), {}, {}, {}, {}, std::nullopt, issues),
               sensors::LogError);
}

}  // namespace
}  // namespace longtail::evaluation
