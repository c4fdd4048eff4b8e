// A reviewer process for the multi-process queue tests.
//   queue_worker review URL NAME THREADS   claim and accept until the queue is empty; prints
//                                          "claims N" (N over all threads)
//   queue_worker hold URL NAME LEASE_S     claim one task, print "claimed TASK CLAIM", then sleep
//                                          until killed
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "labeling/queue/review_queue.h"

namespace {

using longtail::labeling::OpenQueue;

int Review(const std::string& url, const std::string& name, int threads) {
  std::atomic<long> claims{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        // Generous: 32 writers on a loaded CI machine must wait, never fail, for the lock.
        longtail::labeling::proto::QueueOptions options;
        options.set_busy_timeout_ms(120000);
        auto queue = OpenQueue(url, options);
        const std::string reviewer = name + "-t" + std::to_string(t);
        while (auto claim = queue->Claim(reviewer)) {
          queue->Submit(
              {claim->claim_id, reviewer, longtail::labeling::Verdict::kAccept, {}, "", {}});
          ++claims;
        }
      } catch (const std::exception& e) {
        std::cerr << "queue_worker " << name << ": " << e.what() << "\n";
        failed = true;
      }
    });
  }
  for (auto& w : workers) w.join();
  std::cout << "claims " << claims.load() << std::endl;
  return failed ? 1 : 0;
}

int Hold(const std::string& url, const std::string& name, double lease_s) {
  longtail::labeling::proto::QueueOptions options;
  options.set_lease_s(lease_s);
  auto queue = OpenQueue(url, options);
  const auto claim = queue->Claim(name);
  if (!claim) {
    std::cout << "empty" << std::endl;
    return 1;
  }
  std::cout << "claimed " << claim->task_id << " " << claim->claim_id << std::endl;
  while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: queue_worker review|hold URL NAME THREADS|LEASE_S\n";
    return 2;
  }
  const std::string mode = argv[1];
  try {
    if (mode == "review") return Review(argv[2], argv[3], std::stoi(argv[4]));
    if (mode == "hold") return Hold(argv[2], argv[3], std::stod(argv[4]));
  } catch (const std::exception& e) {
    std::cerr << "queue_worker: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "queue_worker: unknown mode " << mode << "\n";
  return 2;
}
