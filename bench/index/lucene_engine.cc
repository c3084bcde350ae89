// Lucene++ with a single-character analyzer (ChineseTokenizer: one token
// per CJK character, Latin and digit runs as words), in a RAMDirectory.
//
// A term becomes a PhraseQuery of its characters over headline, lead and
// body (boosted 3, 2, 1), so characters must stand together; terms are
// MUST clauses; the region is a MUST TermQuery on an untokenized field.
// Punctuation is not a token, so a phrase can match across a comma where
// the brute-force scan does not; the verification step reports any such
// query.

// LuceneHeaders.h must come first: the other headers rely on it.
#include <lucene++/LuceneHeaders.h>
// clang-format off
#include <lucene++/ChineseTokenizer.h>
#include <lucene++/TermAttribute.h>
// clang-format on

#include <string>

#include "bench/index/engine.h"

namespace bulletin::bench {
namespace {

using Lucene::newLucene;
// LUCENE_CLASS names String unqualified.
using Lucene::String;

class SingleCharAnalyzer : public Lucene::Analyzer {
 public:
  LUCENE_CLASS(SingleCharAnalyzer);

  Lucene::TokenStreamPtr tokenStream(const Lucene::String& /*field*/,
                                     const Lucene::ReaderPtr& reader) override {
    return newLucene<Lucene::ChineseTokenizer>(reader);
  }
  // Keeps phrases from running from one item into the next.
  int32_t getPositionIncrementGap(const Lucene::String& /*field*/) override {
    return 100;
  }
};

std::vector<Lucene::String> Tokens(const std::string& utf8) {
  std::vector<Lucene::String> out;
  Lucene::TokenStreamPtr stream = newLucene<Lucene::ChineseTokenizer>(
      newLucene<Lucene::StringReader>(Lucene::StringUtils::toUnicode(utf8)));
  Lucene::TermAttributePtr term = stream->addAttribute<Lucene::TermAttribute>();
  while (stream->incrementToken()) out.push_back(term->term());
  return out;
}

class LuceneEngine : public Engine {
 public:
  std::string name() const override {
    return "Lucene++ (single-character analyzer)";
  }

  absl::Status Build(const std::vector<BenchDocument>& documents) override {
    try {
      dir_ = newLucene<Lucene::RAMDirectory>();
      Lucene::IndexWriterPtr writer = newLucene<Lucene::IndexWriter>(
          dir_, newLucene<SingleCharAnalyzer>(), true,
          Lucene::IndexWriter::MaxFieldLengthUNLIMITED);
      writer->setRAMBufferSizeMB(256);
      for (const BenchDocument& d : documents) {
        Lucene::DocumentPtr doc = newLucene<Lucene::Document>();
        auto add = [&doc](const wchar_t* field, const std::string& text,
                          double boost) {
          Lucene::FieldPtr f = newLucene<Lucene::Field>(
              field, Lucene::StringUtils::toUnicode(text),
              Lucene::Field::STORE_NO, Lucene::Field::INDEX_ANALYZED);
          f->setBoost(boost);
          doc->add(f);
        };
        add(L"headline", d.headline, 3.0);
        add(L"lead", d.lead, 2.0);
        for (const std::string& item : d.items) add(L"body", item, 1.0);
        for (const std::string& region : d.regions) {
          doc->add(newLucene<Lucene::Field>(
              L"region", Lucene::StringUtils::toUnicode(region),
              Lucene::Field::STORE_NO, Lucene::Field::INDEX_NOT_ANALYZED));
        }
        writer->addDocument(doc);
      }
      writer->optimize();
      writer->close();
      searcher_ = newLucene<Lucene::IndexSearcher>(dir_, true);
    } catch (const Lucene::LuceneException& e) {
      return absl::InternalError(Lucene::StringUtils::toUTF8(e.getError()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Search(const BenchQuery& query) override {
    try {
      Lucene::BooleanQueryPtr all = newLucene<Lucene::BooleanQuery>();
      for (const std::string& term : query.terms) {
        const std::vector<Lucene::String> tokens = Tokens(term);
        Lucene::BooleanQueryPtr any = newLucene<Lucene::BooleanQuery>();
        for (const wchar_t* field : {L"headline", L"lead", L"body"}) {
          if (tokens.size() == 1) {
            any->add(newLucene<Lucene::TermQuery>(
                         newLucene<Lucene::Term>(field, tokens[0])),
                     Lucene::BooleanClause::SHOULD);
            continue;
          }
          Lucene::PhraseQueryPtr phrase = newLucene<Lucene::PhraseQuery>();
          for (const Lucene::String& token : tokens) {
            phrase->add(newLucene<Lucene::Term>(field, token));
          }
          any->add(phrase, Lucene::BooleanClause::SHOULD);
        }
        all->add(any, Lucene::BooleanClause::MUST);
      }
      if (!query.region.empty()) {
        all->add(newLucene<Lucene::TermQuery>(newLucene<Lucene::Term>(
                     L"region", Lucene::StringUtils::toUnicode(query.region))),
                 Lucene::BooleanClause::MUST);
      }
      Lucene::TopDocsPtr top = searcher_->search(all, 10);
      return static_cast<int64_t>(top->totalHits);
    } catch (const Lucene::LuceneException& e) {
      return absl::InternalError(Lucene::StringUtils::toUTF8(e.getError()));
    }
  }

  int64_t IndexBytes() const override {
    return static_cast<int64_t>(dir_->sizeInBytes());
  }

 private:
  Lucene::RAMDirectoryPtr dir_;
  Lucene::IndexSearcherPtr searcher_;
};

}  // namespace

std::unique_ptr<Engine> MakeLuceneEngine() {
  return std::make_unique<LuceneEngine>();
}

}  // namespace bulletin::bench
