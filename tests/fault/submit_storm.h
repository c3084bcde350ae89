// Concurrent submitters for fault tests: each text is submitted until it is
// acknowledged, retrying through errors, deadlines and restarts, the way a
// well-behaved client (a CMS) would.
//
//   bulletin::testing::SubmitStorm storm(ingest_address, texts, /*threads=*/4);
//   storm.Start();
//   ... kill and restart things ...
//   storm.Join();
//   for (const auto& acked : storm.acked()) ...
//
// Thread-safety: Start, Join and acked from the test thread.

#ifndef BULLETIN_TESTS_FAULT_SUBMIT_STORM_H_
#define BULLETIN_TESTS_FAULT_SUBMIT_STORM_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace bulletin::testing {

class SubmitStorm {
 public:
  struct Acked {
    std::string id;
    uint64_t seq = 0;
  };

  SubmitStorm(std::string address, std::vector<std::string> texts, int threads);
  ~SubmitStorm();  // Joins.

  void Start();
  void Join();

  // One entry per text, in text order; valid after Join.
  const std::vector<Acked>& acked() const { return acked_; }
  // Failed attempts that were retried.
  int retries() const { return retries_.load(); }
  // Texts acknowledged so far.
  int done() const { return done_.load(); }
  // Set when a submit failed in a way no retry can fix (INVALID_ARGUMENT).
  const std::string& fatal() const { return fatal_; }

 private:
  void Submitter(int first, int step);

  const std::string address_;
  const std::vector<std::string> texts_;
  const int thread_count_;
  std::vector<Acked> acked_;
  std::vector<std::thread> threads_;
  std::atomic<int> retries_{0};
  std::atomic<int> done_{0};
  std::string fatal_;  // Written by at most one thread before Join.
  std::atomic<bool> failed_{false};
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_FAULT_SUBMIT_STORM_H_
