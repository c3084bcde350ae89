// PostingWriter and PostingCursor: frozen blobs (skip tables, Rice-coded
// positions) and growable streams (varint positions) read back exactly,
// whichever way the cursor moves through them.

#include "query-service/index/postings/postings.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

struct Entry {
  uint32_t doc;
  FieldCounts counts;
  std::vector<uint32_t> positions;
};

// Entries with every count shape, and positions from tiny gaps to values
// past the Rice code's escape.
std::vector<Entry> RandomEntries(int n, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<Entry> entries;
  uint32_t doc = 0;
  for (int i = 0; i < n; ++i) {
    doc += 1 + random() % (i % 7 == 0 ? 5000 : 3);
    Entry e;
    e.doc = doc;
    const int shape = static_cast<int>(random() % 5);
    e.counts = shape == 0 ? FieldCounts{0, 0, 1}
               : shape == 1
                   ? FieldCounts{0, 0, 2 + static_cast<int>(random() % 9)}
               : shape == 2 ? FieldCounts{1, 0, 0}
                            : FieldCounts{static_cast<int>(random() % 3),
                                          static_cast<int>(random() % 3),
                                          1 + static_cast<int>(random() % 3)};
    const int count = e.counts[0] + e.counts[1] + e.counts[2];
    uint32_t position = 0;
    for (int k = 0; k < count; ++k) {
      const uint32_t r = static_cast<uint32_t>(random());
      position += (k == 0 ? 0 : 1) + (r % 50 == 0   ? r % 3000000
                                      : r % 50 == 1 ? r % 900
                                                    : r % 12);
      e.positions.push_back(position);
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

std::string Blob(const std::vector<Entry>& entries) {
  PostingWriter writer;
  for (const Entry& e : entries) writer.Add(e.doc, e.counts, e.positions);
  return writer.Finish();
}

struct Streams {
  std::string docs;
  std::string positions;
  std::string skips;
};

Streams Growable(const std::vector<Entry>& entries) {
  Streams s;
  uint32_t last = 0;
  uint32_t count = 0;
  for (const Entry& e : entries) {
    AppendGrowableSkip(count++, last, s.docs.size(), s.positions.size(),
                       &s.skips);
    AppendEntry(e.doc, e.counts, e.positions.data(), e.positions.size(), &last,
                &s.docs, &s.positions);
  }
  return s;
}

void ExpectReadsBack(PostingCursor cursor, const std::vector<Entry>& entries) {
  std::vector<uint32_t> positions;
  for (const Entry& e : entries) {
    ASSERT_TRUE(cursor.Next());
    EXPECT_EQ(cursor.doc(), e.doc);
    EXPECT_EQ(cursor.counts(), e.counts);
    cursor.ReadPositions(&positions);
    EXPECT_THAT(positions, ElementsAreArray(e.positions)) << "doc " << e.doc;
  }
  EXPECT_FALSE(cursor.Next());
}

TEST(PostingsTest, FrozenBlobReadsBackEveryEntry) {
  const std::vector<Entry> entries = RandomEntries(1000, 1);
  const std::string blob = Blob(entries);
  PostingCursor cursor = PostingCursor::OverBlob(blob);
  EXPECT_EQ(cursor.stored_count(), 1000u);
  ExpectReadsBack(cursor, entries);
}

// A faceted search marks the documents of a block that cannot make its
// page without reading their counts (match_finder.h): from any entry, the
// rest of its block, and Next goes on with the next block's first entry
// and its positions, in frozen and growable lists alike.
TEST(PostingsTest, MarkRestOfBlockMarksTheBlocksDocumentsAndMovesOn) {
  const std::vector<Entry> entries = RandomEntries(300, 9);
  const std::string blob = Blob(entries);
  const Streams streams = Growable(entries);
  for (const bool frozen : {true, false}) {
    SCOPED_TRACE(frozen ? "frozen" : "growable");
    PostingCursor cursor =
        frozen ? PostingCursor::OverBlob(blob)
               : PostingCursor::OverStreams(streams.docs, streams.positions,
                                            streams.skips);
    std::vector<uint64_t> bits((entries.back().doc + 64) / 64, 0);
    std::vector<uint64_t> want(bits.size(), 0);
    std::vector<uint32_t> positions;
    // Marks from the 10th entry of the first block, the first of the
    // second, the last of the third and the 20th of the last (300 entries:
    // four full blocks and 44).
    const std::vector<size_t> marks_after = {9, 64, 191, 275};
    size_t next = 0;
    for (size_t at : marks_after) {
      while (next <= at) {
        ASSERT_TRUE(cursor.Next());
        ASSERT_EQ(cursor.doc(), entries[next].doc);
        ++next;
      }
      const size_t block_end =
          std::min(entries.size(), (at / kPostingBlock + 1) * kPostingBlock);
      EXPECT_EQ(cursor.MarkRestOfBlock(bits.data()), block_end - at - 1);
      for (size_t i = at + 1; i < block_end; ++i) {
        want[entries[i].doc >> 6] |= uint64_t{1} << (entries[i].doc & 63);
      }
      next = block_end;
      if (next < entries.size()) {
        ASSERT_TRUE(cursor.Next());
        EXPECT_EQ(cursor.doc(), entries[next].doc);
        EXPECT_EQ(cursor.counts(), entries[next].counts);
        cursor.ReadPositions(&positions);
        EXPECT_THAT(positions, ElementsAreArray(entries[next].positions));
        ++next;
      }
    }
    EXPECT_FALSE(cursor.Next());
    EXPECT_EQ(bits, want);
  }
}

// After MarkRestOfBlock, a frozen list gives the next block's bound before
// any of its entries is read, and a whole block can be marked from there;
// a growable list bounds nothing.
TEST(PostingsTest, NextBlockBoundLetsWholeBlocksBeMarked) {
  const std::vector<Entry> entries = RandomEntries(200, 11);
  const std::string blob = Blob(entries);
  PostingCursor cursor = PostingCursor::OverBlob(blob);
  BlockBound bound;
  ASSERT_TRUE(cursor.Next());
  EXPECT_FALSE(cursor.NextBlockBound(&bound));  // On an entry.
  std::vector<uint64_t> bits((entries.back().doc + 64) / 64, 0);
  EXPECT_EQ(cursor.MarkRestOfBlock(bits.data()), kPostingBlock - 1);
  ASSERT_TRUE(cursor.NextBlockBound(&bound));
  EXPECT_EQ(bound.saturation, kFullSaturation);  // Written without a basis.
  // The second block whole, then the third's first entry.
  EXPECT_EQ(cursor.MarkRestOfBlock(bits.data()), kPostingBlock);
  ASSERT_TRUE(cursor.Next());
  EXPECT_EQ(cursor.doc(), entries[2 * kPostingBlock].doc);
  EXPECT_EQ(cursor.counts(), entries[2 * kPostingBlock].counts);
  std::vector<uint64_t> want(bits.size(), 0);
  for (size_t i = 1; i < 2 * kPostingBlock; ++i) {
    want[entries[i].doc >> 6] |= uint64_t{1} << (entries[i].doc & 63);
  }
  EXPECT_EQ(bits, want);

  const Streams streams = Growable(entries);
  PostingCursor growable = PostingCursor::OverStreams(
      streams.docs, streams.positions, streams.skips);
  ASSERT_TRUE(growable.Next());
  growable.MarkRestOfBlock(bits.data());
  EXPECT_FALSE(growable.NextBlockBound(&bound));
}

// A compaction that renumbers nothing extends a frozen list instead of
// coding it again: the result must read as if written in one go, skips
// included, wherever the first part ended (mid-block, mid-byte).
TEST(PostingsTest, ResumedBlobReadsLikeOneWrittenWhole) {
  const std::vector<Entry> entries = RandomEntries(700, 5);
  for (size_t split : {size_t{1}, size_t{63}, size_t{64}, size_t{200}}) {
    PostingWriter first;
    for (size_t i = 0; i < split; ++i) {
      first.Add(entries[i].doc, entries[i].counts, entries[i].positions);
    }
    PostingWriter resumed = PostingWriter::Resuming(first.Finish());
    EXPECT_EQ(resumed.size(), split);
    for (size_t i = split; i < entries.size(); ++i) {
      resumed.Add(entries[i].doc, entries[i].counts, entries[i].positions);
    }
    const std::string blob = resumed.Finish();
    // Byte for byte, skips and bounds included.
    EXPECT_EQ(blob, Blob(entries)) << split;
    ExpectReadsBack(PostingCursor::OverBlob(blob), entries);
    PostingCursor c = PostingCursor::OverBlob(blob);
    std::vector<uint32_t> positions;
    for (size_t i = 5; i < entries.size(); i += 97) {
      ASSERT_TRUE(c.SkipTo(entries[i].doc)) << split;
      EXPECT_EQ(c.doc(), entries[i].doc);
      c.ReadPositions(&positions);
      EXPECT_THAT(positions, ElementsAreArray(entries[i].positions));
    }
  }
}

// Freezes resume the same list again and again: each one codes the last
// block's positions anew, and a list without positions stays without.
TEST(PostingsTest, ResumingRepeatedlyKeepsEveryEntry) {
  const std::vector<Entry> entries = RandomEntries(300, 7);
  std::string blob;
  std::string blob_without_positions;
  size_t done = 0;
  for (size_t step : {size_t{1}, size_t{10}, size_t{53}, size_t{64}, size_t{3},
                      size_t{169}}) {
    PostingWriter writer = PostingWriter::Resuming(blob);
    PostingWriter without = PostingWriter::Resuming(blob_without_positions);
    for (size_t i = done; i < done + step; ++i) {
      writer.Add(entries[i].doc, entries[i].counts, entries[i].positions);
      without.Add(entries[i].doc, entries[i].counts, {});
    }
    done += step;
    blob = writer.Finish();
    blob_without_positions = without.Finish();
    ExpectReadsBack(
        PostingCursor::OverBlob(blob),
        std::vector<Entry>(entries.begin(), entries.begin() + done));
  }
  ASSERT_EQ(done, entries.size());
  EXPECT_EQ(blob, Blob(entries));
  std::vector<Entry> counts_only = entries;
  for (Entry& e : counts_only) e.positions.clear();
  PostingWriter whole;
  for (const Entry& e : counts_only) whole.Add(e.doc, e.counts, {});
  EXPECT_EQ(blob_without_positions, whole.Finish());
}

// A made-up score shape, as postings.h asks: in [0, 1], up with the count,
// down with the length, scaled by the reference.
double Shape(double weighted_count, double length, double reference) {
  return weighted_count / (weighted_count + 1 + length / reference);
}

// Every block of a frozen list of more than one block bounds its entries
// tightly (the largest shape, rounded up to 16 bits, at the reference it
// was begun with), resumed or written whole, and NextBlock lands on the
// next block's first entry.
TEST(PostingsTest, BlockBoundsHoldForTheirEntries) {
  const std::vector<Entry> entries = RandomEntries(1000, 11);
  LengthBounds lengths(entries.back().doc + 1);
  std::mt19937 random(12);
  for (uint16_t& length : lengths) length = random() % 3000;
  const BlockBasis basis{&lengths, 700, &Shape};
  // A resumed list's first blocks were begun with another reference.
  const BlockBasis earlier{&lengths, 300, &Shape};
  PostingWriter whole(&basis);
  PostingWriter first(&earlier);
  for (size_t i = 0; i < entries.size(); ++i) {
    whole.Add(entries[i].doc, entries[i].counts, entries[i].positions);
    if (i < 140) {
      first.Add(entries[i].doc, entries[i].counts, entries[i].positions);
    }
  }
  PostingWriter resumed = PostingWriter::Resuming(first.Finish(), &basis);
  for (size_t i = 140; i < entries.size(); ++i) {
    resumed.Add(entries[i].doc, entries[i].counts, entries[i].positions);
  }
  const std::string resumed_blob = resumed.Finish();
  const std::string blob = whole.Finish();
  // The same entries and positions either way; only the bounds differ.
  ExpectReadsBack(PostingCursor::OverBlob(resumed_blob), entries);

  for (const std::string* list : {&blob, &resumed_blob}) {
    PostingCursor c = PostingCursor::OverBlob(*list);
    for (size_t begin = 0; begin < entries.size(); begin += kPostingBlock) {
      const size_t end =
          std::min<size_t>(begin + kPostingBlock, entries.size());
      // Blocks 0..2 of the resumed list were begun before it resumed.
      const uint32_t reference =
          list == &resumed_blob && begin < 192 ? 300 : 700;
      uint32_t want = 0;
      for (size_t i = begin; i < end; ++i) {
        const double shape = Shape(WeightedCount(entries[i].counts),
                                   lengths[entries[i].doc], reference);
        want = std::max(
            want, static_cast<uint32_t>(std::ceil(shape * kFullSaturation)));
      }
      if (begin == 0) {
        ASSERT_TRUE(c.Next());
      }
      EXPECT_EQ(c.doc(), entries[begin].doc);
      BlockBound got;
      ASSERT_TRUE(c.CurrentBlockBound(&got));
      EXPECT_EQ(got.saturation, want) << begin;
      EXPECT_EQ(got.reference_length, reference) << begin;
      // Mid-block, the bound is the block's.
      ASSERT_TRUE(c.SkipTo(entries[end - 1].doc));
      ASSERT_TRUE(c.CurrentBlockBound(&got));
      EXPECT_EQ(got.saturation, want);
      EXPECT_EQ(c.NextBlock(), end < entries.size());
    }
  }
  // Without a basis, blocks bound nothing; lists of one block and growable
  // ones store no bounds.
  const std::string without_basis = Blob(entries);
  PostingCursor unbounded = PostingCursor::OverBlob(without_basis);
  BlockBound got;
  ASSERT_TRUE(unbounded.Next());
  ASSERT_TRUE(unbounded.CurrentBlockBound(&got));
  EXPECT_EQ(got.saturation, kFullSaturation);
  const std::string small = Blob(
      std::vector<Entry>(entries.begin(), entries.begin() + kPostingBlock));
  PostingCursor one = PostingCursor::OverBlob(small);
  ASSERT_TRUE(one.Next());
  EXPECT_FALSE(one.CurrentBlockBound(&got));
  const Streams s = Growable(entries);
  PostingCursor growable =
      PostingCursor::OverStreams(s.docs, s.positions, s.skips);
  ASSERT_TRUE(growable.Next());
  EXPECT_FALSE(growable.CurrentBlockBound(&got));
}

TEST(PostingsTest, GrowableStreamsReadBackEveryEntry) {
  const std::vector<Entry> entries = RandomEntries(1000, 2);
  const Streams s = Growable(entries);
  EXPECT_EQ(s.skips.size(), 12u * ((entries.size() - 1) / kPostingBlock));
  ExpectReadsBack(PostingCursor::OverStreams(s.docs, s.positions, s.skips),
                  entries);
  ExpectReadsBack(PostingCursor::OverStreams(s.docs, s.positions), entries);
}

// Skipping over entries (and over whole blocks through the skip table)
// without reading their positions must leave the position stream in step,
// in frozen lists and in growable ones with and without skip entries.
TEST(PostingsTest, SkipToFindsEntriesAndTheirPositions) {
  const std::vector<Entry> entries = RandomEntries(3000, 3);
  const std::string blob = Blob(entries);
  const Streams s = Growable(entries);
  std::mt19937 random(4);
  for (int trial = 0; trial < 20; ++trial) {
    PostingCursor frozen = PostingCursor::OverBlob(blob);
    PostingCursor growable =
        PostingCursor::OverStreams(s.docs, s.positions, s.skips);
    PostingCursor unskippable = PostingCursor::OverStreams(s.docs, s.positions);
    size_t i = 0;
    std::vector<uint32_t> positions;
    ASSERT_TRUE(frozen.Next());
    ASSERT_TRUE(growable.Next());
    ASSERT_TRUE(unskippable.Next());
    while (true) {
      // Forward by one entry or more, never back to one already seen.
      i += 1 + random() % (trial % 2 == 0 ? 3 : 200);
      if (i >= entries.size()) break;
      // Sometimes a target between two documents.
      uint32_t target = entries[i].doc;
      if (random() % 2 == 0 && target - 1 > entries[i - 1].doc) --target;
      for (PostingCursor* c : {&frozen, &growable, &unskippable}) {
        ASSERT_TRUE(c->SkipTo(target));
        EXPECT_EQ(c->doc(), entries[i].doc);
        if (random() % 2 == 0) {
          c->ReadPositions(&positions);
          EXPECT_THAT(positions, ElementsAreArray(entries[i].positions));
        }
      }
    }
    EXPECT_FALSE(frozen.SkipTo(entries.back().doc + 1));
    EXPECT_FALSE(growable.SkipTo(entries.back().doc + 1));
    EXPECT_FALSE(unskippable.SkipTo(entries.back().doc + 1));
  }
}

// A phrase reads another bigram's positions only up to its last open
// start: what is left of the entry must not shift the positions of the
// entries after it, in either kind of list.
TEST(PostingsTest, PositionsReadUpToABoundLeaveTheRestInStep) {
  const std::vector<Entry> entries = RandomEntries(1000, 11);
  const std::string blob = Blob(entries);
  const Streams s = Growable(entries);
  std::mt19937 random(12);
  PostingCursor frozen = PostingCursor::OverBlob(blob);
  PostingCursor growable =
      PostingCursor::OverStreams(s.docs, s.positions, s.skips);
  std::vector<uint32_t> positions;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::vector<uint32_t>& all = entries[i].positions;
    // A bound below, at, between or past the entry's positions, or none
    // read at all.
    const uint32_t pick = static_cast<uint32_t>(random() % (all.size() + 2));
    const uint32_t up_to = pick == 0           ? 0
                           : pick > all.size() ? UINT32_MAX
                           : random() % 2 == 0 ? all[pick - 1]
                                               : all[pick - 1] + 1;
    std::vector<uint32_t> expected;
    for (uint32_t p : all) {
      if (p <= up_to) expected.push_back(p);
    }
    const bool reads = random() % 4 != 0;
    for (PostingCursor* c : {&frozen, &growable}) {
      ASSERT_TRUE(c->Next());
      ASSERT_EQ(c->doc(), entries[i].doc);
      if (!reads) continue;
      c->ReadPositions(&positions, up_to);
      EXPECT_THAT(positions, ElementsAreArray(expected))
          << "entry " << i << " up to " << up_to;
    }
  }
}

TEST(PostingsTest, ListsWithoutPositionsKeepTheirCounts) {
  // A bigram ending a segment stores no positions.
  Streams s;
  uint32_t last = 0;
  AppendEntry(3, FieldCounts{0, 2, 0}, nullptr, 0, &last, &s.docs,
              &s.positions);
  AppendEntry(9, FieldCounts{0, 0, 1}, nullptr, 0, &last, &s.docs,
              &s.positions);
  EXPECT_TRUE(s.positions.empty());
  PostingWriter writer;
  writer.Add(3, FieldCounts{0, 2, 0}, {});
  writer.Add(9, FieldCounts{0, 0, 1}, {});
  const std::string blob = writer.Finish();
  for (PostingCursor c : {PostingCursor::OverBlob(blob),
                          PostingCursor::OverStreams(s.docs, s.positions)}) {
    ASSERT_TRUE(c.Next());
    EXPECT_EQ(c.doc(), 3u);
    EXPECT_EQ(c.counts(), (FieldCounts{0, 2, 0}));
    ASSERT_TRUE(c.SkipTo(9));
    EXPECT_EQ(c.counts(), (FieldCounts{0, 0, 1}));
    EXPECT_FALSE(c.Next());
  }
}

TEST(PostingsTest, EmptyAndSingleEntryLists) {
  EXPECT_FALSE(PostingCursor().Next());
  EXPECT_FALSE(PostingCursor::OverBlob({}).SkipTo(0));
  PostingWriter writer;
  writer.Add(0, FieldCounts{0, 0, 1}, {4000000});
  const std::string blob = writer.Finish();
  PostingCursor c = PostingCursor::OverBlob(blob);
  ASSERT_TRUE(c.SkipTo(0));
  std::vector<uint32_t> positions;
  c.ReadPositions(&positions);
  EXPECT_THAT(positions, ElementsAre(4000000u));
  EXPECT_FALSE(c.Next());
}

}  // namespace
}  // namespace bulletin
