// Metrics: accuracy and error means accumulated on the device, read once per epoch (internal).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "distribute/process_group.h"
#include "tkeras/core/logs.h"
#include "tkeras/core/shape.h"
#include "tkeras/losses/loss.h"

namespace tkeras::training {

/// A metric that sums per-element values on the device and divides once, at `result()`. A
/// weighted metric (compile's `weighted_metrics`) sums each sample's mean value times its sample
/// weight and divides by the sum of the weights, as Keras's `Mean` with `sample_weight`.
class Metric {
 public:
  enum class Kind {
    kBinaryAccuracy,
    kCategoricalAccuracy,
    kSparseCategoricalAccuracy,
    kMeanSquaredError,
    kMeanAbsoluteError
  };

  Metric(std::string name, Kind kind, bool weighted = false)
      : name_(std::move(name)), kind_(kind), weighted_(weighted) {}

  const std::string& name() const { return name_; }
  Kind kind() const { return kind_; }
  /// Whether the metric takes the sample weights (compile's `weighted_metrics`).
  bool weighted() const { return weighted_; }
  /// Adds one batch (`y_true` as prepared by the loss, `y_pred` the model's outputs, and the
  /// batch's `[N]` sample weights, undefined when it has none) into the running total, in
  /// place: the totals keep their storage from batch to batch and across `reset_state`, so a
  /// captured CUDA graph can add into them. A weighted metric adds the weights' sum into its
  /// count on the device; otherwise count the batch with `count`.
  void accumulate(const torch::Tensor& y_true, const torch::Tensor& y_pred, const torch::Tensor& sample_weight = {});
  /// Counts `values` more values in the mean (one per sample and position for accuracies, one
  /// per output element otherwise), for a batch without weights or a metric that ignores them.
  void count(int64_t values) { count_ += values; }
  /// Whether the metric depends only on the largest output of each sample (so that it can be
  /// computed from the logits before an order-preserving activation).
  bool uses_argmax() const { return kind_ == Kind::kCategoricalAccuracy || kind_ == Kind::kSparseCategoricalAccuracy; }
  /// The mean so far (one device read); 0 before any update.
  double result() const;
  /// What the mean divides: the total, and the count (values counted plus sample weights added).
  std::pair<double, double> sums() const;
  void reset_state();

 private:
  std::string name_;
  Kind kind_;
  bool weighted_ = false;
  torch::Tensor total_;
  torch::Tensor weight_total_;  // the sample weights added so far (weighted metrics)
  int64_t count_ = 0;
};

/// Throws `tkeras::Error` listing the valid names if one of `names` is unknown.
void check_metric_names(const std::vector<std::string>& names);

/// Resolves compile's `metrics` and `weighted_metrics` names for targets of `target_rank` axes
/// (after the loss prepared them) and outputs of `output_rank` axes whose last axis has
/// `output_units` entries; `accuracy` and `acc` become binary, sparse categorical or categorical
/// accuracy as in Keras. Names in the logs follow Keras: a name used twice gets `_1`, `_2`...;
/// a weighted metric whose name an unweighted one has gets the prefix `weighted_`.
std::vector<Metric> resolve_metrics(const std::vector<std::string>& names,
                                    const std::vector<std::string>& weighted_names, int64_t target_rank,
                                    int64_t output_rank, int64_t target_last, int64_t output_units);

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
  /// (softmax, linear, sigmoid, tanh). `sample_weight` (`[N]`, or undefined) goes to the
  /// weighted metrics. Equals `accumulate` then `count`.
  void update(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true, const torch::Tensor& logits,
              std::string_view activation, torch::Tensor (*apply)(const torch::Tensor&),
              const torch::Tensor& sample_weight);
  /// The device work of `update` only, into totals that keep their storage (for CUDA graphs).
  void accumulate(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                  const torch::Tensor& logits, std::string_view activation,
                  torch::Tensor (*apply)(const torch::Tensor&), const torch::Tensor& sample_weight);
  /// The host bookkeeping of `update` only: a batch of `batch_size` samples, `weighted` when it
  /// had sample weights (the values each metric averages follow from the output shape, so
  /// nothing is read from the batch).
  void count(int64_t batch_size, bool weighted);
  /// `loss` and each metric, read from the device; data-parallel, over all processes.
  Logs result() const;
  void reset();
  /// Data-parallel: `result()` first sums every total and count over `group`'s processes (one
  /// all-reduce), so all of them read the same global values. Null: this process's. Default: null.
  void set_group(distribute::detail::ProcessGroup* group) { group_ = group; }

 private:
  distribute::detail::ProcessGroup* group_ = nullptr;
  std::vector<Metric> metrics_;
  int64_t values_per_sample_;  // output elements of one sample
  int64_t rows_per_sample_;    // the same over the last axis: what argmax metrics compare
  torch::Tensor loss_total_;
  int64_t count_ = 0;
};

}  // namespace tkeras::training
