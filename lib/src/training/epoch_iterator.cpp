// The batches of each epoch, from tensors or from a dataset.
#include "training/epoch_iterator.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include <fmt/format.h>
#include <torch/torch.h>

#include "tkeras/core/error.h"

namespace tkeras::training {

void StepBatch::copy_to(std::vector<torch::Tensor>& x_out, std::vector<torch::Tensor>& y_out,
                        std::vector<torch::Tensor>& w_out) const {
  if (batches != nullptr) {
    batches->copy_batch(step, x_out, y_out, w_out);
    return;
  }
  for (size_t i = 0; i < x.size(); ++i) x_out[i].copy_(x[i]);
  for (size_t i = 0; i < y.size(); ++i) y_out[i].copy_(y[i]);
  for (size_t i = 0; i < w.size(); ++i) w_out[i].copy_(w[i]);
}

EpochIterator::EpochIterator(Batches batches, bool shuffle, distribute::detail::ProcessGroup* group)
    : batches_(std::move(batches)), shuffle_(shuffle), group_(group) {
  if (group_ != nullptr) {
    batches_->rank = group_->rank();
    batches_->ranks = group_->size();
  }
}

EpochIterator::EpochIterator(data::Dataset dataset, std::optional<int64_t> steps_per_epoch, Prepare prepare,
                             std::string entry, distribute::detail::ProcessGroup* group)
    : group_(group),
      dataset_(std::move(dataset)),
      steps_per_epoch_(steps_per_epoch),
      prepare_(std::move(prepare)),
      entry_(std::move(entry)),
      cardinality_(dataset_->cardinality()) {
  if (steps_per_epoch_ && *steps_per_epoch_ <= 0) {
    throw Error(fmt::format("{}: expected steps >= 1, received {}", entry_, *steps_per_epoch_));
  }
  if (!steps_per_epoch_ && cardinality_ == data::Dataset::kInfinite) {
    throw Error(fmt::format(
        "{}: the dataset is infinite (repeat()), so an epoch never ends; pass the number of batches per epoch "
        "(steps_per_epoch for fit, validation_steps for its validation, steps for evaluate and predict)",
        entry_));
  }
}

int64_t EpochIterator::steps() const {
  if (batches_) return batches_->steps();
  if (steps_per_epoch_) return *steps_per_epoch_;
  return cardinality_ >= 0 ? cardinality_ : 0;
}

std::optional<StepBatch> EpochIterator::pull() {
  if (!pass_) {
    pass_ = dataset_->begin();
    seen_in_pass_ = 0;
  }
  std::optional<data::Element> element = pass_->next();
  if (!element) {
    pass_.reset();
    // A pass of unknown length has shown its length.
    if (cardinality_ < 0) cardinality_ = seen_in_pass_;
    return std::nullopt;
  }
  ++seen_in_pass_;
  StepBatch prepared = prepare_(std::move(*element));
  if (group_ == nullptr) return prepared;
  // Each process takes its ceil(rows / processes) rows, in rank order: the last rank may have
  // fewer, or none.
  const int64_t rows = prepared.x.front().size(0);
  const int64_t shard_size = (rows + group_->size() - 1) / group_->size();
  const int64_t begin = std::min(group_->rank() * shard_size, rows);
  const int64_t length = std::clamp<int64_t>(rows - begin, 0, shard_size);
  for (auto* part : {&prepared.x, &prepared.y, &prepared.w}) {
    for (torch::Tensor& tensor : *part) tensor = tensor.narrow(0, begin, length);
  }
  prepared.global = rows;
  return prepared;
}

const StepBatch& EpochIterator::peek() {
  if (batches_) {
    if (!pending_) pending_ = StepBatch{.batches = &*batches_};
    return *pending_;
  }
  if (!pending_) pending_ = pull();
  if (!pending_) throw Error(fmt::format("{}: expected a dataset with at least one batch, received none", entry_));
  return *pending_;
}

void EpochIterator::start_epoch() {
  step_ = 0;
  if (batches_) {
    pending_.reset();
    if (shuffle_) {
      batches_->shuffle();
      // Every process takes its rows of the same batches: rank 0's order.
      if (group_ != nullptr) group_->broadcast(batches_->order, "broadcast of the epoch's shuffled order");
    }
    return;
  }
  const bool first = !started_;
  started_ = true;
  // What peek() read belongs to the first epoch only.
  if (first) return;
  if (!steps_per_epoch_ || (cardinality_ >= 0 && seen_in_pass_ >= cardinality_)) {
    pass_.reset();
    pending_.reset();
  }
}

std::optional<StepBatch> EpochIterator::next() {
  if (batches_) {
    if (step_ >= batches_->steps()) return std::nullopt;
    return StepBatch{.batches = &*batches_, .step = step_++};
  }
  if (steps_per_epoch_ && step_ >= *steps_per_epoch_) return std::nullopt;
  std::optional<StepBatch> batch = std::exchange(pending_, std::nullopt);
  if (!batch && steps_per_epoch_ && cardinality_ >= 0 && seen_in_pass_ >= cardinality_ && pass_) {
    pass_.reset();  // this pass is spent: Keras's "ran out" below
  } else if (!batch) {
    batch = pull();
  }
  if (!batch) {
    if (steps_per_epoch_) {
      std::cerr << fmt::format(
          "{}: warning: your input ran out of data after {} of {} batches; interrupting the epoch. Make sure "
          "that your dataset can generate at least steps_per_epoch * epochs batches (you may need repeat())\n",
          entry_, step_, *steps_per_epoch_);
    }
    return std::nullopt;
  }
  ++step_;
  return batch;
}

}  // namespace tkeras::training
