// Loss: what compile takes as a loss, by name or as an object, and LossFunction, the base of every
// loss class (Keras's keras.losses.Loss), with Keras's reductions.
#pragma once

#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/core/shape.h"

namespace tkeras::losses {

/// Keras's default `reduction`: the sum of the (weighted) loss values over their number.
inline constexpr std::string_view kSumOverBatchSize = "sum_over_batch_size";

/// The options every loss has: Keras's `reduction`, one of `"sum_over_batch_size"` (the
/// default; the sum of the weighted values over their number), `"mean"` (the same), `"sum"`,
/// `"mean_with_sample_weight"` (the sum over the sum of the sample weights) or `"none"` (the
/// values as they are; not for `compile`, whose loss must be one number).
struct LossOptions {
  /// How the per-sample values become the loss. Default: `"sum_over_batch_size"`.
  std::string reduction = std::string(kSumOverBatchSize);
};

/// What a loss computes before its reduction, as Keras's `keras.losses.Loss.call`: the base of
/// every loss class, and the one to derive from for a loss of your own. `Loss` holds one and adds
/// the reduction and the sample weights.
class LossFunction {
 public:
  virtual ~LossFunction() = default;

  /// Keras's class name, e.g. `Huber`.
  virtual std::string class_name() const = 0;
  /// The name compile takes and the files keep, e.g. `huber`.
  virtual std::string name() const = 0;
  /// The per-sample loss values of `y_pred` against `y_true` (targets as `prepare_targets` returns
  /// them): `[N]`, `[N, T]` for outputs with a time axis, or one value for the whole batch.
  virtual torch::Tensor call(const torch::Tensor& y_true, const torch::Tensor& y_pred) const = 0;
  /// `call` on the outputs of a layer, given its pre-activation values and its activation's name.
  /// Default: `call` on the activation's outputs. The cross-entropies compute from the logits of
  /// a softmax or sigmoid output instead, for stability.
  virtual torch::Tensor call_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                      std::string_view activation) const;
  /// The mean of `call_on_layer`'s values in one faster computation, or undefined where there is
  /// none. Default: none.
  virtual torch::Tensor mean_on_layer(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                      std::string_view activation) const;
  /// Which of `values` (what `call` returned for `y_true`) count, as a bool tensor of their shape
  /// (Keras's loss mask), or undefined when all of them count. Default: all count.
  virtual torch::Tensor valid(const torch::Tensor& y_true, const torch::Tensor& values) const;
  /// The loss's options in Keras's names, without `name` and `reduction`, e.g. `{"delta": 1.0}`.
  /// Default: none.
  virtual Config get_config() const;
  /// Whether the model's outputs are taken as logits. Default: false.
  virtual bool from_logits() const { return false; }
  /// Whether the targets are integer class labels rather than values shaped as the outputs.
  /// Default: false.
  virtual bool takes_labels() const { return false; }
  /// Checks targets `y` against the model's output shape (without the batch axis) and returns them
  /// as `call` takes them. Default: float32 of the outputs' shape, a `[N]` target against one
  /// output unit as `[N, 1]`. `layer` names the output in messages, e.g. `Dense "dense_1"`. Throws
  /// `tkeras::Error` naming the expected shape and the one received.
  virtual torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape,
                                        std::string_view layer) const;
};

/// A loss written as a function, as a Python function Keras's compile takes (`def my_loss(y_true,
/// y_pred)`): the per-sample values of `y_pred` against `y_true` (`[N]`, or `[N, ...]`).
using LossCallable = std::function<torch::Tensor(const torch::Tensor& y_true, const torch::Tensor& y_pred)>;

/// A loss as `compile` takes it: by name (`"sparse_categorical_crossentropy"`, `"mse"`,
/// `"huber"`...; every name Keras's `keras.losses.get` takes, among them the class names) or as
/// an object with options (`tkeras::losses::Huber({.delta = 2.0})`). Calling it reduces the
/// per-sample values as its `reduction` says; by default the sum of each sample's weighted loss
/// over the number of values (not over the sum of the weights), as in Keras.
///
/// Example:
/// ```
/// model.compile({.loss = "sparse_categorical_crossentropy"});
/// model.compile({.loss = tkeras::losses::SparseCategoricalCrossentropy({.from_logits = true})});
/// ```
class Loss {
 public:
  /// The loss called `name`, with default options. Throws `tkeras::Error` listing the valid
  /// names when `name` is unknown.
  Loss(const char* name);  // NOLINT: implicit, so that `.loss = "mse"` works
  /// The loss called `name`, with default options.
  Loss(std::string_view name);  // NOLINT
  /// The loss called `name`, with default options.
  Loss(const std::string& name);  // NOLINT
  /// The loss `function` computes, reduced as `reduction` says (a `LossOptions::reduction`).
  /// Throws `tkeras::Error` for a null function or an unknown reduction.
  explicit Loss(std::shared_ptr<const LossFunction> function, std::string_view reduction = kSumOverBatchSize);
  /// A loss written as a function, named `name` as Keras names a function loss (by the function's
  /// name): model files keep it by that name, and `load_model` finds it in `custom_objects` under
  /// it. Reduced as `reduction`. Throws `tkeras::Error` for an empty function or name.
  ///
  /// Example: `Loss([](const torch::Tensor& y, const torch::Tensor& p) { return (y - p).abs().mean(-1); }, "my_mae")`
  Loss(LossCallable function, std::string name, std::string_view reduction = kSumOverBatchSize);

