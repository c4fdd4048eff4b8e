#include "tests/labeling/queue/queue_test_util.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>

#include "tests/test_support.h"

namespace longtail::labeling::testing {

std::optional<std::string> PostgresUrl() {
  const char* url = std::getenv("LONGTAIL_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string FreshQueueUrl(const std::string& backend) {
  if (backend == "sqlite") return (longtail::testing::ScratchDir() / "queue.db").string();
  const auto base = PostgresUrl();
  if (!base) return "";
  // One schema per test keeps tests independent without the cost of CREATE DATABASE.
  static std::atomic<int> counter{0};
  const std::string schema =
      "lt_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  pqxx::connection connection(*base);
  pqxx::nontransaction session(connection);
  session.exec("SET client_min_messages = warning");
  session.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  session.exec("CREATE SCHEMA " + schema);
  const char separator = base->find('?') == std::string::npos ? '?' : '&';
  return *base + separator + "options=-csearch_path%3D" + schema;
}

std::string ReadOnlyRoleUrl(const std::string& url) {
  const auto schema_at = url.find("search_path%3D");
  const std::string schema = url.substr(schema_at + 14);
  const std::string role = "reader_" + schema;
  pqxx::connection connection(url);
  pqxx::nontransaction session(connection);
  session.exec("SET client_min_messages = warning");
  session.exec("DROP ROLE IF EXISTS " + role);
  session.exec("CREATE ROLE " + role + " LOGIN");
  session.exec("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
  session.exec("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
  // postgresql://USER@host... -> postgresql://ROLE@host...
  const auto user_begin = url.find("://") + 3;
  const auto user_end = url.find('@', user_begin);
  return url.substr(0, user_begin) + role + url.substr(user_end);
}

sensors::LabeledBox Car(double x, double y, int track_id) {
  sensors::LabeledBox box;
  box.box.center = {x, y, 0.8};
  box.box.length = 4.5;
  box.box.width = 1.9;
  box.box.height = 1.6;
  box.box.yaw = 0.1;
  box.object_class = sensors::ObjectClass::kCar;
  box.track_id = track_id;
  box.score = 0.875;
  return box;
}

TaskDraft Draft(const std::string& log_id, std::int64_t first, std::int64_t last, double severity,
                const std::vector<sensors::LabeledBox>& boxes, const std::string& options_hash) {
  TaskDraft d;
  d.log_id = log_id;
  d.log_path = "/data/" + log_id;
  d.log_format = "kitti-raw";
  d.detectors = "ego_corridor";
  d.options_hash = options_hash;
  d.first_frame = first;
  d.last_frame = last;
  d.start = sensors::FromNanos(1'000'000'000 + first * 100'000'000);
  d.end = sensors::FromNanos(1'000'000'000 + last * 100'000'000);
  d.severity = severity;
  pipeline::Event e;
  e.detector = "ego_corridor";
  e.type = "object_in_corridor";
  e.severity = severity;
  e.first_frame = first;
  e.last_frame = last;
  e.start = d.start;
  e.end = d.end;
  e.track_ids = {1};
  e.reason = "car #1 in the ego corridor 12.4 m ahead";
  e.values = {{"distance_m", 12.4}, {"ttc_s", 1.0 / 3.0}};
  d.events.push_back(e);
  for (std::int64_t f = first; f <= last; ++f) {
    d.frames.push_back({f, sensors::FromNanos(1'000'000'000 + f * 100'000'000), boxes});
  }
  return d;
}

}  // namespace longtail::labeling::testing
