// Batches: a data set on the training device, cut into batches (internal).
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace tkeras::training {

/// Inputs and targets on the training device, cut into batches. In order, a batch is a view
/// (no copy); shuffled, each batch is gathered through the epoch's permutation into buffers that
/// are reused from batch to batch, so the gathered rows are still in cache when the first layer
/// reads them. (A gather of the whole data set per epoch writes every value out to memory and
/// reads it back later; in the profile it took 4% of training, see docs/benchmarks.md.)
struct Batches {
  std::vector<torch::Tensor> x;  ///< one per input of the model
  std::vector<torch::Tensor> y;  ///< one per output; empty for predict
  int64_t batch_size = 32;
  std::vector<torch::Tensor> w;  ///< sample weights `[N]`, one per output; empty: none
  torch::Tensor order;           ///< this epoch's permutation; undefined: in order
  std::vector<torch::Tensor> x_buffer, y_buffer, w_buffer;
  /// Data-parallel: this process's rank among `ranks`. Each process takes its `batch_size /
  /// ranks` rows of every (global) batch, in rank order; in a last, shorter batch the higher
  /// ranks may have fewer rows, or none.
  int64_t rank = 0;
  int64_t ranks = 1;

  Batches(std::vector<torch::Tensor> inputs, std::vector<torch::Tensor> targets, int64_t size,
          std::vector<torch::Tensor> weights = {})
      : x(std::move(inputs)),
        y(std::move(targets)),
        batch_size(size),
        w(std::move(weights)),
        x_buffer(x.size()),
        y_buffer(y.size()),
        w_buffer(w.size()) {}

  int64_t size() const { return x.front().size(0); }
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
  std::vector<torch::Tensor> x_batch(int64_t step) { return batch(x, x_buffer, step); }
  std::vector<torch::Tensor> y_batch(int64_t step) { return batch(y, y_buffer, step); }
  /// The batch's sample weights, one per output; empty when there are none.
  std::vector<torch::Tensor> w_batch(int64_t step) { return batch(w, w_buffer, step); }

  /// Writes batch `step` into `x_out`, `y_out` and (with sample weights) `w_out`, which have its
  /// shapes, keeping their storage.
  void copy_batch(int64_t step, std::vector<torch::Tensor>& x_out, std::vector<torch::Tensor>& y_out,
                  std::vector<torch::Tensor>& w_out) const {
    const auto copy = [&](const torch::Tensor& data, torch::Tensor& out) {
      if (!order.defined()) {
        out.copy_(data.narrow(0, start(step), length(step)));
      } else {
        torch::index_select_out(out, data, 0, order.narrow(0, start(step), length(step)));
      }
    };
    for (size_t i = 0; i < x.size(); ++i) copy(x[i], x_out[i]);
    for (size_t i = 0; i < y.size(); ++i) copy(y[i], y_out[i]);
    for (size_t i = 0; i < w.size(); ++i) copy(w[i], w_out[i]);
  }

  /// A new permutation for the next epoch.
  void shuffle() {
    order = torch::randperm(size(), torch::TensorOptions().dtype(torch::kLong).device(x.front().device()));
  }

 private:
  std::vector<torch::Tensor> batch(const std::vector<torch::Tensor>& data, std::vector<torch::Tensor>& buffers,
                                   int64_t step) {
    // Data given after construction (class weights) gets its buffers here.
    buffers.resize(data.size());
    std::vector<torch::Tensor> out;
    out.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) out.push_back(rows(data[i], buffers[i], step));
    return out;
  }

  torch::Tensor rows(const torch::Tensor& data, torch::Tensor& buffer, int64_t step) {
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
