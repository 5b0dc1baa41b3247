// Heads: the loss and metrics of each output of a model during one fit or evaluation (internal).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "distribute/process_group.h"
#include "tkeras/core/logs.h"
#include "tkeras/core/shape.h"
#include "tkeras/layers/activations.h"
#include "training/compiled_state.h"
#include "training/metrics.h"

namespace tkeras::training {

/// The loss fit minimises, and the running loss and metrics it logs, over a model's outputs, as
/// Keras's CompileLoss and CompileMetrics: the loss is the sum of each output's loss times its
/// weight. A model of one output logs `loss` and its metrics by name; a model of several logs the
/// sum as `loss`, then `<output>_loss` and `<output>_<metric>` for each output.
class Heads {
 public:
  /// The heads `state` compiled, for outputs ending in `activations` (their final activations)
  /// of `output_shapes` (per sample), choosing the metrics from `example_targets` (prepared, as
  /// the losses want them).
  Heads(const CompiledState& state, const std::vector<std::string>& activations,
        const std::vector<Shape>& output_shapes, const std::vector<torch::Tensor>& example_targets);

  /// The outputs' final activations.
  const std::vector<std::string>& activations() const { return activations_; }
  /// The batch's loss: the weighted sum of each output's loss on `targets` and `logits` (each
  /// output before its final activation), with sample weights `w` (one per output; empty: none).
  torch::Tensor loss(const std::vector<torch::Tensor>& targets, const std::vector<torch::Tensor>& logits,
                     const std::vector<torch::Tensor>& w);
  /// Adds the batch that `loss` last computed (its result detached as `total`) to the running
  /// loss and metrics, on the device, in place (for CUDA graphs).
  void accumulate(const torch::Tensor& total, int64_t batch_size, const std::vector<torch::Tensor>& targets,
                  const std::vector<torch::Tensor>& logits, const std::vector<torch::Tensor>& w);
  /// The host bookkeeping of a batch of `batch_size` samples.
  void count(int64_t batch_size);
  /// `loss` and the metrics so far; data-parallel, over all processes.
  Logs result() const;
  void reset();
  /// Data-parallel: the results are summed over `group`'s processes.
  void set_group(distribute::detail::ProcessGroup* group);

 private:
  struct Output {
    const Head* head;
    activations::Function apply;
    MetricsTracker tracker;
  };
  std::vector<Output> outputs_;
  std::vector<std::string> activations_;
  std::vector<torch::Tensor> losses_;  // each output's loss in the last batch (several outputs)
  MetricsTracker total_;               // the summed loss (several outputs)
};

}  // namespace tkeras::training
