// A closed loop of blocking calls, one worker thread per outstanding call,
// for clients that have no completion queue (HTTP/1.1 with cpp-httplib):
// each worker makes its call, waits for the answer and makes the next. What
// it records is the same LoadResult RunLoad (load_driver.h) gives, over the
// same warm-up and window, so the two compare directly.
//
//   bulletin::load::LoadOptions options;
//   options.concurrency = 8;
//   bulletin::load::LoadResult result = bulletin::load::RunBlockingLoad(
//       options, [&](int worker) {
//         auto client = std::make_shared<httplib::Client>(host, port);
//         return [client](int64_t n) { return Call(*client, n); };
//       });
//
// Thread-safety: RunBlockingLoad may be called from one thread at a time;
// `make_worker` is called once per worker on the calling thread, and each
// call it returns runs on that worker's thread only.

#ifndef BULLETIN_BENCH_LOAD_BLOCKING_LOAD_H_
#define BULLETIN_BENCH_LOAD_BLOCKING_LOAD_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "bench/load/load_driver.h"

namespace bulletin::load {

// Makes call number `n` (0, 1, 2, ...) and returns how it went.
using BlockingCall = std::function<absl::Status(int64_t n)>;

// Runs `options.concurrency` workers (closed loop only: options.rate is
// ignored) until the window ends.
LoadResult RunBlockingLoad(const LoadOptions& options,
                           const std::function<BlockingCall(int)>& make_worker);

}  // namespace bulletin::load

#endif  // BULLETIN_BENCH_LOAD_BLOCKING_LOAD_H_
