// Enqueue and claim throughput of the review queue, SQLite and PostgreSQL. PostgreSQL runs when
// LONGTAIL_TEST_POSTGRES_URL is set (scripts/start-test-postgres.sh); each run gets a fresh
// schema or file. Prints numbers, asserts nothing.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "labeling/queue/review_queue.h"

namespace longtail::labeling {
namespace {

std::string FreshUrl(const std::string& backend) {
  static std::atomic<int> counter{0};
  const std::string name =
      "lt_bench_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  if (backend == "sqlite") {
    const auto dir = std::filesystem::temp_directory_path() / "longtail-bench";
    std::filesystem::create_directories(dir);
    const auto path = dir / (name + ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    return path.string();
  }
  const char* base = std::getenv("LONGTAIL_TEST_POSTGRES_URL");
  if (base == nullptr || *base == '\0') return "";
  pqxx::connection connection(base);
  pqxx::nontransaction session(connection);
  session.exec("SET client_min_messages = warning");
  session.exec("CREATE SCHEMA " + name);
  const std::string url = base;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name;
}

// A realistic window: 10 frames of 8 boxes, one event.
TaskDraft Window(int n) {
  TaskDraft d;
  d.log_id = "bench-log-" + std::to_string(n / 100);
  d.log_path = "/data/" + d.log_id;
  d.log_format = "kitti-raw";
  d.detectors = "ego_corridor";
  d.options_hash = "bench";
  d.first_frame = n * 10;
  d.last_frame = n * 10 + 9;
  d.severity = (n % 97) / 97.0;
  pipeline::Event e;
  e.detector = "ego_corridor";
  e.type = "object_in_corridor";
  e.severity = d.severity;
  e.reason = "car #3 in the ego corridor 12.4 m ahead";
  e.values = {{"distance_m", 12.4}, {"ttc_s", 2.5}};
  d.events.push_back(e);
  for (int f = 0; f < 10; ++f) {
    FramePrelabels frame{d.first_frame + f, sensors::FromNanos(f * 100'000'000LL), {}};
    for (int b = 0; b < 8; ++b) {
      sensors::LabeledBox box;
      box.box.center = {5.0 + 3 * b, 0.5 * b, 0.8};
      box.box.length = 4.5;
      box.box.width = 1.9;
      box.box.height = 1.6;
      box.object_class = sensors::ObjectClass::kCar;
      box.track_id = b;
      frame.boxes.push_back(box);
    }
    d.frames.push_back(std::move(frame));
  }
  return d;
}

// One transaction per window, as `longtail mine` enqueues.
void BM_EnqueueOneWindowPerTransaction(benchmark::State& state, const std::string& backend) {
  const std::string url = FreshUrl(backend);
  if (url.empty()) return state.SkipWithError("LONGTAIL_TEST_POSTGRES_URL is unset");
  auto queue = OpenQueue(url);
  int n = 0;
  for (auto _ : state) queue->Enqueue({Window(n++)});
  state.counters["tasks_per_s"] =
      benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}

// 100 windows per transaction.
void BM_EnqueueBatchOf100(benchmark::State& state, const std::string& backend) {
  const std::string url = FreshUrl(backend);
  if (url.empty()) return state.SkipWithError("LONGTAIL_TEST_POSTGRES_URL is unset");
  auto queue = OpenQueue(url);
  int n = 0;
  for (auto _ : state) {
    std::vector<TaskDraft> batch;
    for (int i = 0; i < 100; ++i) batch.push_back(Window(n++));
    queue->Enqueue(batch);
  }
  state.counters["tasks_per_s"] =
      benchmark::Counter(100.0 * state.iterations(), benchmark::Counter::kIsRate);
}

// Claim + submit (accept), one reviewer per thread, on a queue filled beforehand.
void BM_ClaimAndSubmit(benchmark::State& state, const std::string& backend) {
  static std::string url;
  if (state.thread_index() == 0) {
    url = FreshUrl(backend);
    if (!url.empty()) {
      auto queue = OpenQueue(url);
      std::vector<TaskDraft> drafts;
      for (int i = 0; i < 4000; ++i) drafts.push_back(Window(i));
      queue->Enqueue(drafts);
    }
  }
  // Google Benchmark starts every thread's loop together, after the setup above.
  for (auto _ : state) {
    state.PauseTiming();
    if (url.empty()) {
      state.SkipWithError("LONGTAIL_TEST_POSTGRES_URL is unset");
      break;
    }
    // One connection per thread; thread 0 outlives runs, so reopen when the run's queue changed.
    thread_local std::unique_ptr<ReviewQueue> queue;
    thread_local std::string queue_url;
    if (!queue || queue_url != url) {
      queue = OpenQueue(url);
      queue_url = url;
    }
    const std::string reviewer = "bench-" + std::to_string(state.thread_index());
    state.ResumeTiming();
    const auto claim = queue->Claim(reviewer);
    if (!claim) {
      state.SkipWithError("queue ran dry");
      break;
    }
    queue->Submit({claim->claim_id, reviewer, Verdict::kAccept, {}, "", {}});
  }
  // Every thread's iterations over the wall-clock time: the queue's total claim rate.
  state.counters["claims_per_s"] =
      benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}

// A light window for the claim benchmark: claims do not read frames, so one box is enough.
TaskDraft SmallWindow(int n) {
  TaskDraft d = Window(n);
  d.frames.resize(1);
  d.frames[0].boxes.resize(1);
  return d;
}

// Claims alone, `state.threads()` reviewers at once, each with its own connection, on a queue
// filled beforehand with enough tasks for every claim: the queue's claims per second.
void BM_Claim(benchmark::State& state, const std::string& backend, int total_claims,
              const proto::QueueOptions& options) {
  static std::string url;
  if (state.thread_index() == 0) {
    url = FreshUrl(backend);
    if (!url.empty()) {
      auto queue = OpenQueue(url);
      for (int first = 0; first < total_claims + 100; first += 500) {
        std::vector<TaskDraft> drafts;
        for (int i = first; i < first + 500; ++i) drafts.push_back(SmallWindow(i));
        queue->Enqueue(drafts);
      }
    }
  }
  for (auto _ : state) {
    state.PauseTiming();
    if (url.empty()) {
      state.SkipWithError("LONGTAIL_TEST_POSTGRES_URL is unset");
      break;
    }
    thread_local std::unique_ptr<ReviewQueue> queue;
    thread_local std::string queue_url;
    if (!queue || queue_url != url) {
      queue = OpenQueue(url, options);
      queue_url = url;
    }
    const std::string reviewer = "claimer-" + std::to_string(state.thread_index());
    state.ResumeTiming();
    if (!queue->Claim(reviewer)) {
      state.SkipWithError("queue ran dry");
      break;
    }
  }
  state.counters["claims_per_s"] =
      benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_EnqueueOneWindowPerTransaction, sqlite, std::string("sqlite"))
    ->Iterations(500)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_EnqueueOneWindowPerTransaction, postgresql, std::string("postgresql"))
    ->Iterations(500)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_EnqueueBatchOf100, sqlite, std::string("sqlite"))
    ->Iterations(10)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_EnqueueBatchOf100, postgresql, std::string("postgresql"))
    ->Iterations(10)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ClaimAndSubmit, sqlite, std::string("sqlite"))
    ->Iterations(500)
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ClaimAndSubmit, postgresql, std::string("postgresql"))
    ->Iterations(500)
    ->Threads(1)
    ->Threads(4)
    ->UseRealTime();

}  // namespace
}  // namespace longtail::labeling

int main(int argc, char** argv) {
  // 3,200 claims per run whatever the number of claimers: 1, 8 and 32 at once.
  constexpr int kClaimsPerRun = 3200;
  for (const std::string backend : {"sqlite", "postgresql"}) {
    for (const int threads : {1, 8, 32}) {
      benchmark::RegisterBenchmark(("BM_Claim/" + backend).c_str(),
                                   [backend](benchmark::State& state) {
                                     longtail::labeling::BM_Claim(
                                         state, backend, kClaimsPerRun,
                                         longtail::labeling::proto::QueueOptions());
                                   })
          ->Threads(threads)
          ->Iterations(kClaimsPerRun / threads)
          ->UseRealTime();
    }
    // The NOVELTY order scores every queued task on each claim: its cost grows with the queue.
    benchmark::RegisterBenchmark(
        ("BM_ClaimNovelty/" + backend).c_str(),
        [backend](benchmark::State& state) {
          longtail::labeling::proto::QueueOptions novelty;
          novelty.set_claim_order(longtail::labeling::proto::QueueOptions::NOVELTY);
          longtail::labeling::BM_Claim(state, backend, kClaimsPerRun, novelty);
        })
        ->Threads(1)
        ->Iterations(200)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
