// The queue's JSON: its columns (events, boxes, frames, disagreements) and its counts.
// Doubles keep every bit (nlohmann writes the shortest round-trip form); non-finite values are
// null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "labeling/queue/queue_types.h"

namespace longtail::labeling::json {

// The events column: a JSON array of pipeline::Event in its one form (pipeline/event_json.h).
std::string EventsToJson(const std::vector<pipeline::Event>& events);
std::vector<pipeline::Event> EventsFromJson(const std::string& text);

std::string BoxesToJson(const std::vector<sensors::LabeledBox>& boxes);
std::vector<sensors::LabeledBox> BoxesFromJson(const std::string& text);

std::string FramesToJson(const std::vector<FramePrelabels>& frames);
std::vector<FramePrelabels> FramesFromJson(const std::string& text);

std::string DisagreementsToJson(const std::vector<Disagreement>& disagreements);
std::vector<Disagreement> DisagreementsFromJson(const std::string& text);

// Every count of QueueStats by name (`longtail queue stats --json`, the review page's /api/stats).
nlohmann::json StatsToJson(const QueueStats& stats);

// {"key": "value", ...} for audit details.
std::string Object(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace longtail::labeling::json
