// The engines bench_index compares, behind one small interface.
//
//   std::unique_ptr<Engine> engine = MakeBulletinEngine();
//   absl::Status built = engine->Build(corpus);
//   absl::StatusOr<int64_t> hits = engine->Search(query);
//
// Every engine is given the same documents. The peers get the text already
// folded by our fold (NFKC, case, Traditional to Simplified), because none
// of them folds Chinese scripts: that way their hit counts are comparable
// with ours and with the brute-force scan, and their build time does not
// pay for folding (ours does).
//
// Thread-safety: one thread per engine.

#ifndef BULLETIN_BENCH_INDEX_ENGINE_H_
#define BULLETIN_BENCH_INDEX_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bulletin/v1/bulletin.pb.h"
#include "bulletin/v1/log.pb.h"

namespace bulletin::bench {

struct BenchDocument {
  // The record, and the Feed record that carries it to our index (built
  // before timing, as the peers' folded text is: a replica receives it
  // from the Feed ready-made).
  const v1::Bulletin* record;
  std::shared_ptr<const v1::LogRecord> log_record;
  // Folded text fields, for the peers and the brute-force scan.
  std::string headline;  // kicker, headline, subtitle joined by '\n'
  std::string lead;      // dateline and lead joined by '\n'
  std::vector<std::string> items;
  // Folded items[].organization.region, distinct.
  std::vector<std::string> regions;
};

struct BenchQuery {
  std::string kind;  // e.g. "1-char common"
  // Folded terms, all required (each may be a phrase of several characters).
  std::vector<std::string> terms;
  // Folded region filter; empty for none.
  std::string region;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  virtual absl::Status Build(const std::vector<BenchDocument>& documents) = 0;
  // The exact number of matching bulletins; also ranks the top 10, as a
  // search page would.
  virtual absl::StatusOr<int64_t> Search(const BenchQuery& query) = 0;
  // Bytes of index structures, excluding stored documents.
  virtual int64_t IndexBytes() const = 0;
};

std::unique_ptr<Engine> MakeBulletinEngine();
#ifdef BULLETIN_BENCH_PEERS
std::unique_ptr<Engine> MakeSqliteEngine();
std::unique_ptr<Engine> MakeXapianEngine();
std::unique_ptr<Engine> MakeLuceneEngine();
#endif

}  // namespace bulletin::bench

#endif  // BULLETIN_BENCH_INDEX_ENGINE_H_
