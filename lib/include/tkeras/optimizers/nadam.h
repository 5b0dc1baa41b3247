// Nadam: Keras's Nadam optimizer and its options.
#pragma once

#include <optional>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers {

/// Nadam's options, with Keras's defaults and rule (Adam with Nesterov momentum, after Dozat
/// 2016): with `u_t = beta_1 (1 - 0.5 * 0.96^t)` and `P_t = u_1 ... u_t` (the `u_product` variable),
/// `w -= learning_rate * (u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)) /
/// (sqrt(v / (1 - beta_2^t)) + epsilon)`.
struct NadamOptions {
  LearningRate learning_rate = 0.001;  ///< Step size, or a schedule of the step. Default: 0.001.
  double beta_1 = 0.9;                 ///< Decay of the first moment. Default: 0.9.
  double beta_2 = 0.999;               ///< Decay of the second moment. Default: 0.999.
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

/// Nadam, as Keras's `keras.optimizers.Nadam`. Throws `tkeras::Error` for a negative or
/// non-finite learning rate, or a beta outside [0, 1).
///
/// Example: `model.compile({.optimizer = tkeras::optimizers::Nadam({.learning_rate = 0.002})});`
class Nadam : public Optimizer {
 public:
  /// Nadam with `options`. Default: Keras's defaults.
  explicit Nadam(NadamOptions options = {});
  /// Nadam from its `get_config()` (Keras's `Nadam.from_config`); absent options take their defaults.
  static Nadam from_config(const Config& config);
};

}  // namespace tkeras::optimizers
