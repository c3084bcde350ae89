// Xapian with CJK n-grams (TermGenerator and QueryParser FLAG_CJK_NGRAM).
//
// Unquoted, Xapian's n-gram terms match characters scattered through a
// document, so every term is sent as a quoted phrase, which Xapian answers
// with positional n-gram phrase matching. The database is a Glass database
// in a temporary directory (Xapian's in-memory backend is deprecated); its
// files stay in the page cache during the run. Regions are boolean terms.

#include <unistd.h>
#include <xapian.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/index/engine.h"

namespace bulletin::bench {
namespace {

class XapianEngine : public Engine {
 public:
  ~XapianEngine() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string name() const override { return "Xapian (CJK n-gram, quoted)"; }

  absl::Status Build(const std::vector<BenchDocument>& documents) override {
    char dir[] = "/tmp/bench_xapian_XXXXXX";
    if (mkdtemp(dir) == nullptr) return absl::InternalError("mkdtemp failed");
    dir_ = dir;
    try {
      Xapian::WritableDatabase db(
          dir_, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
      Xapian::TermGenerator generator;
      generator.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
      for (const BenchDocument& d : documents) {
        Xapian::Document doc;
        generator.set_document(doc);
        // Field weights as wdf increments; gaps keep phrases inside a field.
        generator.index_text(d.headline, 3);
        generator.increase_termpos(100);
        generator.index_text(d.lead, 2);
        for (const std::string& item : d.items) {
          generator.increase_termpos(100);
          generator.index_text(item);
        }
        for (const std::string& region : d.regions) {
          doc.add_boolean_term("XR" + region);
        }
        db.add_document(doc);
      }
      db.commit();
      db.close();
      db_ = std::make_unique<Xapian::Database>(dir_);
    } catch (const Xapian::Error& e) {
      return absl::InternalError(e.get_description());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Search(const BenchQuery& query) override {
    try {
      std::string text;
      for (const std::string& term : query.terms) {
        text += (text.empty() ? "\"" : " AND \"") + term + "\"";
      }
      Xapian::QueryParser parser;
      Xapian::Query q =
          parser.parse_query(text, Xapian::QueryParser::FLAG_PHRASE |
                                       Xapian::QueryParser::FLAG_BOOLEAN |
                                       Xapian::QueryParser::FLAG_CJK_NGRAM);
      if (!query.region.empty()) {
        q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                          Xapian::Query("XR" + query.region));
      }
      Xapian::Enquire enquire(*db_);
      enquire.set_query(q);
      // check_at_least = every document, so the count is exact.
      Xapian::MSet mset = enquire.get_mset(0, 10, db_->get_doccount());
      return static_cast<int64_t>(mset.get_matches_estimated());
    } catch (const Xapian::Error& e) {
      return absl::InternalError(e.get_description());
    }
  }

  int64_t IndexBytes() const override {
    int64_t bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.is_regular_file()) {
        bytes += static_cast<int64_t>(entry.file_size());
      }
    }
    return bytes;
  }

 private:
  std::string dir_;
  std::unique_ptr<Xapian::Database> db_;
};

}  // namespace

std::unique_ptr<Engine> MakeXapianEngine() {
  return std::make_unique<XapianEngine>();
}

}  // namespace bulletin::bench
