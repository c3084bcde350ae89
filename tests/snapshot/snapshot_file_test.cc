// Snapshot files (query-service/snapshot/snapshot_file.h): what a load
// builds answers exactly as the index that was saved, and every damaged,
// truncated or foreign-format file is refused, leaving the index empty.

#include "query-service/snapshot/snapshot_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "query-service/index/bulletin_index.h"
#include "tests/index/random_corpus.h"
#include "tests/index/test_records.h"
#include "tests/snapshot/index_equality.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

const LogIdentity kLog{"5f0c1e", 1765051200000000};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A new file each time: ext4 flushes a file truncated and written again
// when it is closed (auto_da_alloc), which made these tests wait on the
// disk thousands of times.
void WriteAll(const std::string& path, const std::string& bytes) {
  unlink(path.c_str());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Applies `changes` random changes (corrections and retractions among
// them), compacting now and then as a replica does, and names the log.
void ApplyRandomChanges(std::mt19937& rng, int changes, uint64_t* seq,
                        BulletinIndex* index) {
  for (int i = 0; i < changes; ++i) {
    index->Apply(testing::RandomChange(rng, ++*seq));
    if (i % 97 == 50) index->Compact();
  }
  index->SetLogIdentity(kLog);
}

// The index must be as it was before the failed load: empty.
void ExpectEmpty(const BulletinIndex& index) {
  EXPECT_EQ(index.applied_seq(), 0u);
  EXPECT_EQ(index.Stats().bulletin_count(), 0);
  EXPECT_EQ(index.log_identity(), LogIdentity());
}

// A load rebuilds the facet columns and the live documents from the
// documents it reads (facet_columns.h): on an archive of frozen lists of
// many blocks, with dead documents among them, the loaded index counts
// every faceted two-character search's facets, whose blocks that cannot
// make the page are marked from their lists, as the saved one does, and
// goes on doing so through corrections and retractions.
TEST(SnapshotFileTest, LoadedFacetsCountAsTheSavedIndexs) {
  testing::TempDir dir;
  std::mt19937 rng(77);
  uint64_t seq = 0;
  BulletinIndex replayed;
  for (int i = 0; i < 4000; ++i) {
    replayed.Apply(testing::RandomChange(rng, ++seq, /*ids=*/2500));
  }
  replayed.Compact();
  // Dead documents in the frozen lists.
  for (int i = 0; i < 300; ++i) {
    replayed.Apply(testing::RandomChange(rng, ++seq, /*ids=*/2500));
  }
  const std::string path = dir.path() + "/facets.snap";
  ASSERT_TRUE(WriteSnapshotFile(replayed.TakeCheckpoint(), path).ok());
  BulletinIndex loaded;
  ASSERT_TRUE(LoadSnapshotFile(path, &loaded).ok());
  replayed.Compact();
  auto expect_same_facets = [&]() {
    for (int q = 0; q < 60; ++q) {
      std::string term;
      while (term.size() < 4 || term.find(' ') != std::string::npos) {
        term = testing::RandomText(rng, 2);
      }
      v1::SearchRequest request;
      request.set_query("\"" + term + "\"");
      request.set_limit(1 + static_cast<int>(rng() % 5));
      request.add_facets("region");
      request.add_facets("date");
      absl::StatusOr<v1::SearchResponse> want = replayed.Search(request);
      absl::StatusOr<v1::SearchResponse> got = loaded.Search(request);
      ASSERT_TRUE(want.ok() && got.ok());
      SCOPED_TRACE(request.ShortDebugString());
      EXPECT_EQ(got->total_hits(), want->total_hits());
      ASSERT_EQ(got->facets_size(), 2);
      for (int f = 0; f < 2; ++f) {
        EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
            got->facets(f), want->facets(f)))
            << "got:  " << got->facets(f).ShortDebugString()
            << "\nwant: " << want->facets(f).ShortDebugString();
      }
    }
  };
  expect_same_facets();
  for (int i = 0; i < 500; ++i) {
    const v1::LogRecord change = testing::RandomChange(rng, ++seq, 2500);
    replayed.Apply(change);
    loaded.Apply(change);
  }
  expect_same_facets();
}

TEST(SnapshotFileTest, LoadAnswersEveryQueryAsTheIndexThatWasSaved) {
  testing::TempDir dir;
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    std::mt19937 rng(seed);
    uint64_t seq = 0;
    BulletinIndex replayed;
    ApplyRandomChanges(rng, 300 * static_cast<int>(seed), &seq, &replayed);
    const std::string path = absl::StrCat(dir.path(), "/", seed, ".snap");
    absl::StatusOr<SnapshotSummary> written =
        WriteSnapshotFile(replayed.TakeCheckpoint(), path);
    ASSERT_TRUE(written.ok()) << written.status();
    EXPECT_EQ(written->applied_seq, seq);
    EXPECT_EQ(written->bulletins, replayed.Stats().bulletin_count());

    BulletinIndex loaded;
    absl::StatusOr<SnapshotSummary> read = LoadSnapshotFile(path, &loaded);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(read->applied_seq, seq);
    EXPECT_EQ(read->log_identity, kLog);
    EXPECT_EQ(read->bulletins, written->bulletins);
    EXPECT_EQ(read->bytes, written->bytes);
    // A replica compacts once caught up, whether it replayed or loaded:
    // term statistics then count live bulletins only, on both sides (a
    // snapshot holds no postings of dead documents).
    replayed.Compact();
    loaded.Compact();
    testing::ExpectSameAnswers(replayed, loaded, seed);

    // And the loaded index goes on as the replayed one does.
    for (int i = 0; i < 100; ++i) {
      const v1::LogRecord change = testing::RandomChange(rng, ++seq);
      replayed.Apply(change);
      loaded.Apply(change);
    }
    replayed.Compact();
    loaded.Compact();
    testing::ExpectSameAnswers(replayed, loaded, seed + 100);
  }
}

