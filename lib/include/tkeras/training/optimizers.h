// Optimizers: Adam, AdamW, SGD, RMSprop and Adagrad by name or with options, with Keras's update rules.
#pragma once

#include <optional>
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

/// SGD's options, with Keras's defaults.
struct SGDOptions {
  double learning_rate = 0.01;  ///< Step size. Default: 0.01.
  double momentum = 0.0;        ///< Momentum factor, 0 for plain SGD. Default: 0.
  bool nesterov = false;        ///< Use Nesterov momentum. Default: false.
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

/// RMSprop's options, with Keras's defaults and Keras's rule: `epsilon` is added under the
/// square root, `w -= learning_rate * g / sqrt(velocity + epsilon)`.
struct RMSpropOptions {
  double learning_rate = 0.001;  ///< Step size. Default: 0.001.
  double rho = 0.9;              ///< Decay of the moving average of squared gradients. Default: 0.9.
  double momentum = 0.0;         ///< Momentum factor. Default: 0.
  double epsilon = 1e-7;         ///< Numerical stability term. Default: 1e-7.
  bool centered = false;         ///< Normalise by the gradient's estimated variance. Default: false.
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

/// AdamW's options, as Keras's `AdamW`: Adam's rule, with a weight decay on by default (see
/// `weight_decay` above).
struct AdamWOptions {
  double learning_rate = 0.001;  ///< Step size. Default: 0.001.
  double weight_decay = 0.004;   ///< Decoupled weight decay. Default: 0.004.
  double beta_1 = 0.9;           ///< Decay of the first-moment estimate. Default: 0.9.
  double beta_2 = 0.999;         ///< Decay of the second-moment estimate. Default: 0.999.
  double epsilon = 1e-7;         ///< Numerical stability term. Default: 1e-7.
  bool amsgrad = false;          ///< Use the AMSGrad variant. Default: false.
  std::optional<double> clipnorm = std::nullopt;         ///< As in `AdamOptions`. Default: none.
  std::optional<double> clipvalue = std::nullopt;        ///< As in `AdamOptions`. Default: none.
  std::optional<double> global_clipnorm = std::nullopt;  ///< As in `AdamOptions`. Default: none.
};

/// Adagrad's options, with Keras's defaults and rule: `accumulator += g^2`,
/// `w -= learning_rate * g / sqrt(accumulator + epsilon)`.
struct AdagradOptions {
  double learning_rate = 0.001;            ///< Step size. Default: 0.001.
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

/// Every optimizer's options.
using OptimizerOptions = std::variant<AdamOptions, SGDOptions, RMSpropOptions, AdamWOptions, AdagradOptions>;

/// An optimizer as `compile` takes it: by name (`"adam"`, `"adamw"`, `"sgd"`, `"rmsprop"`,
/// `"adagrad"`, with Keras's default hyper-parameters) or as `Adam(...)`, `AdamW(...)`, `SGD(...)`,
/// `RMSprop(...)`, `Adagrad(...)` with options. Each step applies, in Keras's order: gradient
/// clipping (`clipnorm`, `global_clipnorm` or `clipvalue`), the weight decay, then the update.
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

  /// The optimizer's Keras name: `adam`, `sgd`, `rmsprop`, `adamw` or `adagrad`.
  std::string name() const;
  /// The configured learning rate.
  double learning_rate() const;
  /// Changes the configured learning rate (for optimizers created after this).
  void set_learning_rate(double learning_rate);
  /// The configuration.
  const OptimizerOptions& options() const { return options_; }
  /// The weight decay (AdamW's, or the `weight_decay` option), or none.
  std::optional<double> weight_decay() const;
  /// The gradient clipping options: `clipnorm`, `clipvalue`, `global_clipnorm`.
  std::optional<double> clipnorm() const;
  /// `clipvalue`, or none.
  std::optional<double> clipvalue() const;
  /// `global_clipnorm`, or none.
  std::optional<double> global_clipnorm() const;

  /// The valid names, sorted.
  static const std::vector<std::string>& names();

 protected:
  /// An optimizer with the given configuration.
  explicit Optimizer(OptimizerOptions options);

 private:
  OptimizerOptions options_;
};

/// Adam with options, as Keras's `keras.optimizers.Adam`. Throws `tkeras::Error` for a
/// negative or non-finite learning rate (0 is allowed, as in Keras), betas outside [0, 1), or a
/// clipping or weight decay option that is not positive.
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

/// Adam with decoupled weight decay, as Keras's `keras.optimizers.AdamW`. Throws `tkeras::Error`
/// as Adam does, and for a negative weight decay.
class AdamW : public Optimizer {
 public:
  /// AdamW with `options`. Default: Keras's defaults.
  explicit AdamW(AdamWOptions options = {});
};

/// Adagrad, as Keras's `keras.optimizers.Adagrad`. Throws `tkeras::Error` for a negative or
/// non-finite learning rate or a negative initial accumulator value.
class Adagrad : public Optimizer {
 public:
  /// Adagrad with `options`. Default: Keras's defaults.
  explicit Adagrad(AdagradOptions options = {});
};

}  // namespace tkeras::optimizers
