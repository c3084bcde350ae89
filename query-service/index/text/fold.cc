#include "query-service/index/text/fold.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/container/flat_hash_map.h"
#include "common/text/nfkc.h"
#include "common/text/traditional_simplified.h"

namespace bulletin {
namespace {

// Code points above this fold to themselves: planes 4 and up hold no
// characters with case, compatibility or traditional forms.
constexpr char32_t kLastFoldedCodePoint = 0x3FFFF;
// Table values: a code point, or one of these markers.
constexpr uint32_t kDelete = 0xFFFFFFFFu;
constexpr uint32_t kExpansion = 0x80000000u;

class FoldTable {
 public:
  static const FoldTable& Get() {
    static const FoldTable* table = new FoldTable();
    return *table;
  }

  // Appends the fold of `c` to `emit`, which takes one code point.
  template <typename Emit>
  void Fold(char32_t c, Emit&& emit) const {
    uint32_t v;
    if (c < 0x10000) {
      v = bmp_[c];
    } else {
      auto it = supplementary_.find(c);
      v = it == supplementary_.end() ? c : it->second;
    }
    if (v == kDelete) return;
    if (v & kExpansion) {
      for (char32_t e : expansions_[v & ~kExpansion]) emit(e);
      return;
    }
    emit(static_cast<char32_t>(v));
  }

 private:
  FoldTable() : bmp_(0x10000) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfkc_cf =
        icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) nfkc_cf = nullptr;
    std::vector<std::u32string> folded(kLastFoldedCodePoint + 1);
    for (char32_t c = 0; c <= kLastFoldedCodePoint; ++c) {
      folded[c] = FoldOne(nfkc_cf, c);
    }
    ApplyTraditionalToSimplified(&folded);
    // The fold of a fold must be the fold itself, or a query typed in folded
    // form would miss text folded through a chain of mappings.
    for (int round = 0; round < 3; ++round) {
      for (char32_t c = 0; c <= kLastFoldedCodePoint; ++c) {
        std::u32string again;
        for (char32_t d : folded[c]) {
          if (d <= kLastFoldedCodePoint) {
            again += folded[d];
          } else {
            again += d;
          }
        }
        folded[c] = std::move(again);
      }
    }
    for (char32_t c = 0; c <= kLastFoldedCodePoint; ++c) {
      uint32_t v = Encode(folded[c]);
      if (c < 0x10000) {
        bmp_[c] = v;
      } else if (v != c) {
        supplementary_[c] = v;
      }
    }
  }

  static std::u32string FoldOne(const icu::Normalizer2* nfkc_cf, char32_t c) {
    if (c >= 0xD800 && c <= 0xDFFF) return std::u32string(1, c);
    if (u_isUWhiteSpace(c)) return U" ";
    if (u_charType(c) == U_CONTROL_CHAR) return U"";
    if (nfkc_cf == nullptr || nfkc_cf->isInert(c)) return std::u32string(1, c);
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString out =
        nfkc_cf->normalize(icu::UnicodeString(static_cast<UChar32>(c)), status);
    if (U_FAILURE(status)) return std::u32string(1, c);
    std::u32string result;
    for (int32_t i = 0; i < out.length();) {
      UChar32 d = out.char32At(i);
      i += U16_LENGTH(d);
      // NFKC can yield white space (e.g. U+3000); keep it a plain space.
      result += u_isUWhiteSpace(d) ? U' ' : static_cast<char32_t>(d);
    }
    return result;
  }

  // The shared Traditional-to-Simplified table, applied to what NFKC with
  // case folding left as one code point.
  static void ApplyTraditionalToSimplified(
      std::vector<std::u32string>* folded) {
    const SimplifiedTable& t2s = SimplifiedTable::Get();
    for (std::u32string& f : *folded) {
      if (f.size() == 1) f[0] = t2s.Map(f[0]);
    }
  }