// A snapshot's seq may lie past its last bulletin (the records after it
// were retractions), and it may hold no bulletin at all.
TEST(SnapshotFileTest, KeepsTheSeqPastTheLastBulletin) {
  testing::TempDir dir;
  BulletinIndex index;
  index.Apply(testing::Upsert(3, testing::MakeBulletin("a", "标题", "导语")));
  index.Apply(testing::Upsert(5, testing::MakeBulletin("b", "标题", "导语")));
  index.Apply(testing::Retract(9, "b"));
  index.SetLogIdentity(kLog);
  const std::string path = dir.path() + "/past.snap";
  ASSERT_TRUE(WriteSnapshotFile(index.TakeCheckpoint(), path).ok());
  BulletinIndex loaded;
  absl::StatusOr<SnapshotSummary> read = LoadSnapshotFile(path, &loaded);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(loaded.applied_seq(), 9u);
  EXPECT_EQ(loaded.Stats().bulletin_count(), 1);
  EXPECT_TRUE(loaded.Get("a").ok());
  EXPECT_FALSE(loaded.Get("b").ok());

  index.Apply(testing::Retract(12, "a"));
  ASSERT_TRUE(WriteSnapshotFile(index.TakeCheckpoint(), path).ok());
  BulletinIndex empty;
  read = LoadSnapshotFile(path, &empty);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->bulletins, 0);
  EXPECT_EQ(empty.applied_seq(), 12u);
  EXPECT_EQ(empty.log_identity(), kLog);
}

// A small snapshot whose every byte the tests below can damage.
class DamagedSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(11);
    uint64_t seq = 0;
    BulletinIndex index;
    ApplyRandomChanges(rng, 20, &seq, &index);
    path_ = dir_.path() + "/s.snap";
    ASSERT_TRUE(WriteSnapshotFile(index.TakeCheckpoint(), path_).ok());
    bytes_ = ReadAll(path_);
    ASSERT_GT(bytes_.size(), 100u);
  }

  // Loads `bytes` as a snapshot; returns the status, checking that the
  // index is left empty when it fails.
  absl::Status Load(const std::string& bytes) {
    WriteAll(path_, bytes);
    BulletinIndex index;
    absl::StatusOr<SnapshotSummary> loaded = LoadSnapshotFile(path_, &index);
    if (!loaded.ok()) ExpectEmpty(index);
    return loaded.status();
  }

  testing::TempDir dir_;
  std::string path_;
  std::string bytes_;
};

TEST_F(DamagedSnapshotTest, EveryBitFlipIsRefused) {
  ASSERT_TRUE(Load(bytes_).ok());
  for (size_t at = 0; at < bytes_.size(); ++at) {
    std::string damaged = bytes_;
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << (at % 8)));
    const absl::Status status = Load(damaged);
    ASSERT_FALSE(status.ok()) << "a flip at byte " << at << " went unseen";
    // The version field (bytes 8..11) is read before any checksum.
    if (at >= 8 && at < 12) {
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << at;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << at << status;
    }
    EXPECT_NE(status.message().find(path_), absl::string_view::npos);
  }
}

TEST_F(DamagedSnapshotTest, EveryTruncationIsRefused) {
  for (size_t size = 0; size < bytes_.size(); ++size) {
    const absl::Status status = Load(bytes_.substr(0, size));
    ASSERT_EQ(status.code(), absl::StatusCode::kDataLoss)
        << "cut at " << size << ": " << status;
  }
  // Bytes after the trailer are refused too: the file is not what was
  // written.
  EXPECT_EQ(Load(bytes_ + "x").code(), absl::StatusCode::kDataLoss);
}

// Version 1 held the live bulletins only, which a load applied again;
// version 2 held the records as protobufs; version 3 held them
// uncompressed, with no dictionaries.
TEST_F(DamagedSnapshotTest, OtherFormatVersionsAreRefusedByName) {
  for (uint32_t version :
       {0u, 1u, 2u, 3u, kSnapshotFormatVersion + 1, 0xFFFFFFFFu}) {
    std::string other = bytes_;
    for (int i = 0; i < 4; ++i)
      other[8 + i] = static_cast<char>(version >> (8 * i));
    const absl::Status status = Load(other);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(status.message().find(absl::StrCat("format version ", version,
                                                 "; this build reads version ",
                                                 kSnapshotFormatVersion)),
              absl::string_view::npos)
        << status;
  }
}

TEST_F(DamagedSnapshotTest, OtherFilesAreNotSnapshots) {
  const absl::Status status =
      Load("{\"this\": \"is not a snapshot, but is long enough\"}");
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("not a snapshot"), absl::string_view::npos);
  BulletinIndex index;
  EXPECT_EQ(
      LoadSnapshotFile(dir_.path() + "/missing.snap", &index).status().code(),
      absl::StatusCode::kNotFound);
}

TEST_F(DamagedSnapshotTest, LoadsOnlyIntoAnEmptyIndex) {
  BulletinIndex index;
  index.Apply(testing::Upsert(1, testing::MakeBulletin("x", "标题", "导语")));
  EXPECT_EQ(LoadSnapshotFile(path_, &index).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(index.Get("x").ok());
}

}  // namespace
}  // namespace bulletin
