// SQLite FTS5 with the trigram tokenizer, in memory.
//
// Trigram indexes cannot answer terms under three characters: for those,
// FTS5 falls back to LIKE '%term%', which it evaluates by scanning every
// row (exact, but a full scan). Terms of three or more characters are
// quoted FTS5 phrases, which are exact substrings.

#include <sqlite3.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "bench/index/engine.h"

namespace bulletin::bench {
namespace {

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class SqliteEngine : public Engine {
 public:
  ~SqliteEngine() override {
    if (db_ != nullptr) sqlite3_close(db_);
  }

  std::string name() const override { return "SQLite FTS5 (trigram)"; }

  absl::Status Build(const std::vector<BenchDocument>& documents) override {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) {
      return absl::InternalError("sqlite3_open failed");
    }
    absl::Status status = Exec(
        "CREATE VIRTUAL TABLE d USING fts5(headline, lead, body, "
        "regions UNINDEXED, tokenize='trigram')");
    if (!status.ok()) return status;
    if (!(status = Exec("BEGIN")).ok()) return status;
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db_,
                       "INSERT INTO d(rowid, headline, lead, body, regions) "
                       "VALUES (?, ?, ?, ?, ?)",
                       -1, &insert, nullptr);
    for (const BenchDocument& d : documents) {
      std::string body;
      for (const std::string& item : d.items) body += item + "\n";
      std::string regions = "|";
      for (const std::string& r : d.regions) regions += r + "|";
      sqlite3_bind_int64(insert, 1, static_cast<int64_t>(d.record->seq()));
      sqlite3_bind_text(insert, 2, d.headline.data(),
                        static_cast<int>(d.headline.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 3, d.lead.data(),
                        static_cast<int>(d.lead.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 4, body.data(), static_cast<int>(body.size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 5, regions.data(),
                        static_cast<int>(regions.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(insert) != SQLITE_DONE) {
        sqlite3_finalize(insert);
        return absl::InternalError(sqlite3_errmsg(db_));
      }
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    return Exec("COMMIT");
  }

  absl::StatusOr<int64_t> Search(const BenchQuery& query) override {
    std::string match;
    std::string where;
    std::vector<std::string> binds;
    for (const std::string& term : query.terms) {
      if (CodePoints(term) >= 3) {
        absl::StrAppend(&match, match.empty() ? "" : " AND ", "\"", term, "\"");
      } else {
        absl::StrAppend(&where,
                        " AND (headline LIKE ? OR lead LIKE ? OR "
                        "body LIKE ?)");
        for (int i = 0; i < 3; ++i) binds.push_back("%" + term + "%");
      }
    }
    if (!query.region.empty()) {
      // instr, not LIKE: FTS5 would take LIKE on a trigram table as an index
      // constraint, which it cannot answer for an UNINDEXED column.
      absl::StrAppend(&where, " AND instr(regions, ?) > 0");
      binds.push_back("|" + query.region + "|");
    }
    std::string condition = match.empty() ? "1" : "d MATCH ?";
    condition += where;
    const std::string order =
        match.empty() ? "rowid DESC" : "bm25(d, 3.0, 2.0, 1.0), rowid DESC";
    absl::StatusOr<int64_t> count =
        Run(absl::StrCat("SELECT count(*) FROM d WHERE ", condition), match,
            binds, true);
    if (!count.ok()) return count;
    absl::StatusOr<int64_t> top =
        Run(absl::StrCat("SELECT rowid FROM d WHERE ", condition, " ORDER BY ",
                         order, " LIMIT 10"),
            match, binds, false);
    if (!top.ok()) return top.status();
    return count;
  }

  int64_t IndexBytes() const override {
    sqlite3_stmt* stmt = nullptr;
    int64_t bytes = 0;
    sqlite3_prepare_v2(db_,
                       "SELECT (SELECT sum(length(block)) FROM d_data) + "
                       "(SELECT count(*) * 16 FROM d_idx)",
                       -1, &stmt, nullptr);
    if (sqlite3_step(stmt) == SQLITE_ROW) bytes = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return bytes;
  }

 private:
  absl::Status Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "sqlite3_exec failed";
      sqlite3_free(error);
      return absl::InternalError(message);
    }
    return absl::OkStatus();
  }

  // Runs `sql` with `match` (if not empty) then `binds`; returns the first
  // column of the first row when `scalar`, else the number of rows.
  absl::StatusOr<int64_t> Run(const std::string& sql, const std::string& match,
                              const std::vector<std::string>& binds,
                              bool scalar) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(sqlite3_errmsg(db_));
    }
    int at = 1;
    if (!match.empty()) {
      sqlite3_bind_text(stmt, at++, match.data(),
                        static_cast<int>(match.size()), SQLITE_TRANSIENT);
    }
    for (const std::string& b : binds) {
      sqlite3_bind_text(stmt, at++, b.data(), static_cast<int>(b.size()),
                        SQLITE_TRANSIENT);
    }
    int64_t result = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (scalar) {
        result = sqlite3_column_int64(stmt, 0);
      } else {
        ++result;
      }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return absl::InternalError(sqlite3_errmsg(db_));
    return result;
  }

  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Engine> MakeSqliteEngine() {
  return std::make_unique<SqliteEngine>();
}

}  // namespace bulletin::bench
