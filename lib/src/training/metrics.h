// Metrics during fit and evaluate: compile's metrics resolved for an output, and the tracker of the
// running loss and metrics, read once per epoch (internal).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "distribute/process_group.h"
#include "tkeras/core/logs.h"
#include "tkeras/metrics/metric.h"

namespace tkeras::training {

/// One of compile's metrics, resolved for an output: the metric, its name in the logs, and whether
/// it takes the sample weights (compile's `weighted_metrics`).
struct TrackedMetric {
  std::shared_ptr<metrics::Metric> metric;  ///< The metric (compile's own object, when given one).
  std::string name;                         ///< Its name in the logs (unique among the output's).
  bool weighted = false;                    ///< Whether it takes the sample weights.
};

/// Throws `tkeras::Error` listing the valid names if a name among `identifiers` is unknown.
void check_metric_names(const std::vector<metrics::Identifier>& identifiers);

/// Resolves compile's `metrics` and `weighted_metrics` for targets of `target_rank` axes (after
/// the loss prepared them) and outputs of `output_rank` axes whose last axis has `output_units`
/// entries: names become new metrics (`accuracy` and `acc` become binary, sparse categorical or
/// categorical accuracy, as in Keras), metric objects are used as they are. Names in the logs
/// follow Keras: a name used twice gets `_1`, `_2`...; a weighted metric whose name an
/// unweighted one has gets the prefix `weighted_`.
std::vector<TrackedMetric> resolve_metrics(const std::vector<metrics::Identifier>& identifiers,
                                           const std::vector<metrics::Identifier>& weighted, int64_t target_rank,
                                           int64_t output_rank, int64_t target_last, int64_t output_units);

/// The running loss mean (weighted by batch size, as Keras's loss tracker) and metrics of one
/// epoch or evaluation. Starting one resets its metrics, as Keras's fit and evaluate do.
class MetricsTracker {
 public:
  /// A tracker of `metrics`.
  explicit MetricsTracker(std::vector<TrackedMetric> metrics);

  bool has_metrics() const { return !metrics_.empty(); }
  /// Adds a batch's mean loss (detached) and outputs; nothing is read from the device. The
  /// outputs are `activation` applied to `logits`, computed only for metrics that need them:
  /// argmax metrics read the logits directly when `activation` keeps the order of each row
  /// (softmax, linear, sigmoid, tanh). `sample_weight` (`[N]`, or undefined) goes to the
  /// weighted metrics. Equals `accumulate` then `count`.
  void update(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true, const torch::Tensor& logits,
              std::string_view activation, torch::Tensor (*apply)(const torch::Tensor&),
              const torch::Tensor& sample_weight);
  /// The device work of `update` only, into variables that keep their storage (for CUDA graphs).
  void accumulate(const torch::Tensor& loss, int64_t batch_size, const torch::Tensor& y_true,
                  const torch::Tensor& logits, std::string_view activation,
                  torch::Tensor (*apply)(const torch::Tensor&), const torch::Tensor& sample_weight);
  /// The host bookkeeping of `update` only: the loss's count, a batch of `batch_size` samples.
  void count(int64_t batch_size);
  /// `loss` and each metric, read from the device; data-parallel, over all processes. A metric
  /// of several values (F1Score without an average) logs each as `name[i]`.
  Logs result() const;
  void reset();
  /// Data-parallel: `result()` first sums the loss and every metric variable over `group`'s
  /// processes (one all-reduce), so all of them read the same global values. Null: this
  /// process's. Default: null.
  void set_group(distribute::detail::ProcessGroup* group) { group_ = group; }

 private:
  distribute::detail::ProcessGroup* group_ = nullptr;
  std::vector<TrackedMetric> metrics_;
  bool placed_ = false;  // whether the metrics' variables are on the outputs' device
  torch::Tensor loss_total_;
  int64_t count_ = 0;
};

}  // namespace tkeras::training
