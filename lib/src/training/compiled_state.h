// What compile() fixes for a model: optimizer, loss, metrics, device; and the optimizer's state (internal).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "distribute/process_group.h"
#include "tkeras/losses/loss.h"
#include "tkeras/metrics/metric.h"
#include "tkeras/optimizers/optimizer.h"
#include "training/updater.h"

namespace tkeras::training {

/// What compile gives one output of the model: its loss, that loss's weight, and its metrics.
struct Head {
  std::string name;                                   ///< The output's name (its layer's).
  losses::Loss loss;                                  ///< Its loss.
  double weight = 1.0;                                ///< compile's `loss_weights` for it.
  std::vector<metrics::Identifier> metrics;           ///< compile's `metrics` for it.
  std::vector<metrics::Identifier> weighted_metrics;  ///< compile's `weighted_metrics` for it.
};

/// The state `compile` creates and `fit`, `evaluate`, `predict` and the model files use. It is
/// the one owner of the optimizer's state.
class CompiledState {
 public:
  CompiledState(optimizers::Optimizer optimizer, std::vector<Head> heads, torch::Device device, bool jit,
                bool bf16_mixed);

  /// One per output of the model, in the outputs' order; none when compile received no loss.
  std::vector<Head> heads;
  /// Whether compile received a loss.
  bool has_loss() const { return !heads.empty(); }
  torch::Device device;
  /// compile's `jit`: static-shape steps, captured as a CUDA graph on CUDA.
  bool jit = false;
  /// compile's `precision` is `"bf16-mixed"`: autocast the forward pass to bfloat16.
  bool bf16_mixed = false;
  /// compile's `distribute`: the data-parallel job's process group; null for one process.
  std::shared_ptr<distribute::detail::ProcessGroup> group;

  /// The optimizer's updater for `trainable_weights`: made at the first call (the first fit, or
  /// a model file's optimizer state), and kept across fits as in Keras. When the trainable
  /// weights differ from the last call's (layers frozen or unfrozen since), it updates those
  /// instead, keeping the state of the weights that stay.
  Updater& updater(const std::vector<torch::Tensor>& trainable_weights);
  /// The updater, or null before the first `updater(...)` call.
  const Updater* existing_updater() const { return updater_.get(); }
  /// The optimizer with the learning rate in use.
  const optimizers::Optimizer& optimizer() const { return updater_ ? updater_->config() : optimizer_; }
  /// The updates applied so far.
  int64_t iterations() const { return updater_ ? updater_->iterations() : 0; }
  /// Changes the learning rate in place.
  void set_learning_rate(double learning_rate);

 private:
  optimizers::Optimizer optimizer_;
  std::unique_ptr<Updater> updater_;
};

}  // namespace tkeras::training
