// Adamax: Keras's Adamax optimizer and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// Adamax's options, with Keras's defaults and rule: `m = beta_1 m + (1 - beta_1) g`,
/// `u = max(beta_2 u, |g|)`, `w -= learning_rate / (1 - beta_1^t) * m / (u + epsilon)` (Adam with
/// the infinity norm).
struct AdamaxOptions {
  LearningRate learning_rate = 0.001;  ///< Step size, or a schedule of the step. Default: 0.001.
  double beta_1 = 0.9;                 ///< Decay of the first moment. Default: 0.9.
  double beta_2 = 0.999;               ///< Decay of the infinity norm. Default: 0.999.
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

/// Adamax, as Keras's `keras.optimizers.Adamax`. Throws `tkeras::Error` for a negative or
/// non-finite learning rate, or a beta outside [0, 1).
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::Adamax({.learning_rate = 0.002})});`
class Adamax : public Optimizer {
 public:
  /// Adamax with `options`. Default: Keras's defaults.
  explicit Adamax(AdamaxOptions options = {});
  /// Adamax from its `get_config()` (Keras's `Adamax.from_config`); absent options take their defaults.
  static Adamax from_config(const Config& config);
};

}  // namespace tkeras::optimizers
