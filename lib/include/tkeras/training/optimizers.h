// Optimizers: Adam, SGD and RMSprop by name or with options, with Keras's update rules.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>


namespace tkeras::optimizers {

/// Adam's options, with Keras's defaults and Keras's update rule: with
/// `alpha = learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)`, each step does
/// `m += (g - m)(1 - beta_1)`, `v += (g^2 - v)(1 - beta_2)`, `w -= alpha * m / (sqrt(v) + epsilon)`
/// (PyTorch adds epsilon to the bias-corrected `sqrt(v)` instead; the two differ only in how
/// epsilon is scaled).
struct AdamOptions {
  double learning_rate = 0.001;  ///< Step size. Default: 0.001.
  double beta_1 = 0.9;           ///< Decay of the first-moment estimate. Default: 0.9.
  double beta_2 = 0.999;         ///< Decay of the second-moment estimate. Default: 0.999.
  double epsilon = 1e-7;         ///< Numerical stability term. Default: 1e-7.
  bool amsgrad = false;          ///< Use the AMSGrad variant. Default: false.
};

/// SGD's options, with Keras's defaults.
struct SGDOptions {
  double learning_rate = 0.01;  ///< Step size. Default: 0.01.
  double momentum = 0.0;        ///< Momentum factor, 0 for plain SGD. Default: 0.
  bool nesterov = false;        ///< Use Nesterov momentum. Default: false.
};

/// RMSprop's options, with Keras's defaults and Keras's rule: `epsilon` is added under the
/// square root, `w -= learning_rate * g / sqrt(velocity + epsilon)`.
struct RMSpropOptions {
  double learning_rate = 0.001;  ///< Step size. Default: 0.001.
  double rho = 0.9;              ///< Decay of the moving average of squared gradients. Default: 0.9.
  double momentum = 0.0;         ///< Momentum factor. Default: 0.
  double epsilon = 1e-7;         ///< Numerical stability term. Default: 1e-7.
  bool centered = false;         ///< Normalise by the gradient's estimated variance. Default: false.
};

/// An optimizer as `compile` takes it: by name (`"adam"`, `"sgd"`, `"rmsprop"`, with Keras's
/// default hyper-parameters) or as `Adam(...)`, `SGD(...)`, `RMSprop(...)` with options.
///
/// `fit` applies the update to all trainable weights at once: the weights live in one flat
/// buffer (each weight a view of its slice) and a step is a handful of element-wise ops over it,
/// whatever the number of layers.
///
/// Example:
/// ```
/// model.compile({.optimizer = "adam"});
/// model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 1e-3})});
/// ```
class Optimizer {
 public:
  /// The optimizer called `name`, with Keras's defaults. Throws `tkeras::Error` listing the
  /// valid names when `name` is unknown.
  Optimizer(const char* name);  // NOLINT: implicit, so that `.optimizer = "adam"` works
  /// The optimizer called `name`, with Keras's defaults.
  Optimizer(std::string_view name);  // NOLINT
  /// The optimizer called `name`, with Keras's defaults.
  Optimizer(const std::string& name);  // NOLINT

  /// The optimizer's Keras name: `adam`, `sgd` or `rmsprop`.
  std::string name() const;
  /// The configured learning rate.
  double learning_rate() const;
  /// Changes the configured learning rate (for optimizers created after this).
  void set_learning_rate(double learning_rate);
  /// The configuration.
  const std::variant<AdamOptions, SGDOptions, RMSpropOptions>& options() const { return options_; }

  /// The valid names, sorted.
  static const std::vector<std::string>& names();

 protected:
  /// An optimizer with the given configuration.
  explicit Optimizer(std::variant<AdamOptions, SGDOptions, RMSpropOptions> options);

 private:
  std::variant<AdamOptions, SGDOptions, RMSpropOptions> options_;
};

/// Adam with options, as Keras's `keras.optimizers.Adam`. Throws `tkeras::Error` for a
/// negative or non-finite learning rate (0 is allowed, as in Keras) or betas outside [0, 1).
class Adam : public Optimizer {
 public:
  /// Adam with `options`. Default: Keras's defaults.
  explicit Adam(AdamOptions options = {});
};

/// Stochastic gradient descent, as Keras's `keras.optimizers.SGD`. Throws `tkeras::Error` for
/// a negative or non-finite learning rate (0 is allowed, as in Keras) or a negative momentum.
class SGD : public Optimizer {
 public:
  /// SGD with `options`. Default: Keras's defaults.
  explicit SGD(SGDOptions options = {});
};

/// RMSprop, as Keras's `keras.optimizers.RMSprop`. Throws `tkeras::Error` for a negative or non-finite
/// learning rate or `rho` outside [0, 1).
class RMSprop : public Optimizer {
 public:
  /// RMSprop with `options`. Default: Keras's defaults.
  explicit RMSprop(RMSpropOptions options = {});
};

}  // namespace tkeras::optimizers
