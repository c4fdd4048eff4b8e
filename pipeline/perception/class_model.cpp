#include "pipeline/perception/class_model.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>
#include <sstream>
#include <stdexcept>

namespace longtail::pipeline {

// Generated at build time from pipeline/perception/models/class_model.yml (see CMakeLists.txt).
extern const char kBuiltinClassModel[];
extern const std::size_t kBuiltinClassModelSize;

namespace {

std::string Fnv1aHex(const std::string& bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001b3ULL;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

// The bytes themselves, or their inflation when they are gzip (magic 1f 8b).
std::string Gunzip(const std::string& bytes) {
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f ||
      static_cast<unsigned char>(bytes[1]) != 0x8b) {
    return bytes;
  }
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib init");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buffer[1 << 16];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("class model: corrupt gzip data");
  return out;
}

cv::Mat ToMat(const std::vector<ClusterFeatures>& features) {
  cv::Mat rows(static_cast<int>(features.size()), kNumClusterFeatures, CV_32F);
  for (std::size_t r = 0; r < features.size(); ++r) {
    std::copy(features[r].values.begin(), features[r].values.end(), rows.ptr<float>(int(r)));
  }
  return rows;
}

}  // namespace

const char* ToString(ModelClass c) {
  switch (c) {
    case ModelClass::kVehicle:
      return "vehicle";
    case ModelClass::kPedestrian:
      return "pedestrian";
    case ModelClass::kCyclist:
      return "cyclist";
    default:
      return "background";
  }
}

double ScoreCalibration::Apply(double vote_fraction) const {
  if (votes.empty()) return vote_fraction;
  if (vote_fraction <= votes.front()) return probability.front();
  if (vote_fraction >= votes.back()) return probability.back();
  const auto upper = std::upper_bound(votes.begin(), votes.end(), vote_fraction);
  const std::size_t k = static_cast<std::size_t>(upper - votes.begin());
  const double t = (vote_fraction - votes[k - 1]) / std::max(1e-12, votes[k] - votes[k - 1]);
  return probability[k - 1] + t * (probability[k] - probability[k - 1]);
}

// The trained trees copied into one compact array for prediction: per cluster OpenCV's getVotes
// allocates and dispatches per sample, which cost ~2 ms a scan. Here a node is 12 bytes, the two
// children of a split sit side by side, and a leaf is its own child through a split that always
// goes left (on a feature slot that is always 0), so every walk takes the tree's depth in steps
// with no branch to mispredict, and several clusters walk one tree at once.
// The walk is OpenCV's own rule (DTreesImpl::predictTrees for ordered variables): go left when
// value <= threshold, the other way when the split is inversed; a leaf votes for its class index.
constexpr int kZeroFeature = kNumClusterFeatures;  // the always-0 slot leaves "split" on
using PaddedFeatures = std::array<float, kNumClusterFeatures + 1>;

struct FlatNode {
  float threshold = std::numeric_limits<float>::infinity();  // left when value <= threshold
  std::int16_t feature = kZeroFeature;
  std::uint16_t class_index = 0;  // leaves: the column of getVotes this tree votes for
  std::int32_t first_child = 0;   // the "<= threshold" child; the other one follows it
  bool leaf() const { return feature == kZeroFeature; }
};

struct FlatTree {
  int root = 0;   // index of the root in the node array
  int depth = 0;  // steps from the root to the deepest leaf
};

// Copies the tree under OpenCV node `root` into `flat` breadth first, children side by side.
FlatTree FlattenTree(const cv::ml::RTrees& forest, int root, std::vector<FlatNode>* flat) {
  const std::vector<cv::ml::DTrees::Node>& nodes = forest.getNodes();
  const std::vector<cv::ml::DTrees::Split>& splits = forest.getSplits();
  std::vector<int> source = {root};  // OpenCV node of each flat node of this tree, in order
  std::vector<int> level = {0};
  const int base = static_cast<int>(flat->size());
  FlatTree tree{base, 0};
  flat->emplace_back();
  for (std::size_t k = 0; k < source.size(); ++k) {
    const cv::ml::DTrees::Node& node = nodes[source[k]];
    FlatNode& out = (*flat)[base + k];
    out.class_index = static_cast<std::uint16_t>(node.classIdx);
    out.first_child = base + static_cast<int>(k);  // a leaf: itself
    tree.depth = std::max(tree.depth, level[k]);
    if (node.split < 0) continue;
    const cv::ml::DTrees::Split& split = splits[node.split];
    // Every feature is an ordered float (TrainData from a CV_32F matrix): no categorical splits.
    out.feature = static_cast<std::int16_t>(split.varIdx);
    out.threshold = split.c;
    out.first_child = base + static_cast<int>(source.size());
    source.push_back(split.inversed ? node.right : node.left);
    source.push_back(split.inversed ? node.left : node.right);
    level.insert(level.end(), 2, level[k] + 1);
    flat->resize(base + source.size());
  }
  return tree;
}

std::vector<FlatNode> Flatten(const cv::ml::RTrees& forest, std::vector<FlatTree>* trees) {
  std::vector<FlatNode> flat;
  trees->clear();
  for (int root : forest.getRoots()) trees->push_back(FlattenTree(forest, root, &flat));
  return flat;
}

struct ClassModel::Impl {
  cv::Ptr<cv::ml::RTrees> forest;
  std::vector<FlatNode> nodes;
  std::vector<FlatTree> trees;
  int num_columns = 0;               // trained classes
  std::vector<int> column_of_class;  // getVotes column per ModelClass, -1 when never trained
  ScoreCalibration calibration;
  std::string hash;
};

std::string Gzip(const std::string& text) {
  z_stream stream{};
  // Window 15 + 16: a gzip wrapper; deflateSetHeader is not called, so the header's time is 0.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib init");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("gzip failed");
  return out;
}

ClassModel ClassModel::FromText(const std::string& bytes) {
  const std::string text = Gunzip(bytes);
  cv::FileStorage storage(text, cv::FileStorage::READ | cv::FileStorage::MEMORY);
  if (!storage.isOpened()) throw std::runtime_error("class model: not an OpenCV YAML file");
  std::vector<std::string> names;
  storage["feature_names"] >> names;
  if (names.size() != kFeatureNames.size() ||
      !std::equal(names.begin(), names.end(), kFeatureNames.begin())) {
    throw std::runtime_error(
        "class model: trained on another feature list; retrain with longtail train-classifier");
  }
  auto impl = std::make_shared<Impl>();
  impl->forest = cv::ml::RTrees::create();
  impl->forest->read(storage["forest"]);
  if (!impl->forest->isTrained()) throw std::runtime_error("class model: no trained forest");
  impl->nodes = Flatten(*impl->forest, &impl->trees);
  storage["calibration_votes"] >> impl->calibration.votes;
  storage["calibration_probability"] >> impl->calibration.probability;
  if (impl->calibration.votes.size() != impl->calibration.probability.size()) {
    throw std::runtime_error("class model: calibration knots and values differ in number");
  }
  // getVotes' columns are the trained class labels in ascending order.
  std::vector<int> labels;
  storage["class_labels"] >> labels;
  impl->column_of_class.assign(kNumModelClasses, -1);
  for (std::size_t k = 0; k < labels.size(); ++k) {
    if (labels[k] >= 0 && labels[k] < kNumModelClasses) impl->column_of_class[labels[k]] = int(k);
  }
  impl->num_columns = static_cast<int>(labels.size());
  for (const FlatNode& node : impl->nodes) {
    if (node.feature < 0 || node.feature > kZeroFeature ||
        (node.leaf() && node.class_index >= impl->num_columns)) {
      throw std::runtime_error("class model: a node refers to an unknown feature or class");
    }
  }
  impl->hash = Fnv1aHex(text);  // of the YAML: the same model whether gzipped or not
  ClassModel model;
  model.impl_ = std::move(impl);
  return model;
}

const ClassModel& ClassModel::Builtin() {
  static const ClassModel model = [] {
    if (kBuiltinClassModelSize == 0) return ClassModel();
    return FromText(std::string(kBuiltinClassModel, kBuiltinClassModelSize));
  }();
  return model;
}

const ClassModel& ClassModel::ForOptions(const proto::ClassOptions& options) {
  if (!options.learned()) {
    static const ClassModel none;
    return none;
  }
  if (options.model_file().empty()) return Builtin();
  static std::mutex mutex;
  static std::map<std::string, ClassModel> cache;  // models are never unloaded: few per process
  const std::lock_guard lock(mutex);
  auto it = cache.find(options.model_file());
  if (it == cache.end()) {
    std::ifstream in(options.model_file(), std::ios::binary);
    if (!in) throw std::runtime_error("class model: cannot read " + options.model_file());
    std::ostringstream text;
    text << in.rdbuf();
    it = cache.emplace(options.model_file(), FromText(text.str())).first;
  }
  return it->second;
}

const std::string& ClassModel::hash() const {
  static const std::string none = "none";
  return impl_ ? impl_->hash : none;
}

std::vector<ClassProbabilities> ClassModel::Votes(
    const std::vector<ClusterFeatures>& features) const {
  // Clusters walk each tree kLanes at a time: their loads overlap instead of waiting in turn.
  constexpr std::size_t kLanes = 8;
  const std::size_t rows = features.size();
  const std::size_t padded_rows = (rows + kLanes - 1) / kLanes * kLanes;
  std::vector<PaddedFeatures> x(padded_rows, PaddedFeatures{});
  for (std::size_t r = 0; r < rows; ++r) {
    std::copy(features[r].values.begin(), features[r].values.end(), x[r].begin());
  }
  std::vector<std::array<int, kNumModelClasses>> votes(padded_rows);
  const FlatNode* nodes = impl_->nodes.data();
  for (const FlatTree& tree : impl_->trees) {
    for (std::size_t first = 0; first < padded_rows; first += kLanes) {
      std::array<int, kLanes> at;
      at.fill(tree.root);
      for (int step = 0; step < tree.depth; ++step) {
        for (std::size_t lane = 0; lane < kLanes; ++lane) {
          const FlatNode& node = nodes[at[lane]];
          at[lane] = node.first_child + !(x[first + lane][node.feature] <= node.threshold);
        }
      }
      for (std::size_t lane = 0; lane < kLanes; ++lane) {
        ++votes[first + lane][nodes[at[lane]].class_index];
      }
    }
  }
  std::vector<ClassProbabilities> out(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    for (int c = 0; c < kNumModelClasses; ++c) {
      const int column = impl_->column_of_class[c];
      out[r].p[c] = column >= 0 ? double(votes[r][column]) / impl_->trees.size() : 0;
    }
  }
  return out;
}

std::vector<ClassProbabilities> ClassModel::OpenCvVotes(
    const std::vector<ClusterFeatures>& features) const {
  std::vector<ClassProbabilities> out(features.size());
  if (features.empty()) return out;
  cv::Mat votes;
  impl_->forest->getVotes(ToMat(features), votes, 0);
  for (std::size_t r = 0; r < features.size(); ++r) {
    const int* row = votes.ptr<int>(int(r) + 1);  // row 0 holds the class labels
    double total = 0;
    for (int k = 0; k < votes.cols; ++k) total += row[k];
    for (int c = 0; c < kNumModelClasses; ++c) {
      const int column = impl_->column_of_class[c];
      out[r].p[c] = column >= 0 && total > 0 ? row[column] / total : 0;
    }
  }
  return out;
}

std::vector<ClassProbabilities> ClassModel::Predict(
    const std::vector<ClusterFeatures>& features) const {
  std::vector<ClassProbabilities> out = Votes(features);
  for (ClassProbabilities& row : out) {
    for (double& p : row.p) p = impl_->calibration.Apply(p);
  }
  return out;
}

std::string TrainClassModel(const std::vector<TrainingSample>& samples,
                            const ForestOptions& options, const ScoreCalibration& calibration) {
  if (samples.empty()) throw std::runtime_error("train class model: no samples");
  std::vector<ClusterFeatures> features;
  cv::Mat responses(static_cast<int>(samples.size()), 1, CV_32S);
  std::array<int, kNumModelClasses> counts{};
  for (std::size_t i = 0; i < samples.size(); ++i) {
    features.push_back(samples[i].features);
    responses.at<int>(int(i)) = static_cast<int>(samples[i].label);
    ++counts[static_cast<int>(samples[i].label)];
  }
  std::vector<int> labels;
  for (int c = 0; c < kNumModelClasses; ++c) {
    if (counts[c] > 0) labels.push_back(c);
  }
  cv::Ptr<cv::ml::RTrees> forest = cv::ml::RTrees::create();
  forest->setMaxDepth(options.max_depth);
  forest->setMinSampleCount(options.min_sample_count);
  forest->setActiveVarCount(0);  // sqrt of the feature count per split
  forest->setCalculateVarImportance(false);
  forest->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, options.num_trees, 0));
  if (options.balance_classes) {
    // Priors over the trained labels: rare classes weigh as much as the common clutter.
    cv::Mat priors(1, static_cast<int>(labels.size()), CV_32F);
    for (std::size_t k = 0; k < labels.size(); ++k) {
      priors.at<float>(int(k)) =
          static_cast<float>(std::sqrt(double(samples.size()) / counts[labels[k]]));
    }
    forest->setPriors(priors);
  }
  cv::theRNG().state = options.seed;
  forest->train(cv::ml::TrainData::create(ToMat(features), cv::ml::ROW_SAMPLE, responses));

  cv::FileStorage storage(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
  std::vector<std::string> names(kFeatureNames.begin(), kFeatureNames.end());
  storage << "feature_names" << names;
  storage << "class_labels" << labels;
  storage << "calibration_votes" << calibration.votes;
  storage << "calibration_probability" << calibration.probability;
  storage << "forest"
          << "{";
  forest->write(storage);
  storage << "}";
  return storage.releaseAndGetString();
}

