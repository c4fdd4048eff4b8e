#include "labeling/bounded_json.h"

#include <string>

namespace longtail::labeling {

nlohmann::json ParseBoundedJson(std::string_view text, int max_depth) {
  using nlohmann::json;
  // The callback sees every value as it is opened, with its depth, before anything deeper is
  // parsed: the parse stops at the first level past the limit.
  const json::parser_callback_t check = [max_depth](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= max_depth) {
      throw JsonTooDeep("JSON nested deeper than " + std::to_string(max_depth) + " levels");
    }
    return true;
  };
  return json::parse(text.begin(), text.end(), check);
}

}  // namespace longtail::labeling
