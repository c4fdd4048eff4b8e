#include "sensors/rosbag2/rosbag2_db3.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace longtail::sensors {
namespace {

namespace fs = std::filesystem;
using ros::RosConnection;
using ros::RosLogContents;
using ros::RosMessage;
using ros::RosMessageSource;

bool IsSqliteFile(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[16] = {};
  in.read(magic, 16);
  return in.gcount() == 16 && std::memcmp(magic, "SQLite format 3", 16) == 0;
}

// The .db3 files of a bag: the file itself, or a folder's *.db3 in name order.
std::vector<fs::path> Db3Files(const fs::path& path) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) return {path};
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(path, error)) {
    if (entry.path().extension() == ".db3" && IsSqliteFile(entry.path())) files.push_back(entry);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A read-only connection; closes itself.
class Database {
 public:
  explicit Database(const fs::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      const std::string error = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw LogError(path.string(), "cannot open as SQLite: " + error);
    }
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  sqlite3* get() const { return db_; }
  bool HasTable(const std::string& name) const {
    sqlite3_stmt* stmt = nullptr;
    bool found = false;
    if (sqlite3_prepare_v2(db_, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1,
                           &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(stmt, 1, name.c_str(), -1, SQLITE_TRANSIENT);
      found = sqlite3_step(stmt) == SQLITE_ROW;
    }
    sqlite3_finalize(stmt);
    return found;
  }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(const Database& db, const std::string& sql) {
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      error_ = sqlite3_errmsg(db.get());
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  const std::string& error() const { return error_; }
  // SQLITE_ROW, SQLITE_DONE or an error code (then error() says why).
  int Step(sqlite3* db) {
    if (!stmt_) return SQLITE_ERROR;
    const int rc = sqlite3_step(stmt_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) error_ = sqlite3_errmsg(db);
    return rc;
  }
  sqlite3_stmt* get() const { return stmt_; }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? reinterpret_cast<const char*>(text) : "";
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string error_;
};

struct Topics {
  std::vector<RosConnection> list;
  // (file index, topic id) -> connection index; split bags repeat the topics in every file.
  std::map<std::pair<std::size_t, std::int64_t>, std::size_t> index_of;
};

// Messages of every file in turn, each in timestamp order.
class Db3Source final : public RosMessageSource {
 public:
  Db3Source(std::vector<fs::path> files, IssueLog& issues, std::shared_ptr<const Topics> topics,
            std::set<std::size_t> wanted)
      : files_(std::move(files)),
        issues_(&issues),
        topics_(std::move(topics)),
        wanted_(std::move(wanted)) {}

  std::optional<RosMessage> Next() override {
    while (true) {
      if (!statement_) {
        if (file_ >= files_.size()) return std::nullopt;
        db_ = std::make_unique<Database>(files_[file_]);
        statement_ = std::make_unique<Statement>(
            *db_, "SELECT topic_id, timestamp, data, id FROM messages ORDER BY timestamp, id");
      }
      const int rc = statement_->Step(db_->get());
      if (rc == SQLITE_ROW) {
        sqlite3_stmt* s = statement_->get();
        auto index = topics_->index_of.find({file_, sqlite3_column_int64(s, 0)});
        if (index == topics_->index_of.end()) continue;
        if (!wanted_.empty() && !wanted_.count(index->second)) continue;
        const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, 2));
        const int size = sqlite3_column_bytes(s, 2);
        RosMessage message;
        message.connection = index->second;
        message.log_time_ns = sqlite3_column_int64(s, 1);
        if (blob) message.data.assign(blob, blob + size);
        last_row_ = sqlite3_column_int64(s, 3);
        return message;
      }
      if (rc != SQLITE_DONE) {
        issues_->Report({files_[file_].string(), 0, 0,
                         "SQLite stops after messages row " + std::to_string(last_row_) + ": " +
                             statement_->error() + "; the rest of this file is skipped"});
      }
      statement_.reset();
      db_.reset();
      ++file_;
      last_row_ = 0;
    }
  }

 private:
  std::vector<fs::path> files_;
  IssueLog* issues_;
  std::shared_ptr<const Topics> topics_;
  std::set<std::size_t> wanted_;
  std::size_t file_ = 0;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Statement> statement_;
  std::int64_t last_row_ = 0;
};

}  // namespace

bool LooksLikeRosbag2Db3(const std::string& path) {
  const std::vector<fs::path> files = Db3Files(path);
  if (files.empty() || !IsSqliteFile(files.front())) return false;
  // A damaged bag is still a bag: the SQLite magic and the .db3 name are enough to claim it, so
  // that opening it can say what is wrong instead of "unknown format".
  if (files.front().extension() == ".db3") return true;
  try {
    Database db(files.front());
    return db.HasTable("topics") && db.HasTable("messages");
  } catch (const LogError&) {
    return false;
  }
}

