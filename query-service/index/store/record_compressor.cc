#include "query-service/index/store/record_compressor.h"

#include <zstd.h>

#include <algorithm>
#include <new>
#include <utility>

namespace bulletin {
namespace {

// Samples are drawn evenly from the records between two trainings: about
// this many of them.
constexpr uint64_t kSampleRecords = 2000;

}  // namespace

RecordCompressor::RecordCompressor(const Options& options)
    : options_(options),
      context_(ZSTD_createCCtx()),
      next_training_(std::max<uint64_t>(options.first_training, 1)) {
  if (context_ == nullptr) throw std::bad_alloc();
}

RecordCompressor::~RecordCompressor() {
  ZSTD_freeCDict(digested_);
  ZSTD_freeCCtx(context_);
}

std::shared_ptr<const StoredRecord> RecordCompressor::Store(
    v1::Bulletin bulletin) {
  if (stored_ % sample_stride_ == 0 &&
      sample_bytes_ < options_.max_sample_bytes) {
    samples_.push_back(StoredRecord::TextPayloadOf(bulletin));
    sample_bytes_ += samples_.back().size();
  }
  ++stored_;
  TrainIfDue();
  return StoredRecord::Make(
      std::move(bulletin),
      RecordCompression{context_, options_.rest_level, digested_, dictionary_});
}

void RecordCompressor::Resume(std::shared_ptr<const StoreDictionary> dictionary,
                              uint64_t records) {
  Use(std::move(dictionary));
  stored_ = records;
  next_training_ = std::max<uint64_t>(options_.first_training, 1);
  while (next_training_ <= stored_) next_training_ *= 2;
  sample_stride_ = std::max<uint64_t>(1, stored_ / kSampleRecords);
  samples_.clear();
  sample_bytes_ = 0;
}

void RecordCompressor::Use(std::shared_ptr<const StoreDictionary> dictionary) {
  ZSTD_freeCDict(digested_);
  digested_ = nullptr;
  dictionary_ = std::move(dictionary);
  if (dictionary_ != nullptr) {
    digested_ =
        ZSTD_createCDict(dictionary_->bytes().data(),
                         dictionary_->bytes().size(), options_.text_level);
    if (digested_ == nullptr) throw std::bad_alloc();
  }
}

void RecordCompressor::TrainIfDue() {
  if (stored_ < next_training_) return;
  const uint32_t generation =
      dictionary_ == nullptr ? 1 : dictionary_->generation() + 1;
  absl::StatusOr<std::shared_ptr<const StoreDictionary>> trained =
      StoreDictionary::Train(samples_, options_.dictionary_bytes, generation);
  // Too little to train on (short bulletins): the records go on with the
  // dictionary they had, and the next doubling tries again.
  if (trained.ok()) Use(*std::move(trained));
  next_training_ = stored_ * 2;
  sample_stride_ = std::max<uint64_t>(1, stored_ / kSampleRecords);
  samples_.clear();
  sample_bytes_ = 0;
}

}  // namespace bulletin
