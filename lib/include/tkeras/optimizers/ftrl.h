// Ftrl: Keras's Ftrl (Follow The Regularized Leader) optimizer and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// Ftrl's options, with Keras's defaults and rule (McMahan et al. 2013), with `p = -learning_rate_power`:
/// `n' = n + g^2`; `z += g + 2 l2_shrinkage w - (n'^p - n^p) / learning_rate * w`;
/// `w = (clip(z, -l1, l1) - z) / ((n'^p + beta) / learning_rate + 2 l2)`; `n = n'`.
struct FtrlOptions {
  LearningRate learning_rate = 0.001;       ///< Step size, or a schedule of the step. Default: 0.001.
  double learning_rate_power = -0.5;        ///< How the step shrinks as gradients add up; <= 0. Default: -0.5.
  double initial_accumulator_value = 0.1;   ///< The accumulators' starting value; >= 0. Default: 0.1.
  double l1_regularization_strength = 0.0;  ///< The L1 term `l1`; >= 0. Default: 0.
  double l2_regularization_strength = 0.0;  ///< The L2 term `l2`; >= 0. Default: 0.
  /// The L2 shrinkage term, a magnitude penalty on the weights added to the gradient; >= 0. Default: 0.
  double l2_shrinkage_regularization_strength = 0.0;
  double beta = 0.0;  ///< Added to the accumulators' power in the denominator. Default: 0.
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

/// Ftrl, as Keras's `keras.optimizers.Ftrl`. Throws `tkeras::Error`, as Keras raises, for a
/// negative or non-finite learning rate, a positive `learning_rate_power`, or a negative
/// `initial_accumulator_value` or regularization strength.
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::Ftrl({.learning_rate = 0.1})});`
class Ftrl : public Optimizer {
 public:
  /// Ftrl with `options`. Default: Keras's defaults.
  explicit Ftrl(FtrlOptions options = {});
  /// Ftrl from its `get_config()` (Keras's `Ftrl.from_config`); absent options take their defaults.
  static Ftrl from_config(const Config& config);
};

}  // namespace tkeras::optimizers
