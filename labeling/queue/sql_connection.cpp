// Cell conversions shared by both backends: SQLite hands typed cells, PostgreSQL text.
#include "labeling/queue/sql_connection.h"

#include <charconv>

namespace longtail::labeling::sql {

std::int64_t Row::Int(std::size_t i) const {
  const Value& cell = cells_.at(i);
  if (const auto* v = std::get_if<std::int64_t>(&cell)) return *v;
  if (const auto* v = std::get_if<double>(&cell)) return static_cast<std::int64_t>(*v);
  if (const auto* v = std::get_if<std::string>(&cell)) {
    std::int64_t out = 0;
    const auto result = std::from_chars(v->data(), v->data() + v->size(), out);
    if (result.ec != std::errc()) throw Error(ErrorKind::kCorrupt, "not an integer: '" + *v + "'");
    return out;
  }
  return 0;
}

double Row::Double(std::size_t i) const {
  const Value& cell = cells_.at(i);
  if (const auto* v = std::get_if<double>(&cell)) return *v;
  if (const auto* v = std::get_if<std::int64_t>(&cell)) return static_cast<double>(*v);
  if (const auto* v = std::get_if<std::string>(&cell)) {
    double out = 0;
    const auto result = std::from_chars(v->data(), v->data() + v->size(), out);
    if (result.ec != std::errc()) throw Error(ErrorKind::kCorrupt, "not a number: '" + *v + "'");
    return out;
  }
  return 0;
}

std::string Row::Text(std::size_t i) const {
  const Value& cell = cells_.at(i);
  if (const auto* v = std::get_if<std::string>(&cell)) return *v;
  if (const auto* v = std::get_if<std::int64_t>(&cell)) return std::to_string(*v);
  if (const auto* v = std::get_if<double>(&cell)) return std::to_string(*v);
  return "";
}

}  // namespace longtail::labeling::sql