  uint32_t Encode(const std::u32string& f) {
    if (f.empty()) return kDelete;
    if (f.size() == 1) return f[0];
    expansions_.push_back(f);
    return kExpansion | static_cast<uint32_t>(expansions_.size() - 1);
  }

  std::vector<uint32_t> bmp_;
  absl::flat_hash_map<char32_t, uint32_t> supplementary_;
  std::vector<std::u32string> expansions_;
};

// Decodes `text` and calls `emit(folded_code_point, original_code_point,
// begin, end)` for each folded code point, with [begin, end) the bytes of
// the original code point. Collapses runs of spaces and drops leading ones.
template <typename Emit>
void ForEachFolded(std::string_view text, Emit&& emit) {
  const FoldTable& table = FoldTable::Get();
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  bool last_was_space = true;
  int32_t i = 0;
  while (i < length) {
    const int32_t begin = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) c = 0xFFFD;
    table.Fold(static_cast<char32_t>(c), [&](char32_t f) {
      if (f == U' ') {
        if (last_was_space) return;
        last_was_space = true;
      } else {
        last_was_space = false;
      }
      emit(f, static_cast<char32_t>(c), static_cast<uint32_t>(begin),
           static_cast<uint32_t>(i));
    });
  }
}

void AppendUtf8(char32_t c, std::string* out) {
  char buffer[4];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buffer, n, static_cast<UChar32>(c));
  out->append(buffer, static_cast<size_t>(n));
}

}  // namespace

void FoldAppend(std::string_view text, std::string* out) {
  // Written through a pointer into room made up front (a fold is rarely
  // longer than its text; the room grows when it is), since appending code
  // point by code point was half the cost of folding a page of hits.
  size_t used = out->size();
  out->resize(used + text.size() + 4);
  ForEachFolded(text, [&](char32_t c, char32_t, uint32_t, uint32_t) {
    if (out->size() - used < 4) out->resize(out->size() * 2);
    int32_t n = 0;
    U8_APPEND_UNSAFE(out->data() + used, n, static_cast<UChar32>(c));
    used += static_cast<size_t>(n);
  });
  out->resize(used);
}

std::string FoldText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  FoldAppend(text, &out);
  return out;
}

void FoldCodePoints(std::string_view text, std::vector<char32_t>* out) {
  ForEachFolded(text, [out](char32_t c, char32_t, uint32_t, uint32_t) {
    out->push_back(c);
  });
}

bool FoldCodePointsOfText(std::string_view text, std::vector<char32_t>* out) {
  // The fold is the text itself when every original code point yields
  // exactly itself: no gap (a dropped or collapsed code point), no repeat
  // of an origin (an expansion), no change.
  bool same = true;
  uint32_t previous_end = 0;
  ForEachFolded(text,
                [&](char32_t f, char32_t c, uint32_t begin, uint32_t end) {
                  same = same && f == c && begin == previous_end;
                  previous_end = end;
                  out->push_back(f);
                });
  return same && previous_end == text.size();
}

FoldedWithOffsets FoldWithOffsets(std::string_view text) {
  FoldedWithOffsets result;
  // A fold is rarely longer than its text: one allocation each instead of a
  // chain of them (a snippet is built for every hit).
  result.folded.reserve(text.size());
  result.begin.reserve(text.size());
  result.end.reserve(text.size());
  ForEachFolded(text,
                [&result](char32_t c, char32_t, uint32_t begin, uint32_t end) {
                  const size_t before = result.folded.size();
                  AppendUtf8(c, &result.folded);
                  for (size_t k = before; k < result.folded.size(); ++k) {
                    result.begin.push_back(begin);
                    result.end.push_back(end);
                  }
                });
  return result;
}

std::string FoldQueryText(std::string_view text) {
  std::string folded =
      FoldText(NormalizeNfkc(absl::string_view(text.data(), text.size())));
  while (!folded.empty() && folded.back() == ' ') folded.pop_back();
  return folded;
}

}  // namespace bulletin
