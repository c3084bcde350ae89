#include "common/record/bulletin_id.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace bulletin {
namespace {

std::string HashToId(absl::string_view domain, absl::string_view payload) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  EVP_DigestUpdate(context, domain.data(), domain.size());
  EVP_DigestUpdate(context, payload.data(), payload.size());
  EVP_DigestFinal_ex(context, digest, &digest_size);
  EVP_MD_CTX_free(context);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

}  // namespace

std::string ContentId(absl::string_view normalized_text) {
  return HashToId("bulletin-content\n", normalized_text);
}

std::string ExternalIdToId(absl::string_view source,
                           absl::string_view external_id) {
  // The default source keeps the ids given before sources existed.
  if (source.empty()) return HashToId("bulletin-external-id\n", external_id);
  // A source never holds a newline (ValidateSource), so the pair is
  // unambiguous.
  return HashToId("bulletin-source-external-id\n",
                  absl::StrCat(source, "\n", external_id));
}

std::string VersionDigest(absl::string_view normalized_text) {
  return HashToId("bulletin-version\n", normalized_text);
}

}  // namespace bulletin
