// AdamW: Keras's Adam with decoupled weight decay, and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// AdamW's options, as Keras's `AdamW`: Adam's rule, with a weight decay on by default (see
/// `AdamOptions::weight_decay`).
struct AdamWOptions {
  LearningRate learning_rate = 0.001;                    ///< Step size, or a schedule of the step. Default: 0.001.
  double weight_decay = 0.004;                           ///< Decoupled weight decay. Default: 0.004.
  double beta_1 = 0.9;                                   ///< Decay of the first-moment estimate. Default: 0.9.
  double beta_2 = 0.999;                                 ///< Decay of the second-moment estimate. Default: 0.999.
  double epsilon = 1e-7;                                 ///< Numerical stability term. Default: 1e-7.
  bool amsgrad = false;                                  ///< Use the AMSGrad variant. Default: false.
  std::optional<double> clipnorm = std::nullopt;         ///< As in `AdamOptions`. Default: none.
  std::optional<double> clipvalue = std::nullopt;        ///< As in `AdamOptions`. Default: none.
  std::optional<double> global_clipnorm = std::nullopt;  ///< As in `AdamOptions`. Default: none.
};

/// Adam with decoupled weight decay, as Keras's `keras.optimizers.AdamW`. Throws `tkeras::Error`
/// as Adam does, and for a negative weight decay.
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::AdamW({.weight_decay = 0.01})});`
class AdamW : public Optimizer {
 public:
  /// AdamW with `options`. Default: Keras's defaults.
  explicit AdamW(AdamWOptions options = {});
  /// AdamW from its `get_config()` (Keras's `AdamW.from_config`); absent options take their defaults.
  static AdamW from_config(const Config& config);
};

}  // namespace tkeras::optimizers
