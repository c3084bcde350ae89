#include "ingest-service/parser/decode.h"

#include <unicode/ucnv.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/text/nfkc.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// 1-based line of byte `offset`, counting LF, CRLF and lone CR as one break
// each, for messages a person can act on.
size_t LineOf(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n' ||
        (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
    }
  }
  return line;
}

// Control characters other than tab, line feed, vertical tab, form feed and
// carriage return mark binary data, not text.
bool IsBinaryControl(char32_t c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' &&
          c != '\r') ||
         c == 0x7F;
}

absl::Status CheckBytesAreText(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "NUL byte at offset %d (line %d): binary data, not text; send "
          "UTF-16 with a byte order mark if the text is UTF-16",
          i, LineOf(bytes, i)));
    }
    if (IsBinaryControl(c)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "control byte 0x%02X at offset %d (line %d): binary data, not text",
          c, i, LineOf(bytes, i)));
    }
  }
  return absl::OkStatus();
}

// Decodes UTF-16 after its BOM; fails on unpaired surrogates and on
// characters that mark binary data.
absl::StatusOr<std::string> DecodeUtf16(std::string_view bytes,
                                        bool little_endian) {
  if (bytes.size() % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "UTF-16 text has an odd number of bytes (%d): the last byte at offset "
        "%d is half a character",
        bytes.size() + 2, bytes.size() + 1));
  }
  auto unit = [&](size_t i) -> char16_t {
    const auto b0 = static_cast<unsigned char>(bytes[2 * i]);
    const auto b1 = static_cast<unsigned char>(bytes[2 * i + 1]);
    return little_endian ? static_cast<char16_t>(b0 | (b1 << 8))
                         : static_cast<char16_t>((b0 << 8) | b1);
  };
  const size_t units = bytes.size() / 2;
  std::string out;
  out.reserve(bytes.size() * 3 / 2);
  for (size_t i = 0; i < units; ++i) {
    const size_t offset = 2 * i + 2;  // counting the BOM
    char32_t c = unit(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units && unit(i + 1) >= 0xDC00 &&
        unit(i + 1) <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (unit(i + 1) - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "undecodable UTF-16: unpaired surrogate 0x%04X at byte offset %d",
          static_cast<uint32_t>(c), offset));
    }
    if (c == 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "NUL character at byte offset %d of the UTF-16 text: binary data, "
          "not text",
          offset));
    }
    if (IsBinaryControl(c)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "control character U+%04X at byte offset %d of the UTF-16 text: "
          "binary data, not text",
          static_cast<uint32_t>(c), offset));
    }
    AppendUtf8(c, &out);
  }
  return out;
}

// Decodes GB18030 (a superset of GBK and GB2312) with ICU, stopping at the
// first byte sequence that is not GB18030. On failure sets *error_offset.
bool DecodeGb18030(std::string_view bytes, std::string* out,
                   size_t* error_offset) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> converter(
      ucnv_open("GB18030", &status), &ucnv_close);
  if (U_FAILURE(status)) {
    *error_offset = 0;
    return false;
  }
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr,
                      nullptr, nullptr, &status);
  std::u16string utf16(bytes.size() + 1, u'\0');
  const char* source = bytes.data();
  const char* source_limit = bytes.data() + bytes.size();
  UChar* target = reinterpret_cast<UChar*>(utf16.data());
  UChar* target_limit = target + utf16.size();
  ucnv_toUnicode(converter.get(), &target, target_limit, &source, source_limit,
                 nullptr, /*flush=*/true, &status);
  if (U_FAILURE(status)) {
    // `source` stops after the bad sequence; point at its first byte.
    char invalid[8];
    int8_t invalid_length = sizeof(invalid);
    UErrorCode ignored = U_ZERO_ERROR;
    ucnv_getInvalidChars(converter.get(), invalid, &invalid_length, &ignored);
    const size_t end = static_cast<size_t>(source - bytes.data());
    *error_offset =
        end - std::min<size_t>(end, std::max<int8_t>(invalid_length, 0));
    return false;
  }
  utf16.resize(
      static_cast<size_t>(target - reinterpret_cast<UChar*>(utf16.data())));
  out->clear();
  out->reserve(utf16.size() * 3);
  for (size_t i = 0; i < utf16.size(); ++i) {
    char32_t c = utf16[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < utf16.size()) {
      c = 0x10000 + ((c - 0xD800) << 10) + (utf16[i + 1] - 0xDC00);
      ++i;
    }
    AppendUtf8(c, out);
  }
  return true;
}

