// What compile() fixes for a model: optimizer, loss, metrics, device (internal).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "tkeras/training/losses.h"
#include "tkeras/training/optimizers.h"
#include "training/updater.h"

namespace tkeras::training {

/// The state `compile` creates and `fit`, `evaluate` and `predict` use.
struct CompiledState {
  optimizers::Optimizer optimizer_config;
  std::optional<losses::Loss> loss;
  std::vector<std::string> metric_names;
  torch::Device device;
  /// compile's `jit`: static-shape steps, captured as a CUDA graph on CUDA.
  bool jit = false;
  /// compile's `precision` is `"bf16-mixed"`: autocast the forward pass to bfloat16.
  bool bf16_mixed = false;
  /// Created at the first fit, once the weights exist; kept across fits, as in Keras.
  std::unique_ptr<Updater> optimizer;
};

}  // namespace tkeras::training