ScoreCalibration FitCalibration(const std::vector<double>& votes,
                                const std::vector<bool>& correct) {
  std::vector<std::size_t> order(votes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return votes[a] < votes[b]; });
  // Pool adjacent violators: blocks of (sum of outcomes, weight, mean vote), kept non-decreasing.
  struct Block {
    double sum, weight, vote_sum;
  };
  std::vector<Block> blocks;
  for (std::size_t i : order) {
    blocks.push_back({correct[i] ? 1.0 : 0.0, 1.0, votes[i]});
    while (blocks.size() > 1 && blocks[blocks.size() - 2].sum / blocks[blocks.size() - 2].weight >=
                                    blocks.back().sum / blocks.back().weight) {
      const Block last = blocks.back();
      blocks.pop_back();
      blocks.back().sum += last.sum, blocks.back().weight += last.weight;
      blocks.back().vote_sum += last.vote_sum;
    }
  }
  ScoreCalibration calibration;
  for (const Block& b : blocks) {
    const double vote = b.vote_sum / b.weight;
    if (!calibration.votes.empty() && vote <= calibration.votes.back()) continue;
    calibration.votes.push_back(vote);
    calibration.probability.push_back(b.sum / b.weight);
  }
  return calibration;
}

bool TooLowForAVehicle(const ClusterFeatures& features, const proto::ClassOptions& options) {
  return features.values[kHeightFeature] < options.min_vehicle_height_m() &&
         features.values[kRangeFeature] < options.roof_seen_within_m();
}

}  // namespace longtail::pipeline
