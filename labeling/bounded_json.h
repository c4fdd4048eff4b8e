// JSON from outside the process (request bodies, imported files, queue rows another writer made)
// parsed with a nesting limit: a body of a million '[' must be a clear error, not a stack that
// overflows when the document is walked or destroyed.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

namespace longtail::labeling {

// Deeper than any document longtail reads or writes (OpenLABEL nests about 8 levels).
inline constexpr int kMaxJsonDepth = 64;

class JsonTooDeep : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// nlohmann::json::parse with a depth check. Throws nlohmann::json::parse_error for bad syntax and
// JsonTooDeep for nesting beyond `max_depth`.
nlohmann::json ParseBoundedJson(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace longtail::labeling
