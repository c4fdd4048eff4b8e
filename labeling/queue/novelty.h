// How unlike a task is to the tasks people already accepted: the claim order NOVELTY weighs
// severity by it, so a queue of a thousand similar cut-ins does not hide the one odd object.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "labeling/queue/queue_types.h"
#include "pipeline/types.h"

namespace longtail::labeling {

// What makes one episode like another: its type, the classes of its actors (from the pre-labels at
// its peak frame) and, when the detector gave them, a speed and a distance.
struct EpisodeFeatures {
  std::string type;
  std::set<std::string> classes;
  std::optional<double> speed_mps;   // the first "*speed_mps" number the episode carries
  std::optional<double> distance_m;  // the first "*distance_m" number
};

std::vector<EpisodeFeatures> FeaturesOf(const std::vector<pipeline::Event>& events,
                                        const std::vector<FramePrelabels>& frames);
std::string FeaturesToJson(const std::vector<EpisodeFeatures>& features);
std::vector<EpisodeFeatures> FeaturesFromJson(const std::string& text);

// Similarity of two episodes in [0, 1]: same type 0.4, class overlap (Jaccard) 0.3, speeds within
// a few m/s 0.15, distances within ~10 m 0.15.
double Similarity(const EpisodeFeatures& a, const EpisodeFeatures& b);

// 1 minus the highest similarity of any of the task's episodes' best match among the accepted
// episodes, maximised over the task's episodes: 1 when nothing is accepted yet, for a task without
// features (queued before schema 4) or with an episode unlike all of them; 0 for an exact repeat.
double Novelty(const std::vector<EpisodeFeatures>& task,
               const std::vector<EpisodeFeatures>& accepted);

// The claim priority under NOVELTY: severity * (0.1 + 0.9 * novelty), so repeats still order by
// severity among themselves but come after anything new of similar severity.
double NoveltyPriority(double severity, double novelty);

}  // namespace longtail::labeling
