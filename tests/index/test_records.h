// Helpers that build bulletins and log records for the index tests.
//
//   v1::LogRecord r = Upsert(1, MakeBulletin("id1", "标题", "导语", {"条目"}));
//
// Thread-safe: pure functions.

#ifndef BULLETIN_TESTS_INDEX_TEST_RECORDS_H_
#define BULLETIN_TESTS_INDEX_TEST_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bulletin/v1/log.pb.h"

namespace bulletin::testing {

// A bulletin with the given id (16 hex digits are not required here),
// headline, lead and item texts.
inline v1::Bulletin MakeBulletin(const std::string& id,
                                 const std::string& headline,
                                 const std::string& lead,
                                 const std::vector<std::string>& items = {}) {
  v1::Bulletin b;
  b.set_id(id);
  b.set_headline(headline);
  b.set_lead(lead);
  for (const std::string& text : items) b.add_items()->set_text(text);
  return b;
}

inline v1::LogRecord Upsert(uint64_t seq, const v1::Bulletin& bulletin) {
  v1::LogRecord record;
  record.set_seq(seq);
  *record.mutable_upsert() = bulletin;
  return record;
}

inline v1::LogRecord Retract(uint64_t seq, const std::string& id) {
  v1::LogRecord record;
  record.set_seq(seq);
  record.mutable_retraction()->set_id(id);
  return record;
}

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INDEX_TEST_RECORDS_H_
