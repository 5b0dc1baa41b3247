// Adam: Keras's Adam optimizer and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// Adam's options, with Keras's defaults and Keras's update rule: with
/// `alpha = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)`, each step does
/// `m += (g - m)(1 - beta_1)`, `v += (g^2 - v)(1 - beta_2)`, `w -= alpha * m / (sqrt(v) + epsilon)`
/// (PyTorch adds epsilon to the bias-corrected `sqrt(v)` instead; the two differ only in how
/// epsilon is scaled).
struct AdamOptions {
  LearningRate learning_rate = 0.001;  ///< Step size, or a schedule of the step. Default: 0.001.
  double beta_1 = 0.9;                 ///< Decay of the first-moment estimate. Default: 0.9.
  double beta_2 = 0.999;               ///< Decay of the second-moment estimate. Default: 0.999.
  double epsilon = 1e-7;               ///< Numerical stability term. Default: 1e-7.
  bool amsgrad = false;                ///< Use the AMSGrad variant. Default: false.
  /// Keras's decoupled weight decay: before each update, every trainable weight is multiplied
  /// by `1 - weight_decay * learning_rate`. Default: none.
  std::optional<double> weight_decay = std::nullopt;
  /// Rescales each weight's gradient whose L2 norm exceeds this to that norm, as Keras's
  /// `clipnorm` (per weight, not over all gradients). Default: none.
  std::optional<double> clipnorm = std::nullopt;
  /// Clips each gradient value into [-clipvalue, clipvalue]. Default: none. (Keras applies only
  /// one clipping: `clipnorm`, else `global_clipnorm`, else `clipvalue`; so does tkeras.)
  std::optional<double> clipvalue = std::nullopt;
  /// Rescales all gradients together when their joint L2 norm exceeds this. Default: none.
  std::optional<double> global_clipnorm = std::nullopt;
};

/// Adam with options, as Keras's `keras.optimizers.Adam`. Throws `tkeras::Error` for a
/// negative or non-finite learning rate (0 is allowed, as in Keras), betas outside [0, 1), or a
/// clipping or weight decay option that is not positive.
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 1e-4, .amsgrad = true})});`
class Adam : public Optimizer {
 public:
  /// Adam with `options`. Default: Keras's defaults.
  explicit Adam(AdamOptions options = {});
  /// Adam from its `get_config()` (Keras's `Adam.from_config`); absent options take their defaults.
  static Adam from_config(const Config& config);
};

}  // namespace tkeras::optimizers
