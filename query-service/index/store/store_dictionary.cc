#include "query-service/index/store/store_dictionary.h"

#include <zdict.h>
#include <zstd.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace bulletin {

StoreDictionary::StoreDictionary(std::string bytes, uint32_t generation)
    : bytes_(std::move(bytes)), generation_(generation) {
  // zstd copies the bytes (a reference is its experimental API); bytes_
  // stays for snapshots. Tens of KB a dictionary, a few dictionaries.
  ddict_ = ZSTD_createDDict(bytes_.data(), bytes_.size());
}

StoreDictionary::~StoreDictionary() { ZSTD_freeDDict(ddict_); }

absl::StatusOr<std::shared_ptr<const StoreDictionary>> StoreDictionary::Train(
    const std::vector<std::string>& samples, size_t max_bytes,
    uint32_t generation) {
  std::string joined;
  std::vector<size_t> sizes;
  sizes.reserve(samples.size());
  for (const std::string& sample : samples) {
    joined += sample;
    sizes.push_back(sample.size());
  }
  std::string dictionary(max_bytes, '\0');
  const size_t size =
      ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(), joined.data(),
                            sizes.data(), static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(size)) {
    return absl::FailedPreconditionError(
        absl::StrCat("no dictionary from ", samples.size(), " samples of ",
                     joined.size(), " bytes: ", ZDICT_getErrorName(size)));
  }
  dictionary.resize(size);
  return FromBytes(std::move(dictionary), generation);
}

absl::StatusOr<std::shared_ptr<const StoreDictionary>>
StoreDictionary::FromBytes(std::string bytes, uint32_t generation) {
  std::shared_ptr<const StoreDictionary> dictionary(
      new StoreDictionary(std::move(bytes), generation));
  if (dictionary->ddict_ == nullptr) {
    return absl::DataLossError(absl::StrCat(
        "zstd refuses a dictionary of ", dictionary->bytes_.size(), " bytes"));
  }
  return dictionary;
}

size_t StoreDictionary::SpaceUsed() const {
  return sizeof(*this) + bytes_.capacity() + ZSTD_sizeof_DDict(ddict_);
}

}  // namespace bulletin
