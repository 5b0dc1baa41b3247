// Metrics: accuracy and error means accumulated on the device, read once per epoch (internal).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/logs.h"
#include "tkeras/core/shape.h"
#include "tkeras/training/losses.h"

namespace tkeras::training {

/// A metric that sums per-element values on the device and divides once, at `result()`.
class Metric {
 public:
  enum class Kind {
    kBinaryAccuracy,
    kCategoricalAccuracy,
    kSparseCategoricalAccuracy,
    kMeanSquaredError,
    kMeanAbsoluteError
  };

  Metric(std::string name, Kind kind) : name_(std::move(name)), kind_(kind) {}

  const std::string& name() const { return name_; }
  Kind kind() const { return kind_; }
  /// Adds one batch (`y_true` as prepared by the loss, `y_pred` the model's outputs) into the
  /// running total, in place: the total keeps its storage from batch to batch and across
  /// `reset_state`, so a captured CUDA graph can add into it. Count the batch with `count`.
  void accumulate(const torch::Tensor& y_true, const torch::Tensor& y_pred);
  /// Counts `values` more values in the mean (one per sample and position for accuracies, one
  /// per output element otherwise).
  void count(int64_t values) { count_ += values; }
  /// Whether the metric depends only on the largest output of each sample (so that it can be
  /// computed from the logits before an order-preserving activation).
  bool uses_argmax() const { return kind_ == Kind::kCategoricalAccuracy || kind_ == Kind::kSparseCategoricalAccuracy; }
  /// The mean so far (one device read); 0 before any update.
  double result() const;
  void reset_state();

 private:
  std::string name_;
  Kind kind_;
  torch::Tensor total_;
  int64_t count_ = 0;
};

/// Throws `tkeras::Error` listing the valid names if one of `names` is unknown.
void check_metric_names(const std::vector<std::string>& names);

/// Resolves metric names for targets of `target_rank` axes (after the loss prepared them) and
/// outputs of `output_rank` axes whose last axis has `output_units` entries; `accuracy` and
/// `acc` become binary, sparse categorical or categorical accuracy as in Keras.
std::vector<Metric> resolve_metrics(const std::vector<std::string>& names, int64_t target_rank, int64_t output_rank,
                                    int64_t target_last, int64_t output_units);

/// The running loss mean (weighted by batch size, as Keras's loss tracker) and metrics of one
/// epoch or evaluation.
class MetricsTracker {
 public:
  /// A tracker of `metrics` for a model whose outputs have `output_shape` per sample.
  MetricsTracker(std::vector<Metric> metrics, const Shape& output_shape);

  bool has_metrics() const { return !metrics_.empty(); }
  /// Adds a batch's mean loss (detached) and outputs; nothing is read from the device. The
  /// outputs are `activation` applied to `logits`, computed only for metrics that need them:
  /// argmax metrics read the logits directly when `activation` keeps the order of each row
  /// (softmax, linear, sigmoid, tanh). Equals `accumulate` then `count`.
  void update(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true, const torch::Tensor& logits,
              std::string_view activation, torch::Tensor (*apply)(const torch::Tensor&));
  /// The device work of `update` only, into totals that keep their storage (for CUDA graphs).
  void accumulate(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                  const torch::Tensor& logits, std::string_view activation,
                  torch::Tensor (*apply)(const torch::Tensor&));
  /// The host bookkeeping of `update` only: a batch of `batch_size` samples (the values each
  /// metric averages follow from the output shape, so nothing is read from the batch).
  void count(int64_t batch_size);
  /// `loss` and each metric, read from the device.
  Logs result() const;
  void reset();

 private:
  std::vector<Metric> metrics_;
  int64_t values_per_sample_;  // output elements of one sample
  int64_t rows_per_sample_;    // the same over the last axis: what argmax metrics compare
  torch::Tensor loss_total_;
  int64_t count_ = 0;
};

}  // namespace tkeras::training
