#include "sensors/issues_json.h"

#include <nlohmann/json.hpp>

namespace longtail::sensors {

void to_json(nlohmann::json& j, const DataIssue& issue) {
  j = nlohmann::json{{"file", issue.file},
                     {"offset", issue.offset},
                     {"bytes", issue.bytes},
                     {"reason", issue.reason}};
}

void from_json(const nlohmann::json& j, DataIssue& issue) {
  issue.file = j.at("file").get<std::string>();
  issue.offset = j.value("offset", std::uint64_t{0});
  issue.bytes = j.value("bytes", std::uint64_t{0});
  issue.reason = j.at("reason").get<std::string>();
}

}  // namespace longtail::sensors
