// Lion: Keras's Lion optimizer and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// Lion's options, with Keras's defaults and rule: `w -= learning_rate * sign(beta_1 m +
/// (1 - beta_1) g)`, then `m = beta_2 m + (1 - beta_2) g`.
struct LionOptions {
  LearningRate learning_rate = 0.001;  ///< Step size, or a schedule of the step. Default: 0.001.
  double beta_1 = 0.9;                 ///< Weight of the momentum in the step's sign. Default: 0.9.
  double beta_2 = 0.99;                ///< Decay of the momentum. Default: 0.99.
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

/// Lion, as Keras's `keras.optimizers.Lion`. Throws `tkeras::Error` for a negative or
/// non-finite learning rate, a `beta_1` outside (0, 1] (as Keras: 0 makes it SignSGD) or a `beta_2`
/// outside [0, 1).
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::Lion({.learning_rate = 1e-4})});`
class Lion : public Optimizer {
 public:
  /// Lion with `options`. Default: Keras's defaults.
  explicit Lion(LionOptions options = {});
  /// Lion from its `get_config()` (Keras's `Lion.from_config`); absent options take their defaults.
  static Lion from_config(const Config& config);
};

}  // namespace tkeras::optimizers
