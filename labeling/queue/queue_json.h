// Internal to labeling/queue: the JSON columns of the queue (events, boxes, frames, disagreements).
// Doubles keep every bit (nlohmann writes the shortest round-trip form); non-finite values are
// null.
#pragma once

#include <string>
#include <vector>

#include "labeling/queue/queue_types.h"

namespace longtail::labeling::json {

std::string EventsToJson(const std::vector<pipeline::Event>& events);
std::vector<pipeline::Event> EventsFromJson(const std::string& text);

std::string BoxesToJson(const std::vector<sensors::LabeledBox>& boxes);
std::vector<sensors::LabeledBox> BoxesFromJson(const std::string& text);

std::string FramesToJson(const std::vector<FramePrelabels>& frames);
std::vector<FramePrelabels> FramesFromJson(const std::string& text);

std::string DisagreementsToJson(const std::vector<Disagreement>& disagreements);
std::vector<Disagreement> DisagreementsFromJson(const std::string& text);

// {"key": "value", ...} for audit details.
std::string Object(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace longtail::labeling::json
