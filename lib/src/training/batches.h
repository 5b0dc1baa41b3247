// Batches: a data set on the training device, cut into batches (internal).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include <torch/torch.h>

namespace tkeras::training {

/// Inputs and targets on the training device, cut into batches. In order, a batch is a view
/// (no copy); shuffled, each batch is gathered through the epoch's permutation into buffers that
/// are reused from batch to batch, so the gathered rows are still in cache when the first layer
/// reads them. (A gather of the whole data set per epoch writes every value out to memory and
/// reads it back later; in the profile it took 4% of training, see docs/benchmarks.md.)
struct Batches {
  torch::Tensor x;
  torch::Tensor y;  ///< undefined for predict
  int64_t batch_size = 32;
  torch::Tensor w;      ///< sample weights `[N]`; undefined: none
  torch::Tensor order;  ///< this epoch's permutation; undefined: in order
  torch::Tensor x_buffer, y_buffer, w_buffer;
  /// Data-parallel: this process's rank among `ranks`. Each process takes its `batch_size /
  /// ranks` rows of every (global) batch, in rank order; in a last, shorter batch the higher
  /// ranks may have fewer rows, or none.
  int64_t rank = 0;
  int64_t ranks = 1;

  Batches(torch::Tensor inputs, torch::Tensor targets, int64_t size, torch::Tensor weights = {})
      : x(std::move(inputs)), y(std::move(targets)), batch_size(size), w(std::move(weights)) {}

  int64_t size() const { return x.size(0); }
  int64_t steps() const { return (size() + batch_size - 1) / batch_size; }
  /// The rows of batch `step` over all processes.
  int64_t global_length(int64_t step) const { return std::min(batch_size, size() - step * batch_size); }
  /// This process's rows of a full batch.
  int64_t shard_size() const { return batch_size / ranks; }
  /// Where this process's rows of batch `step` start, and how many there are.
  int64_t start(int64_t step) const { return step * batch_size + std::min(rank * shard_size(), global_length(step)); }
  int64_t length(int64_t step) const {
    return std::clamp<int64_t>(global_length(step) - rank * shard_size(), 0, shard_size());
  }
  torch::Tensor x_batch(int64_t step) { return batch(x, x_buffer, step); }
  torch::Tensor y_batch(int64_t step) { return batch(y, y_buffer, step); }
  /// The batch's sample weights; undefined when there are none.
  torch::Tensor w_batch(int64_t step) { return w.defined() ? batch(w, w_buffer, step) : torch::Tensor(); }

  /// Writes batch `step` into `x_out`, `y_out` and (with sample weights) `w_out`, which have its
  /// shapes, keeping their storage.
  void copy_batch(int64_t step, torch::Tensor& x_out, torch::Tensor& y_out, torch::Tensor& w_out) const {
    if (!order.defined()) {
      x_out.copy_(x.narrow(0, start(step), length(step)));
      y_out.copy_(y.narrow(0, start(step), length(step)));
      if (w.defined()) w_out.copy_(w.narrow(0, start(step), length(step)));
      return;
    }
    const torch::Tensor rows = order.narrow(0, start(step), length(step));
    torch::index_select_out(x_out, x, 0, rows);
    torch::index_select_out(y_out, y, 0, rows);
    if (w.defined()) torch::index_select_out(w_out, w, 0, rows);
  }

  /// A new permutation for the next epoch.
  void shuffle() { order = torch::randperm(size(), torch::TensorOptions().dtype(torch::kLong).device(x.device())); }

 private:
  torch::Tensor batch(const torch::Tensor& data, torch::Tensor& buffer, int64_t step) {
    if (!order.defined()) return data.narrow(0, start(step), length(step));
    if (!buffer.defined()) buffer = torch::empty({0}, data.options());
    // A batch of another length (the last one) resizes the buffer; from zero elements, as
    // LibTorch asks, keeping its storage.
    if (buffer.size(0) != length(step)) buffer.resize_({0});
    // The previous batch's graph has been released by now (backward ran), so its buffer is free.
    torch::index_select_out(buffer, data, 0, order.narrow(0, start(step), length(step)));
    return buffer;
  }
};

}  // namespace tkeras::training
