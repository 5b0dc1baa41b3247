// A test helper for the optimizers' rules: one weight trained a few steps from a known gradient.
#pragma once

#include <torch/torch.h>

#include "tkeras/layers/dense.h"
#include "tkeras/models/sequential.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::testing {

/// Trains one weight w (a Dense(1) without bias, started at 1) on x = 1, y = 0 with the mean
/// squared error, so that each step's gradient is 2w, and returns w after `steps` steps. The
/// expected values in the tests were worked out by hand from Keras's update rules
/// (keras/src/optimizers). `jit` runs the capturable update (device scalars) instead.
inline double train_one_weight(const tkeras::optimizers::Optimizer& optimizer, int steps, bool jit = false) {
  tkeras::Sequential model({tkeras::layers::Dense(1, "linear", /*use_bias=*/false)});
  model.build({1});
  model.set_weights({torch::ones({1, 1})});
  model.compile({.optimizer = optimizer, .loss = "mse", .jit = jit});
  model.fit(torch::ones({1, 1}), torch::zeros({1, 1}), {.epochs = steps, .verbose = 0});
  return model.get_weights()[0].item<double>();
}

}  // namespace tkeras::testing
