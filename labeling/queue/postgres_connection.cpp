// sql::Connection over one PostgreSQL session (libpqxx 6.4). Transactions are plain BEGIN/COMMIT
// statements on an autocommit session so that the shared queue code drives them like SQLite's.
#include <charconv>
#include <pqxx/pqxx>
#include <regex>
#include <string>
#include <unordered_map>

#include "labeling/queue/sql_connection.h"

namespace longtail::labeling::sql {
namespace {

// `?` placeholders to `$1, $2, ...`; the queue's SQL never has `?` inside a literal.
std::string NumberPlaceholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  for (char c : sql) {
    if (c == '?') {
      out += '$';
      out += std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

std::string ToText(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(const std::string& url) : where_(RedactUrl(url)) {
    try {
      connection_ = std::make_unique<pqxx::connection>(url);
      pqxx::nontransaction session(*connection_);
      session.exec("SET client_min_messages = warning");
    } catch (const pqxx::broken_connection& e) {
      throw Error(ErrorKind::kConnection, where_ + ": cannot connect: " + FirstLine(e.what()));
    } catch (const std::exception& e) {
      throw Error(ErrorKind::kConnection, where_ + ": " + FirstLine(e.what()));
    }
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string Describe() const override { return where_; }

  std::vector<Row> Query(const std::string& sql, const std::vector<Value>& params) override {
    // Every statement is prepared once per session: planning the claim costs more than running it.
    auto [it, inserted] = prepared_.try_emplace(sql);
    if (inserted) {
      it->second = "longtail_" + std::to_string(prepared_.size());
      connection_->prepare(it->second, NumberPlaceholders(sql));
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> pointers(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& value = params[i];
      if (std::holds_alternative<std::monostate>(value)) continue;
      if (std::holds_alternative<std::int64_t>(value)) {
        texts[i] = std::to_string(std::get<std::int64_t>(value));
      } else if (std::holds_alternative<double>(value)) {
        texts[i] = ToText(std::get<double>(value));
      } else {
        texts[i] = std::get<std::string>(value);
      }
      pointers[i] = texts[i].c_str();
    }
    const std::string& statement = it->second;  // clang 14 cannot capture a structured binding
    return Run([&](pqxx::nontransaction& session) {
      return session.exec_prepared(statement, pqxx::prepare::make_dynamic_params(pointers));
    });
  }

  void Script(const std::string& sql) override {
    Run([&](pqxx::nontransaction& session) { return session.exec(sql); });
  }

  void BeginWrite() override { Script("BEGIN"); }
  void BeginRead() override { Script("BEGIN ISOLATION LEVEL REPEATABLE READ"); }
  void Commit() override { Script("COMMIT"); }
  void Rollback() noexcept override {
    try {
      Script("ROLLBACK");
    } catch (...) {
      // The session is gone; the server rolled the transaction back when it went.
    }
  }

 private:
  static std::string FirstLine(const std::string& text) {
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
  }

  template <typename F>
  std::vector<Row> Run(F&& body) {
    try {
      pqxx::nontransaction session(*connection_);
      const pqxx::result result = body(session);
      std::vector<Row> rows;
      rows.reserve(result.size());
      for (const auto& row : result) {
        std::vector<Value> cells;
        cells.reserve(row.size());
        for (const auto& field : row) {
          if (field.is_null()) {
            cells.emplace_back(std::monostate{});
          } else {
            cells.emplace_back(std::string(field.c_str(), field.size()));
          }
        }
        rows.emplace_back(std::move(cells));
      }
      return rows;
    } catch (const pqxx::broken_connection& e) {
      throw Error(ErrorKind::kConnection, where_ + ": connection lost: " + FirstLine(e.what()));
    } catch (const pqxx::deadlock_detected& e) {
      throw Error(ErrorKind::kRetry, where_ + ": " + FirstLine(e.what()));
    } catch (const pqxx::serialization_failure& e) {
      throw Error(ErrorKind::kRetry, where_ + ": " + FirstLine(e.what()));
    } catch (const pqxx::integrity_constraint_violation& e) {
      throw Error(ErrorKind::kConstraint, where_ + ": " + FirstLine(e.what()));
    } catch (const pqxx::insufficient_privilege& e) {
      throw Error(ErrorKind::kReadOnly, where_ + ": " + FirstLine(e.what()));
    } catch (const pqxx::sql_error& e) {
      const std::string state = e.sqlstate();
      // 25006 read_only_sql_transaction, 42501 insufficient_privilege.
      const ErrorKind kind = (state == "25006" || state == "42501")   ? ErrorKind::kReadOnly
                             : (state == "40001" || state == "40P01") ? ErrorKind::kRetry
                                                                      : ErrorKind::kOther;
      throw Error(kind, where_ + ": " + FirstLine(e.what()));
    } catch (const pqxx::failure& e) {
      throw Error(ErrorKind::kOther, where_ + ": " + FirstLine(e.what()));
    }
  }

  std::string where_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace

std::string RedactUrl(const std::string& url) {
  // postgresql://user:secret@host/db -> postgresql://user:***@host/db
  static const std::regex password(R"(^([a-z]+://[^:/@]*:)[^@]*@)");
  std::string out = std::regex_replace(url, password, "$1***@");
  static const std::regex query_password(R"((password=)[^&\s]*)");
  return std::regex_replace(out, query_password, "$1***");
}

std::unique_ptr<Connection> OpenPostgres(const std::string& url) {
  return std::make_unique<PostgresConnection>(url);
}

}  // namespace longtail::labeling::sql