  /// The name compile takes, e.g. `sparse_categorical_crossentropy`.
  std::string name() const { return function_->name(); }
  /// Keras's class name, e.g. `SparseCategoricalCrossentropy`.
  std::string class_name() const { return function_->class_name(); }
  /// Whether the model's outputs are taken as logits.
  bool from_logits() const { return function_->from_logits(); }
  /// Whether it is a loss written as a function (`Loss(function, name)`), which files keep by name.
  bool is_function() const;
  /// The reduction, e.g. `sum_over_batch_size`.
  const std::string& reduction() const { return reduction_; }
  /// What the loss computes before its reduction.
  const LossFunction& function() const { return *function_; }

  /// The loss of `y_pred` (the model's outputs) against `y_true`, as Keras's `loss(y_true, y_pred,
  /// sample_weight)`: one number, or the per-sample values for the `"none"` reduction.
  /// `sample_weight`, when defined, holds one weight per sample (`[N]`, float32 on `y_pred`'s
  /// device). Default: none (all weights 1).
  torch::Tensor operator()(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                           const torch::Tensor& sample_weight = {}) const;
  /// The loss, given the model's output layer's pre-activation values and its activation name
  /// (see `LossFunction::call_on_layer`). `sample_weight` as in `operator()`.
  torch::Tensor from_layer_output(const torch::Tensor& y_true, const torch::Tensor& pre_activation,
                                  std::string_view activation, const torch::Tensor& sample_weight = {}) const;
  /// Checks targets and returns them as the loss computes with (`LossFunction::prepare_targets`).
  torch::Tensor prepare_targets(const torch::Tensor& y, const Shape& output_shape, std::string_view layer) const {
    return function_->prepare_targets(y, output_shape, layer);
  }

  /// The loss as a model file keeps it: its name, its reduction and its options in Keras's names,
  /// e.g. `{"name": "huber", "reduction": "sum_over_batch_size", "delta": 2.0}`.
  Config get_config() const;
  /// The loss a `get_config()` describes; an absent option takes its default. Throws
  /// `tkeras::Error` for an unknown name, an unknown option or a bad value.
  static Loss from_config(const Config& config);

  /// The valid names, sorted.
  static std::vector<std::string> names();

 private:
  std::shared_ptr<const LossFunction> function_;
  std::string reduction_;
};

/// Makes a loss of your own again for `load_model`, as Keras's `custom_objects` map a name to a
/// loss function or class: a function of targets and outputs (a `LossCallable`, found under the
/// name the loss was given), or a callable that takes the loss's saved config (Keras's `name`,
/// `reduction` and the class's own options, as its `get_config`; or nothing) and returns a
/// `LossFunction` (found under its class name), a shared pointer to one, or a `Loss`. The saved
/// `reduction` applies, unless a `Loss` is returned.
///
/// Example: `LossFactory scaled = [](const Config& c) { return ScaledError(c.value("scale", 1.0)); };`
class LossFactory {
 public:
  /// A factory of the function loss `function`.
  template <typename F>
  requires std::is_invocable_r_v<torch::Tensor, const F&, const torch::Tensor&, const torch::Tensor&> LossFactory(
      F function)  // NOLINT: implicit, so that custom_objects is a braced list of callables
      : function_(std::move(function)) {}
  /// A factory from a callable taking the loss's config.
  template <typename F>
  requires(std::invocable<const F&, const Config&> &&
           !std::is_invocable_v<const F&, const torch::Tensor&, const torch::Tensor&>)
      LossFactory(F make)  // NOLINT: implicit, as above
      : make_([make = std::move(make)](const Config& config) { return made(make(config), config); }) {}
  /// A factory from a callable taking nothing.
  template <typename F>
  requires(std::invocable<const F&> && !std::invocable<const F&, const Config&>) LossFactory(F make)  // NOLINT
      : make_([make = std::move(make)](const Config& config) { return made(make(), config); }) {}

  /// The loss for a saved `config`: `{"name", "reduction", options...}`.
  Loss operator()(const Config& config) const;
  /// Whether it makes a function loss.
  bool is_function() const { return function_ != nullptr; }

 private:
  // What the callable returned, as a loss reduced as `config` says.
  static Loss made(Loss loss, const Config& /*config*/) { return loss; }
  template <std::derived_from<LossFunction> D>
  static Loss made(std::shared_ptr<D> function, const Config& config) {
    return with_reduction(std::move(function), config);
  }
  template <std::derived_from<LossFunction> D>
  static Loss made(D function, const Config& config) {
    return with_reduction(std::make_shared<D>(std::move(function)), config);
  }
  static Loss with_reduction(std::shared_ptr<const LossFunction> function, const Config& config);

  LossCallable function_;
  std::function<Loss(const Config&)> make_;
};

/// Loss factories by the name a model file keeps the loss under (see `LossFactory`).
using LossFactories = std::map<std::string, LossFactory, std::less<>>;

}  // namespace tkeras::losses
