// SGD: Keras's stochastic gradient descent, with momentum and Nesterov's, and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// SGD's options, with Keras's defaults and Keras's rule: `w -= learning_rate * g`; with momentum,
/// `m = momentum * m - learning_rate * g`, `w += m` (Nesterov: `w += momentum * m - learning_rate * g`).
struct SGDOptions {
  LearningRate learning_rate = 0.01;  ///< Step size, or a schedule of the step. Default: 0.01.
  double momentum = 0.0;              ///< Momentum factor, 0 for plain SGD. Default: 0.
  bool nesterov = false;              ///< Use Nesterov momentum. Default: false.
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

/// Stochastic gradient descent, as Keras's `keras.optimizers.SGD`. Throws `tkeras::Error` for
/// a negative or non-finite learning rate (0 is allowed, as in Keras) or a negative momentum.
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::SGD({.learning_rate = 0.1, .momentum = 0.9})});`
class SGD : public Optimizer {
 public:
  /// SGD with `options`. Default: Keras's defaults.
  explicit SGD(SGDOptions options = {});
  /// SGD from its `get_config()` (Keras's `SGD.from_config`); absent options take their defaults.
  static SGD from_config(const Config& config);
};

}  // namespace tkeras::optimizers
