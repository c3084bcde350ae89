// Concurrent submitters for fault tests and the write-outage bench: each text
// is submitted until it is acknowledged, retrying through errors, deadlines
// and restarts, the way a well-behaved client (a CMS) would. With several
// ingest addresses (replicas of one log), a submitter that fails moves on to
// the next address for its retry.
//
//   bulletin::testing::SubmitStorm storm({ingest_address}, texts,
//                                        /*threads=*/4);
//   storm.Start();
//   ... kill and restart things ...
//   storm.Join();   // or storm.Stop() first, to end before every text is in
//   for (const auto& acked : storm.acked()) ...
//
// Thread-safety: Start, Stop, Join, acked and fatal from one thread; done,
// retries and failed may be read from any thread while the storm runs.

#ifndef BULLETIN_TESTS_TESTING_SUBMIT_STORM_H_
#define BULLETIN_TESTS_TESTING_SUBMIT_STORM_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace bulletin::testing {

// `count` distinct texts, each with the term 快讯 and a unique number (with
// `batch` in it), so that a search for 快讯 counts the distinct bulletins a
// replica holds.
std::vector<std::string> NumberedTexts(int count, const std::string& batch);

class SubmitStorm {
 public:
  struct Acked {
    // Empty when the text was never acknowledged (the storm was stopped
    // before it was taken).
    std::string id;
    uint64_t seq = 0;
    // When the acknowledgement arrived.
    absl::Time at = absl::InfinitePast();
  };

  // Submitter t starts on addresses[t % size] and, after a failed attempt,
  // retries on the next address. A non-zero `pace` makes each submitter
  // start a new text at most once per `pace` (a steady client rather than
  // one as fast as the server answers).
  SubmitStorm(std::vector<std::string> addresses,
              std::vector<std::string> texts, int threads,
              absl::Duration pace = absl::ZeroDuration());
  ~SubmitStorm();  // Stops nothing: joins, so the texts are all submitted.

  void Start();
  // Submitters take no new text from now on; each still retries the one it
  // holds until it is acknowledged. Join afterwards.
  void Stop() { stopping_ = true; }
  void Join();

  // One entry per text, in text order; valid after Join.
  const std::vector<Acked>& acked() const { return acked_; }
  // Failed attempts that were retried.
  int retries() const { return retries_.load(); }
  // Texts acknowledged so far.
  int done() const { return done_.load(); }
  // Waits until `count` texts are acknowledged; DEADLINE_EXCEEDED, with the
  // progress made, when `timeout` passes first.
  absl::Status AwaitDone(int count, absl::Duration timeout) const;
  // True once a submit failed in a way no retry can fix (INVALID_ARGUMENT);
  // fatal() says which, after Join.
  bool failed() const { return failed_.load(); }
  const std::string& fatal() const { return fatal_; }

 private:
  void Submitter(int first, int step);

  const std::vector<std::string> addresses_;
  const std::vector<std::string> texts_;
  const int thread_count_;
  const absl::Duration pace_;
  std::vector<Acked> acked_;
  std::vector<std::thread> threads_;
  std::atomic<int> retries_{0};
  std::atomic<int> done_{0};
  std::string fatal_;  // Written by at most one thread before Join.
  std::atomic<bool> failed_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_TESTING_SUBMIT_STORM_H_