std::unique_ptr<LogReader> OpenRosbag2Db3(const std::string& path, IssueLog& issues,
                                          const ros::RosLogOptions& options) {
  if (!LooksLikeRosbag2Db3(path)) throw LogError(path, "not a rosbag2 SQLite bag");
  const std::vector<fs::path> files = Db3Files(path);
  RosLogContents contents;
  contents.info.path = path;
  contents.info.format = "rosbag2-db3";
  contents.info.log_id = fs::path(path).filename().string();
  if (contents.info.log_id.empty()) {
    contents.info.log_id = fs::path(path).parent_path().filename().string();
  }
  auto topics = std::make_shared<Topics>();
  std::map<std::pair<std::string, std::string>, std::size_t> by_name;  // (topic, type)
  std::vector<std::vector<std::int64_t>> times;
  for (std::size_t f = 0; f < files.size(); ++f) {
    Database db(files[f]);
    if (!db.HasTable("topics") || !db.HasTable("messages")) {
      throw LogError(files[f].string(),
                     "no rosbag2 topics and messages tables (damaged, or not a rosbag2 bag): " +
                         std::string(sqlite3_errmsg(db.get())));
    }
    std::map<std::string, std::string> definitions;  // type -> ros2msg text
    if (db.HasTable("message_definitions")) {
      Statement s(db,
                  "SELECT topic_type, encoding, encoded_message_definition "
                  "FROM message_definitions");
      while (s.Step(db.get()) == SQLITE_ROW) {
        if (s.Text(1) == "ros2msg") definitions[s.Text(0)] = s.Text(2);
      }
    }
    if (Statement s(db, "SELECT schema_version, ros_distro FROM schema");
        f == 0 && db.HasTable("schema") && s.Step(db.get()) == SQLITE_ROW) {
      contents.info.notes.push_back("rosbag2 schema version " + s.Text(0) + ", ROS " + s.Text(1));
    }
    Statement s(db, "SELECT id, name, type, serialization_format FROM topics");
    while (s.Step(db.get()) == SQLITE_ROW) {
      const std::string name = s.Text(1), type = s.Text(2), format = s.Text(3);
      auto [it, added] = by_name.try_emplace({name, type}, topics->list.size());
      if (added) {
        RosConnection c;
        c.topic = name;
        c.type = type;
        c.encoding = ros::Encoding::kCdr;
        if (auto d = definitions.find(type); d != definitions.end()) c.definition = d->second;
        if (format != "cdr") {
          contents.info.notes.push_back("topic " + name + ": serialization '" + format +
                                        "' is not CDR, skipped");
          c.type = format + ":" + type;
        }
        topics->list.push_back(std::move(c));
        times.emplace_back();
      }
      topics->index_of[{f, sqlite3_column_int64(s.get(), 0)}] = it->second;
    }
    if (!s.error().empty()) {
      throw LogError(files[f].string(), "cannot read the topics table: " + s.error());
    }
    Statement m(db, "SELECT topic_id, timestamp FROM messages");
    int rc;
    while ((rc = m.Step(db.get())) == SQLITE_ROW) {
      auto index = topics->index_of.find({f, sqlite3_column_int64(m.get(), 0)});
      if (index != topics->index_of.end()) {
        times[index->second].push_back(sqlite3_column_int64(m.get(), 1));
      }
    }
    if (rc != SQLITE_DONE) {
      issues.Report({files[f].string(), 0, 0, "SQLite cannot read every message: " + m.error()});
    }
  }
  contents.info.notes.push_back(std::to_string(files.size()) + " .db3 file" +
                                (files.size() == 1 ? "" : "s"));
  contents.connections = topics->list;
  contents.log_times = std::move(times);
  contents.open_messages = [files, topics](const std::set<std::size_t>& wanted, IssueLog& log) {
    return std::make_unique<Db3Source>(files, log, topics, wanted);
  };
  return ros::MakeRosLogReader(std::move(contents), issues, options);
}

LogFormat Rosbag2Db3LogFormat() {
  return LogFormat{
      "rosbag2-db3", LooksLikeRosbag2Db3,
      [](const std::string& path, IssueLog& issues) { return OpenRosbag2Db3(path, issues); },
      [](const std::string& path, IssueLog& issues, const LogOpenOptions& options) {
        return OpenRosbag2Db3(path, issues, ros::RosOptionsFrom(options));
      }};
}

}  // namespace longtail::sensors
