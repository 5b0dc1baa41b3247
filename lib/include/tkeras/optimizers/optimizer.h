// Optimizer: the optimizer compile takes, by name or as one of the classes (Adam, SGD...), as Keras's base class.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/schedules.h"

namespace tkeras::optimizers {

/// An optimizer's `learning_rate`: a number (>= 0), or a schedule of the step, as Keras takes
/// either. Converts from both, so `.learning_rate = 1e-3` and `.learning_rate =
/// schedules::ExponentialDecay({...})` read alike.
class LearningRate {
 public:
  /// A constant rate.
  LearningRate(double value) : value_(value) {}  // NOLINT: implicit, as Keras's float
  /// A rate that follows `schedule`.
  LearningRate(schedules::LearningRateSchedule schedule)  // NOLINT: implicit, as Keras's schedule
      : value_(schedule(0)), schedule_(std::move(schedule)) {}

  /// The rate at `step` (updates done before): the number, or the schedule's value.
  double at(int64_t step) const { return schedule_ ? (*schedule_)(step) : value_; }
  /// The number; for a schedule, its value at step 0.
  double value() const { return value_; }
  /// The schedule, or none for a number.
  const std::optional<schedules::LearningRateSchedule>& schedule() const { return schedule_; }

 private:
  double value_;
  std::optional<schedules::LearningRateSchedule> schedule_;
};

/// As Keras's optimizer config writes it: the number, or the schedule's `serialize()`.
void to_json(Config& json, const LearningRate& learning_rate);

namespace detail {
class OptimizerImpl;
}

/// An optimizer as `compile` takes it: by name (`"adam"`, `"adamw"`, `"sgd"`, `"rmsprop"`,
/// `"adagrad"`, `"adamax"`, `"adadelta"`, `"lion"`, `"nadam"`, `"ftrl"`, `"lamb"`, with Keras's
/// default hyper-parameters; Keras's class names `"Adam"`... too) or as `Adam(...)`, `AdamW(...)`,
/// `SGD(...)`, `RMSprop(...)`, `Adagrad(...)`, `Adamax(...)`, `Adadelta(...)`, `Lion(...)`,
/// `Nadam(...)`, `Ftrl(...)`, `Lamb(...)` with options. Each step
/// applies, in Keras's order: gradient clipping (`clipnorm`, `global_clipnorm` or `clipvalue`), the
/// weight decay, then the update.
///
/// `fit` applies the update to all trainable weights at once: the weights live in one flat
/// buffer (each weight a view of its slice) and a step is a handful of element-wise ops over it,
/// whatever the number of layers.
///
/// An optimizer is a value: a copy has its own learning rate.
///
/// Example:
/// ```
/// model.compile({.optimizer = "adam"});
/// model.compile({.optimizer = tkeras::optimizers::Adam({.learning_rate = 1e-3})});
/// ```
class Optimizer {
 public:
  /// The optimizer called `name` (or of Keras's class name `name`), with Keras's defaults. Throws
  /// `tkeras::Error` listing the valid names when `name` is unknown.
  Optimizer(const char* name);  // NOLINT: implicit, so that `.optimizer = "adam"` works
  /// The optimizer called `name`, with Keras's defaults.
  Optimizer(std::string_view name);  // NOLINT
  /// The optimizer called `name`, with Keras's defaults.
  Optimizer(const std::string& name);  // NOLINT

  /// A copy, with its own options (its own learning rate).
  Optimizer(const Optimizer& other);
  /// Takes `other`'s class and options; `other` is left empty.
  Optimizer(Optimizer&& other) noexcept;
  /// Becomes a copy of `other`.
  Optimizer& operator=(const Optimizer& other);
  /// Takes `other`'s class and options; `other` is left empty.
  Optimizer& operator=(Optimizer&& other) noexcept;
  ~Optimizer();

  /// The optimizer's Keras name: `adam`, `sgd`, `rmsprop`, `adamw`, `adagrad`, `adamax`,
  /// `adadelta`, `lion`, `nadam`, `ftrl` or `lamb`.
  std::string name() const;
  /// Keras's class name: `Adam`, `SGD`, `RMSprop`, `AdamW`, `Adagrad`, `Adamax`, `Adadelta`, `Lion`,
  /// `Nadam`, `Ftrl` or `Lamb`.
  std::string class_name() const;
  /// The configured learning rate; for a schedule, its value at step 0.
  double learning_rate() const;
  /// The learning rate after `iterations` updates: the number, or the schedule's value there (what
  /// Keras's `optimizer.learning_rate` gives).
  double learning_rate_at(int64_t iterations) const;
  /// The learning-rate schedule, or none when the learning rate is a number.
  const std::optional<schedules::LearningRateSchedule>& learning_rate_schedule() const;
  /// Changes the configured learning rate (for optimizers created after this). Throws
  /// `tkeras::Error` when the learning rate is a schedule, as Keras's setter raises.
  void set_learning_rate(double learning_rate);
  /// The weight decay (AdamW's, or the `weight_decay` option), or none.
  std::optional<double> weight_decay() const;
  /// The gradient clipping options: `clipnorm`, `clipvalue`, `global_clipnorm`.
  std::optional<double> clipnorm() const;
  /// `clipvalue`, or none.
  std::optional<double> clipvalue() const;
  /// `global_clipnorm`, or none.
  std::optional<double> global_clipnorm() const;
  /// The options as Keras's `get_config()` names them (`{"learning_rate": 0.001, "beta_1": 0.9,
  /// ...}`), the clipping and weight decay only when set; the class's `from_config` reads it back.
  Config get_config() const;
  /// The variables the optimizer keeps for each trainable weight, by Keras's names, in the order
  /// Keras's `build` makes them (and a `.keras` file stores them, after the iterations and the
  /// learning rate): the groups one after another, each group interleaved over the weights. Adam:
  /// `{{"momentums", "velocities"}}`, with amsgrad `{"velocity_hats"}` after; plain SGD: none.
  std::vector<std::vector<std::string>> slot_groups() const;
  /// The scalar variables the optimizer keeps once for all weights, by Keras's names, which Keras's
  /// `build` makes (and a `.keras` file stores) after the slots: Nadam's `{"u_product"}`; the others none.
  std::vector<std::string> scalar_variables() const;

  /// The valid names, sorted.
  static std::vector<std::string> names();

  /// The class's implementation: its update rule and variables (for the library's updater).
  const detail::OptimizerImpl& impl() const { return *impl_; }

 protected:
  /// An optimizer of the class `impl` implements.
  explicit Optimizer(std::unique_ptr<detail::OptimizerImpl> impl);

 private:
  std::unique_ptr<detail::OptimizerImpl> impl_;
};

}  // namespace tkeras::optimizers
