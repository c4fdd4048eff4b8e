#include "tools/commands/command_error.h"

#include "labeling/queue/review_queue.h"
#include "pipeline/options.h"
#include "sensors/log_reader.h"

namespace longtail::tools {
namespace {

Failure Make(int exit_code, const std::string& what) {
  // Some library messages already end their last line; print each message on whole lines once.
  return {exit_code, !what.empty() && what.back() == '\n' ? what : what + "\n"};
}

}  // namespace

Failure FailureOf(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const CommandError& e) {
    return Make(e.exit_code(), e.what());
  } catch (const pipeline::OptionsError& e) {
    return Make(kExitUsage, e.what());
  } catch (const sensors::LogError& e) {
    return Make(kExitCorruptInput, e.what());
  } catch (const labeling::QueueError& e) {
    return Make(kExitFailure, e.what());
  } catch (const labeling::TaskConflict& e) {
    return Make(kExitFailure, e.what());
  } catch (const std::exception& e) {
    return Make(kExitFailure, e.what());
  } catch (...) {
    return Make(kExitFailure, "unknown error");
  }
}

}  // namespace longtail::tools
