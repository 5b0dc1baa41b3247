// Adadelta: Keras's Adadelta optimizer and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// Adadelta's options, with Keras's defaults and rule: `a = rho a + (1 - rho) g^2`,
/// `d = -sqrt(b + epsilon) / sqrt(a + epsilon) * g`, `b = rho b + (1 - rho) d^2`, `w += learning_rate * d`.
struct AdadeltaOptions {
  LearningRate learning_rate = 0.001;  ///< Step size, or a schedule of the step. Default: 0.001.
  double rho = 0.95;                   ///< Decay of both moving averages. Default: 0.95.
  double epsilon = 1e-7;               ///< Numerical stability term. Default: 1e-7.
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

/// Adadelta, as Keras's `keras.optimizers.Adadelta`. Throws `tkeras::Error` for a negative or
/// non-finite learning rate, or a rho outside [0, 1).
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::Adadelta({.learning_rate = 1.0})});`
class Adadelta : public Optimizer {
 public:
  /// Adadelta with `options`. Default: Keras's defaults.
  explicit Adadelta(AdadeltaOptions options = {});
  /// Adadelta from its `get_config()` (Keras's `Adadelta.from_config`); absent options take their defaults.
  static Adadelta from_config(const Config& config);
};

}  // namespace tkeras::optimizers