// How many three- and four-byte UTF-8 characters (all of CJK) stand in
// `valid_prefix` (bytes known to be well-formed UTF-8). GB18030 text almost
// never forms even one such character by accident before its first byte
// that is not UTF-8 (its trail bytes are mostly above 0xBF), so two or more
// mean the text is UTF-8 that goes on in another encoding. Two-byte
// sequences are no evidence: one GBK character in eight forms one.
int MultibyteUtf8Characters(std::string_view valid_prefix) {
  int count = 0;
  for (unsigned char c : valid_prefix) {
    if (c >= 0xE0 && c <= 0xF4) ++count;  // A lead byte of 3 or 4 bytes.
  }
  return count;
}

constexpr int kMixedEncodingEvidence = 2;

// True when `bytes`, though not valid UTF-8, is UTF-8 with a few bad bytes
// rather than text in another encoding: its valid multi-byte sequences
// outnumber its bad ones many times over. GBK text read as UTF-8 goes wrong
// at most of its characters; UTF-8 with a corrupted byte goes wrong once.
bool IsDamagedUtf8(std::string_view bytes) {
  constexpr int kValidPerBad = 8;
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t length = static_cast<int32_t>(bytes.size());
  int valid = 0;
  int bad = 0;
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      ++bad;
    } else if (c >= 0x80) {
      ++valid;
    }
  }
  return bad > 0 && valid >= kValidPerBad * bad;
}

}  // namespace

absl::StatusOr<DecodedText> DecodeSubmission(std::string_view bytes,
                                             size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("submission is %d bytes; the limit is %d bytes",
                        bytes.size(), max_bytes));
  }
  if (bytes.empty()) {
    return absl::InvalidArgumentError("submission is empty: no text to parse");
  }
  DecodedText decoded;
  if (bytes.size() >= 2 &&
      (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF")) {
    const bool little_endian = bytes[0] == '\xFF';
    absl::StatusOr<std::string> text =
        DecodeUtf16(bytes.substr(2), little_endian);
    if (!text.ok()) return text.status();
    decoded.utf8 = *std::move(text);
    decoded.encoding = little_endian ? "UTF-16LE" : "UTF-16BE";
    return decoded;
  }
  std::string_view body = bytes;
  decoded.encoding = "UTF-8";
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    body.remove_prefix(3);
    decoded.encoding = "UTF-8-BOM";
  }
  if (absl::Status text = CheckBytesAreText(body); !text.ok()) return text;
  size_t utf8_error = 0;
  if (IsValidUtf8(ToAbsl(body), &utf8_error)) {
    decoded.utf8 = std::string(body);
    return decoded;
  }
  const size_t bom = bytes.size() - body.size();
  if (decoded.encoding == "UTF-8-BOM") {
    // A UTF-8 BOM declares the encoding: do not guess another one.
    return absl::InvalidArgumentError(absl::StrFormat(
        "undecodable byte 0x%02X at offset %d (line %d): the text starts with "
        "a UTF-8 byte order mark but is not valid UTF-8",
        static_cast<unsigned char>(body[utf8_error]), utf8_error + bom,
        LineOf(body, utf8_error)));
  }
  if (MultibyteUtf8Characters(body.substr(0, utf8_error)) >=
      kMixedEncodingEvidence) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "the text mixes encodings: it is UTF-8 up to offset %d (line %d), "
        "then byte 0x%02X is not; send the whole bulletin in one encoding",
        utf8_error, LineOf(body, utf8_error),
        static_cast<unsigned char>(body[utf8_error])));
  }
  if (IsDamagedUtf8(body)) {
    // GB18030 would take almost any bytes, turning damaged UTF-8 into
    // plausible-looking nonsense; say where the UTF-8 breaks instead.
    return absl::InvalidArgumentError(absl::StrFormat(
        "undecodable byte 0x%02X at offset %d (line %d): the text is UTF-8 "
        "but this byte is not",
        static_cast<unsigned char>(body[utf8_error]), utf8_error,
        LineOf(body, utf8_error)));
  }
  size_t gb_error = 0;
  if (DecodeGb18030(body, &decoded.utf8, &gb_error)) {
    decoded.encoding = "GB18030";
    return decoded;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "undecodable bytes: not UTF-8 (byte 0x%02X at offset %d, line %d) and "
      "not GB18030 (byte 0x%02X at offset %d, line %d)",
      static_cast<unsigned char>(body[utf8_error]), utf8_error,
      LineOf(body, utf8_error),
      static_cast<unsigned char>(body[std::min(gb_error, body.size() - 1)]),
      gb_error, LineOf(body, gb_error)));
}

}  // namespace bulletin::parser
