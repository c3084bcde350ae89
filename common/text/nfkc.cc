#include "common/text/nfkc.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace bulletin {

std::string NormalizeNfkc(absl::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  icu::UnicodeString input = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  if (U_FAILURE(status)) {
    // The NFKC data ships inside libicudata; failing to load it means a broken
    // installation, and leaving the text as it is is the only safe answer.
    std::string unchanged;
    input.toUTF8String(unchanged);
    return unchanged;
  }
  // Fast path: most text is already NFKC (ASCII, common Han characters).
  if (nfkc->isNormalized(input, status) && U_SUCCESS(status)) {
    std::string out;
    input.toUTF8String(out);
    return out;
  }
  status = U_ZERO_ERROR;
  icu::UnicodeString normalized = nfkc->normalize(input, status);
  std::string out;
  (U_SUCCESS(status) ? normalized : input).toUTF8String(out);
  return out;
}

bool IsValidUtf8(absl::string_view bytes, size_t* error_offset) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t length = static_cast<int32_t>(bytes.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      if (error_offset != nullptr) *error_offset = static_cast<size_t>(start);
      return false;
    }
  }
  return true;
}

}  // namespace bulletin
