#include "query-service/index/query/term_search.h"

#include <algorithm>

#include "query-service/index/text/fold.h"

namespace bulletin {
namespace {

void Add(const FieldCounts& from, FieldCounts* to) {
  for (int k = 0; k < 3; ++k) (*to)[k] += from[k];
}

}  // namespace

TermMatcher::TermMatcher(std::string_view folded_term, const GramIndex& grams,
                         const Corpus& corpus)
    : corpus_(&corpus) {
  std::vector<char32_t> cps;
  FoldCodePoints(folded_term, &cps);
  code_points_ = cps.size();
  if (cps.size() == 1) {
    // Cursors (three PostingCursors each, for each of the bigrams the
    // character starts) are made only for CountIn: FindAll reads each list
    // once, with a cursor on the stack, and needs no vector of them.
    size_t documents = 0;
    grams.ForEachStartingWith(cps[0], [&](const GramIndex::List& list) {
      code_point_lists_.push_back(list);
      documents += list.documents();
      find_all_cost_ += list.bytes();
    });
    estimated_documents_ = static_cast<uint32_t>(
        std::min<size_t>(documents, corpus.documents.size()));
    character_bounds_ = grams.CharacterBoundsOf(cps[0]);
  } else if (cps.size() >= 2) {
    // Every bigram of the term must be somewhere; the rarest bounds the
    // documents and drives the search.
    std::vector<GramIndex::List> lists;
    size_t rarest = 0;
    for (size_t i = 0; i + 1 < cps.size(); ++i) {
      lists.push_back(grams.Find(cps[i], cps[i + 1]));
      if (lists.back().documents() < lists[rarest].documents()) rarest = i;
    }
    estimated_documents_ = lists[rarest].documents();
    find_all_cost_ = lists[rarest].bytes() * (cps.size() > 2 ? 2 : 1);
    // Bigrams at 0, 2, 4, ... and the last cover every code point; the
    // rarest is added so that it can lead.
    std::vector<uint32_t> offsets;
    for (uint32_t i = 0; i + 1 < cps.size(); i += 2) offsets.push_back(i);
    offsets.push_back(static_cast<uint32_t>(cps.size() - 2));
    offsets.push_back(static_cast<uint32_t>(rarest));
    std::sort(offsets.begin(), offsets.end(), [&](uint32_t a, uint32_t b) {
      const uint32_t da = lists[a].documents();
      const uint32_t db = lists[b].documents();
      return da != db ? da < db : a < b;
    });
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    for (uint32_t offset : offsets) {
      cursors_.push_back(Part{GramIndex::Cursor(lists[offset]), offset});
      // A near-universal bigram (政协 in a round-up of CPPCC meetings) is
      // in almost every candidate the rarer ones give: aligned, it would
      // cost a skip per candidate and reject almost none. Sorted rarest
      // first, the aligned parts are a prefix; the lead always is one.
      if (cursors_.size() == 1 ||
          2 * static_cast<size_t>(lists[offset].documents()) <=
              corpus.documents.size()) {
        aligned_parts_ = cursors_.size();
      }
    }
  }
  impossible_ = estimated_documents_ == 0;
}

void TermMatcher::FindAll(std::vector<DocumentCounts>* out) {
  if (impossible_) return;
  if (code_points_ > 2) {
    FindAllPhrase(out);
  } else if (code_points_ == 1) {
    FindAllCodePoint(out);
  } else {
    GramIndex::Cursor& cursor = cursors_[0].cursor;
    while (cursor.Next()) {
      if (corpus_->ranks[cursor.doc()].live) {
        out->push_back(DocumentCounts{cursor.doc(), cursor.counts()});
      }
    }
  }
}

void TermMatcher::FindAllCodePoint(std::vector<DocumentCounts>* out) {
  if (code_point_lists_.size() == 1) {
    GramIndex::Cursor cursor(code_point_lists_[0]);
    while (cursor.Next()) {
      if (corpus_->ranks[cursor.doc()].live) {
        out->push_back(DocumentCounts{cursor.doc(), cursor.counts()});
      }
    }
    return;
  }
  const size_t document_count = corpus_->documents.size();
  size_t entries = 0;
  for (const GramIndex::List& list : code_point_lists_) {
    entries += list.documents();
  }
  if (entries * 4 < document_count) {
    // Few entries: sort them rather than sweep every document.
    const size_t first = out->size();
    for (const GramIndex::List& list : code_point_lists_) {
      GramIndex::Cursor cursor(list);
      while (cursor.Next()) {
        out->push_back(DocumentCounts{cursor.doc(), cursor.counts()});
      }
    }
    std::sort(out->begin() + first, out->end(),
              [](const DocumentCounts& a, const DocumentCounts& b) {
                return a.doc < b.doc;
              });
    size_t kept = first;
    for (size_t i = first; i < out->size(); ++i) {
      const DocumentCounts& entry = (*out)[i];
      if (!corpus_->ranks[entry.doc].live) continue;
      if (kept > first && (*out)[kept - 1].doc == entry.doc) {
        Add(entry.counts, &(*out)[kept - 1].counts);
      } else {
        (*out)[kept++] = entry;
      }
    }
    out->resize(kept);
    return;
  }
  std::vector<FieldCounts> totals(document_count, FieldCounts{0, 0, 0});
  for (const GramIndex::List& list : code_point_lists_) {
    GramIndex::Cursor cursor(list);
    while (cursor.Next()) Add(cursor.counts(), &totals[cursor.doc()]);
  }
  for (uint32_t doc = 0; doc < document_count; ++doc) {
    if (OccursAnywhere(totals[doc]) && corpus_->ranks[doc].live) {
      out->push_back(DocumentCounts{doc, totals[doc]});
    }
  }
}

void TermMatcher::FindAllPhrase(std::vector<DocumentCounts>* out) {
  uint32_t target = 0;
  auto every_block = [](const BlockBound&) { return true; };
  while (AlignParts(target, every_block)) {
    const uint32_t doc = cursors_[0].cursor.doc();
    if (corpus_->ranks[doc].live) {
      const FieldCounts counts = CountPhrase(doc);
      if (OccursAnywhere(counts)) out->push_back(DocumentCounts{doc, counts});
    }
    target = doc + 1;
  }
}

bool TermMatcher::PassRejectedBlocks(BlockTest may_make_page) {
  GramIndex::Cursor& lead = cursors_[0].cursor;
  BlockBound block;
  while (lead.CurrentBlockBound(&block) && !may_make_page(block)) {
    ++skipped_blocks_;
    if (!lead.NextBlock()) return false;
  }
  return true;
}

bool TermMatcher::AlignParts(uint32_t target, BlockTest may_make_page) {
  // Leapfrog: the rarest list proposes a document, the others skip to it;
  // whichever lands beyond proposes the next.
  GramIndex::Cursor& lead = cursors_[0].cursor;
  if (!lead.SkipTo(target) || !PassRejectedBlocks(may_make_page)) return false;
  target = lead.doc();
  for (;;) {
    bool aligned = true;
    for (size_t j = 1; j < aligned_parts_; ++j) {
      GramIndex::Cursor& other = cursors_[j].cursor;
      if (!other.SkipTo(target)) return false;
      if (other.doc() > target) {
        target = other.doc();
        aligned = false;
        break;
      }
    }
    if (aligned) return true;
    if (!lead.SkipTo(target) || !PassRejectedBlocks(may_make_page)) {
      return false;
    }
    target = lead.doc();
  }
}

FieldCounts TermMatcher::PartsBound() const {
  FieldCounts bound = cursors_[0].cursor.counts();
  for (size_t j = 1; j < aligned_parts_; ++j) {
    const FieldCounts& counts = cursors_[j].cursor.counts();
    for (int k = 0; k < 3; ++k) bound[k] = std::min(bound[k], counts[k]);
  }
  return bound;
}

FieldCounts TermMatcher::CountPhrase(uint32_t doc) {
  // The starts the rarest bigram allows, narrowed by each other bigram in
  // turn (rarer first); once none is left the rest are not read, which in
  // a frozen list costs nothing (postings.h).
  std::vector<uint32_t>& starts = starts_;
  std::vector<uint32_t>& positions = positions_;
  cursors_[0].cursor.ReadPositions(&positions);
  const uint32_t lead_offset = cursors_[0].offset;
  starts.clear();
  for (uint32_t p : positions) {
    if (p >= lead_offset) starts.push_back(p - lead_offset);
  }
  FieldCounts counts = {0, 0, 0};
  for (size_t j = 1; j < cursors_.size() && !starts.empty(); ++j) {
    GramIndex::Cursor& part = cursors_[j].cursor;
    if (j >= aligned_parts_ && (!part.SkipTo(doc) || part.doc() != doc)) {
      return counts;
    }
    const uint32_t offset = cursors_[j].offset;
    // Positions past the last start still open are not needed.
    part.ReadPositions(&positions, starts.back() + offset);
    size_t kept = 0;
    size_t at = 0;
    for (uint32_t start : starts) {
      const uint32_t want = start + offset;
      while (at < positions.size() && positions[at] < want) ++at;
      if (at == positions.size()) break;
      if (positions[at] == want) starts[kept++] = start;
    }
    starts.resize(kept);
  }
  const DocumentMeta& meta = corpus_->documents[doc];
  for (uint32_t start : starts) {
    ++counts[start < meta.lead_start ? 0 : start < meta.item_start ? 1 : 2];
  }
  return counts;
}

FieldCounts TermMatcher::CountIn(uint32_t doc) {
  FieldCounts counts = {0, 0, 0};
  if (impossible_) return counts;
  if (code_points_ <= 2) {
    if (code_points_ == 1 && cursors_.empty()) {
      cursors_.reserve(code_point_lists_.size());
      for (const GramIndex::List& list : code_point_lists_) {
        cursors_.push_back(Part{GramIndex::Cursor(list), 0});
      }
    }
    for (Part& part : cursors_) {
      if (part.cursor.SkipTo(doc) && part.cursor.doc() == doc) {
        Add(part.cursor.counts(), &counts);
      }
    }
    return counts;
  }
  for (size_t j = 0; j < aligned_parts_; ++j) {
    GramIndex::Cursor& part = cursors_[j].cursor;
    if (!part.SkipTo(doc) || part.doc() != doc) return counts;
  }
  return CountPhrase(doc);
}

void TermMatcher::LeadByBlocks() {
  if (code_points_ != 1 || impossible_ ||
      character_bounds_.saturation.empty()) {
    return;
  }
  by_blocks_ = true;
  cursors_.clear();
  for (const GramIndex::List& list : code_point_lists_) {
    cursors_.push_back(Part{GramIndex::Cursor(list), 0});
  }
  list_at_.assign(cursors_.size(), 0);
}

void TermMatcher::Gather(uint32_t first) {
  const uint32_t end = first + kBlock;
  gathered_.fill(FieldCounts{0, 0, 0});
  gathered_first_ = first;
  gathered_next_ = 0;
  for (size_t k = 0; k < cursors_.size(); ++k) {
    // Most lists of a common character are short: one look at where the
    // cursor is spares a skip.
    uint32_t& at = list_at_[k];
    if (at >= end) continue;
    GramIndex::Cursor& cursor = cursors_[k].cursor;
    if (!cursor.SkipTo(first)) {
      at = kExhausted;
      continue;
    }
    at = cursor.doc();
    while (at < end) {
      Add(cursor.counts(), &gathered_[at - first]);
      at = cursor.Next() ? cursor.doc() : kExhausted;
    }
  }
}

bool TermMatcher::NextCandidateByBlocks(uint32_t* doc, FieldCounts* bound,
                                        BlockTest may_make_page) {
  const auto documents = static_cast<uint32_t>(corpus_->documents.size());
  const absl::Span<const uint16_t> bounds = character_bounds_.saturation;
  for (;;) {
    while (gathered_next_ < kBlock) {
      const uint32_t i = gathered_next_++;
      if (!OccursAnywhere(gathered_[i])) continue;
      *doc = gathered_first_ + i;
      *bound = gathered_[i];
      bound_ = *bound;
      return true;
    }
    const uint32_t block = next_block_;
    if (static_cast<uint64_t>(block) * kBlock >= documents) return false;
    ++next_block_;
    // Documents past the bounds (added since the freeze) are always read.
    if (block < bounds.size() &&
        !may_make_page(
            BlockBound{bounds[block], character_bounds_.reference_length})) {
      ++skipped_blocks_;
      continue;
    }
    Gather(block * kBlock);
  }
}

void TermMatcher::Materialize() {
  if (materialized_) return;
  FindAll(&all_);
  materialized_ = true;
}

bool TermMatcher::Bound(uint32_t doc, FieldCounts* bound) {
  if (impossible_) return false;
  if (materialized_) {
    while (next_ < all_.size() && all_[next_].doc < doc) ++next_;
    if (next_ == all_.size() || all_[next_].doc != doc) return false;
    *bound = all_[next_].counts;
  } else if (code_points_ <= 2) {
    *bound = CountIn(doc);
    if (!OccursAnywhere(*bound)) return false;
  } else {
    for (size_t j = 0; j < aligned_parts_; ++j) {
      GramIndex::Cursor& part = cursors_[j].cursor;
      if (!part.SkipTo(doc) || part.doc() != doc) return false;
    }
    *bound = PartsBound();
  }
  bound_ = *bound;
  return true;
}

FieldCounts TermMatcher::Verify(uint32_t doc) {
  return NeedsVerify() ? CountPhrase(doc) : bound_;
}

bool TermMatcher::NextCandidate(uint32_t* doc, FieldCounts* bound,
                                BlockTest may_make_page) {
  if (impossible_) return false;
  if (by_blocks_) return NextCandidateByBlocks(doc, bound, may_make_page);
  if (code_points_ == 1) Materialize();
  if (materialized_) {
    if (started_) ++next_;
    started_ = true;
    if (next_ >= all_.size()) return false;
    *doc = all_[next_].doc;
    *bound = all_[next_].counts;
    bound_ = *bound;
    return true;
  }
  GramIndex::Cursor& lead = cursors_[0].cursor;
  if (code_points_ == 2) {
    if (!lead.Next() || !PassRejectedBlocks(may_make_page)) return false;
  } else if (!AlignParts(started_ ? lead.doc() + 1 : 0, may_make_page)) {
    return false;
  }
  started_ = true;
  *doc = lead.doc();
  *bound = code_points_ == 2 ? lead.counts() : PartsBound();
  bound_ = *bound;
  return true;
}

}  // namespace bulletin
