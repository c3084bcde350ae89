// NFKC normalization of UTF-8 text, shared by ingest (records hold text after
// NFKC) and query (queries are normalized the same way before matching).
//
//   std::string s = bulletin::NormalizeNfkc("（三）ＡＢＣ");  // "(三)ABC"
//
// NFKC folds width (full-width Latin and punctuation to half-width, half-width
// katakana to full-width) and compatibility forms; it leaves Han characters,
// including traditional ones, as written.
//
// Thread-safe: ICU's NFKC normalizer instance is immutable and shared.

#ifndef BULLETIN_COMMON_TEXT_NFKC_H_
#define BULLETIN_COMMON_TEXT_NFKC_H_

#include <string>

#include "absl/strings/string_view.h"

namespace bulletin {

// Returns `utf8` in Unicode Normalization Form KC. Ill-formed UTF-8 sequences
// become U+FFFD; callers that must reject them validate first (see
// IsValidUtf8).
std::string NormalizeNfkc(absl::string_view utf8);

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing
// above U+10FFFF). On false, sets *error_offset (if non-null) to the byte
// offset of the first bad sequence.
bool IsValidUtf8(absl::string_view bytes, size_t* error_offset = nullptr);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_TEXT_NFKC_H_
