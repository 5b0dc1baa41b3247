// RMSprop: Keras's RMSprop optimizer, centered and with momentum, and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// RMSprop's options, with Keras's defaults and Keras's rule: `epsilon` is added under the
/// square root, `w -= learning_rate * g / sqrt(velocity + epsilon)`.
struct RMSpropOptions {
  LearningRate learning_rate = 0.001;  ///< Step size, or a schedule of the step. Default: 0.001.
  double rho = 0.9;                    ///< Decay of the moving average of squared gradients. Default: 0.9.
  double momentum = 0.0;               ///< Momentum factor. Default: 0.
  double epsilon = 1e-7;               ///< Numerical stability term. Default: 1e-7.
  bool centered = false;               ///< Normalise by the gradient's estimated variance. Default: false.
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

/// RMSprop, as Keras's `keras.optimizers.RMSprop`. Throws `tkeras::Error` for a negative or non-finite
/// learning rate or `rho` outside [0, 1).
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::RMSprop({.learning_rate = 1e-4, .centered = true})});`
class RMSprop : public Optimizer {
 public:
  /// RMSprop with `options`. Default: Keras's defaults.
  explicit RMSprop(RMSpropOptions options = {});
  /// RMSprop from its `get_config()` (Keras's `RMSprop.from_config`); absent options take their defaults.
  static RMSprop from_config(const Config& config);
};

}  // namespace tkeras::optimizers
