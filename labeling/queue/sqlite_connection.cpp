// sql::Connection over one SQLite file: WAL, a busy timeout, prepared statements cached by text.
#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include "labeling/queue/sql_connection.h"

namespace longtail::labeling::sql {
namespace {

ErrorKind KindOf(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorKind::kBusy;
    case SQLITE_READONLY:
      return ErrorKind::kReadOnly;
    case SQLITE_CORRUPT:
      return ErrorKind::kCorrupt;
    case SQLITE_NOTADB:
      return ErrorKind::kNotADatabase;
    case SQLITE_CONSTRAINT:
      return ErrorKind::kConstraint;
    case SQLITE_CANTOPEN:
      return ErrorKind::kConnection;
    default:
      return ErrorKind::kOther;
  }
}

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const SqliteSettings& settings) : path_(settings.path) {
    const int flags =
        settings.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(KindOf(rc), path_ + ": cannot open: " + message);
    }
    sqlite3_extended_result_codes(db_, 0);
    sqlite3_busy_timeout(db_, settings.busy_timeout_ms);
    if (!settings.read_only && sqlite3_db_readonly(db_, "main") == 1) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(ErrorKind::kReadOnly, path_ + ": the file is read-only");
    }
  }

  ~SqliteConnection() override {
    for (auto& [text, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string Describe() const override { return path_; }

  std::vector<Row> Query(const std::string& sql, const std::vector<Value>& params) override {
    sqlite3_stmt* statement = Prepare(sql);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    for (std::size_t i = 0; i < params.size(); ++i)
      Bind(statement, static_cast<int>(i + 1), params[i]);
    std::vector<Row> rows;
    while (true) {
      const int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        const std::string message = sqlite3_errmsg(db_);
        sqlite3_reset(statement);
        throw Error(KindOf(rc), path_ + ": " + message);
      }
      const int columns = sqlite3_column_count(statement);
      std::vector<Value> cells;
      cells.reserve(columns);
      for (int c = 0; c < columns; ++c) cells.push_back(Cell(statement, c));
      rows.emplace_back(std::move(cells));
    }
    sqlite3_reset(statement);
    return rows;
  }

  void Script(const std::string& sql) override {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      throw Error(KindOf(rc), path_ + ": " + text);
    }
  }

  void BeginWrite() override { Script("BEGIN IMMEDIATE"); }
  void BeginRead() override { Script("BEGIN"); }
  void Commit() override { Script("COMMIT"); }
  void Rollback() noexcept override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  sqlite3_stmt* Prepare(const std::string& sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) {
      throw Error(KindOf(rc), path_ + ": " + sqlite3_errmsg(db_));
    }
    statements_.emplace(sql, statement);
    return statement;
  }

  void Bind(sqlite3_stmt* statement, int index, const Value& value) {
    if (std::holds_alternative<std::int64_t>(value)) {
      sqlite3_bind_int64(statement, index, std::get<std::int64_t>(value));
    } else if (std::holds_alternative<double>(value)) {
      sqlite3_bind_double(statement, index, std::get<double>(value));
    } else if (std::holds_alternative<std::string>(value)) {
      const std::string& text = std::get<std::string>(value);
      sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(statement, index);
    }
  }

  static Value Cell(sqlite3_stmt* statement, int column) {
    switch (sqlite3_column_type(statement, column)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(statement, column));
      case SQLITE_FLOAT:
        return sqlite3_column_double(statement, column);
      case SQLITE_NULL:
        return std::monostate{};
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
        return std::string(text, sqlite3_column_bytes(statement, column));
      }
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

std::unique_ptr<Connection> OpenSqlite(const SqliteSettings& settings) {
  return std::make_unique<SqliteConnection>(settings);
}

}  // namespace longtail::labeling::sql
