// How a command fails. A command that finishes returns its exit code (0, or 3 when it read past
// bad data); one that cannot go on throws, and `main` turns what it threw into one line on stderr,
// "longtail <command>: <what>", and the exit code from ExitCodeOf. Library errors keep their own
// types and map by type; where a generic library exception means bad usage or bad input at one
// call site, the command says so with Rethrow<UsageError>(...) or Rethrow<CorruptInputError>(...).
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace longtail::tools {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // a runtime failure (I/O, database, bug)
inline constexpr int kExitUsage = 2;         // bad command line or config
inline constexpr int kExitCorruptInput = 3;  // corrupt input that stopped a log

// A failure whose exit code the command chose.
class CommandError : public std::runtime_error {
 public:
  CommandError(int exit_code, const std::string& what)
      : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Bad command line, config or query: exit 2.
class UsageError : public CommandError {
 public:
  explicit UsageError(const std::string& what) : CommandError(kExitUsage, what) {}
};

// Corrupt input that stopped the command: exit 3.
class CorruptInputError : public CommandError {
 public:
  explicit CorruptInputError(const std::string& what) : CommandError(kExitCorruptInput, what) {}
};

// A runtime failure (I/O, database) even where the library error would say otherwise: exit 1.
class RuntimeFailure : public CommandError {
 public:
  explicit RuntimeFailure(const std::string& what) : CommandError(kExitFailure, what) {}
};

// What `main` prints and returns for an exception a command threw.
struct Failure {
  int exit_code = kExitFailure;
  std::string message;  // ends with a newline
};

// The one table from exception type to exit code: CommandError its own code, run options errors
// 2, log errors 3, queue errors and task conflicts 1, anything else 1.
Failure FailureOf(std::exception_ptr error);

// Runs `step` and returns what it returns; an exception of type `Caught` from it is thrown again
// as `As` with `context` before its message, so `main` gives it As's exit code. A CommandError
// passes through unchanged.
template <typename As, typename Caught = std::exception, typename Step>
decltype(auto) Rethrow(Step&& step, const std::string& context = "") {
  try {
    return std::forward<Step>(step)();
  } catch (const CommandError&) {
    throw;  // the exit code is already chosen
  } catch (const Caught& e) {
    throw As(context + e.what());
  }
}

}  // namespace longtail::tools
