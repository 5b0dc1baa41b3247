// Adagrad: Keras's Adagrad optimizer and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// Adagrad's options, with Keras's defaults and rule: `accumulator += g^2`,
/// `w -= learning_rate * g / sqrt(accumulator + epsilon)`.
struct AdagradOptions {
  LearningRate learning_rate = 0.001;      ///< Step size, or a schedule of the step. Default: 0.001.
  double initial_accumulator_value = 0.1;  ///< The accumulators' starting value. Default: 0.1.
  double epsilon = 1e-7;                   ///< Numerical stability term. Default: 1e-7.
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

/// Adagrad, as Keras's `keras.optimizers.Adagrad`. Throws `tkeras::Error` for a negative or
/// non-finite learning rate or a negative initial accumulator value.
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::Adagrad({.learning_rate = 0.1})});`
class Adagrad : public Optimizer {
 public:
  /// Adagrad with `options`. Default: Keras's defaults.
  explicit Adagrad(AdagradOptions options = {});
  /// Adagrad from its `get_config()` (Keras's `Adagrad.from_config`); absent options take their defaults.
  static Adagrad from_config(const Config& config);
};

}  // namespace tkeras::optimizers
