// Internal to labeling/queue: the little of SQL the queue needs, behind one interface so that the
// SQLite and PostgreSQL backends share every query and therefore behave identically.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace longtail::labeling::sql {

enum class Dialect { kSqlite, kPostgres };

// A parameter or a cell. Text cells from PostgreSQL are converted on access.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}
  bool IsNull(std::size_t i) const { return std::holds_alternative<std::monostate>(cells_.at(i)); }
  std::int64_t Int(std::size_t i) const;
  double Double(std::size_t i) const;
  std::string Text(std::size_t i) const;  // "" for NULL
  std::size_t size() const { return cells_.size(); }

 private:
  std::vector<Value> cells_;
};

enum class ErrorKind {
  kBusy,      // another process holds the lock longer than the busy timeout
  kRetry,     // deadlock or serialization failure: the transaction may simply be run again
  kReadOnly,  // the file or server refuses writes
  kCorrupt,   // malformed database file
  kNotADatabase,
  kConnection,  // cannot reach or lost the server
  kConstraint,
  kOther,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // One statement with `?` placeholders (rewritten to $n for PostgreSQL). Throws sql::Error.
  virtual std::vector<Row> Query(const std::string& sql, const std::vector<Value>& params = {}) = 0;
  // Several statements without parameters.
  virtual void Script(const std::string& sql) = 0;
  // Starts a transaction that will write: SQLite takes the write lock now (BEGIN IMMEDIATE) so two
  // writers never deadlock on a lock upgrade.
  virtual void BeginWrite() = 0;
  // Starts a read transaction over one consistent snapshot.
  virtual void BeginRead() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() noexcept = 0;
  // Where the database is, without credentials, for error messages.
  virtual std::string Describe() const = 0;
};

struct SqliteSettings {
  std::string path;
  int busy_timeout_ms = 15000;
  bool read_only = false;
};
// Opens (creating unless read-only) the file; WAL unless read-only. Throws sql::Error.
std::unique_ptr<Connection> OpenSqlite(const SqliteSettings& settings);
// Connects to a server by libpq URL. Throws sql::Error (kConnection when unreachable).
std::unique_ptr<Connection> OpenPostgres(const std::string& url);
// The URL without its password, for messages.
std::string RedactUrl(const std::string& url);

}  // namespace longtail::labeling::sql
