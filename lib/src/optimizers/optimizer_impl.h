// What an optimizer class implements: its variables, its update rule (written once for eager and
// capturable steps) and its config, with the helpers every class shares (internal).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/optimizers/optimizer.h"

namespace tkeras::optimizers::detail {

/// A number in an update rule: a double in eager steps, a 0-d float64 tensor on the weights' device
/// in capturable ones (the learning rate and step count live there, so that every step launches
/// the same kernels with the same arguments and a CUDA graph can capture it). The arithmetic is
/// the same either way, so a rule is written once: `lr * sqrt(1 - pow(beta_2, t)) / (1 - pow(beta_1, t))`.
class Scalar {
 public:
  Scalar(double value) : value_(value) {}  // NOLINT: implicit, so that `1.0 - x` reads
  explicit Scalar(torch::Tensor value) : value_(std::move(value)) {}

  /// Whether the value is a device tensor.
  bool on_device() const { return std::holds_alternative<torch::Tensor>(value_); }
  /// The value of a host scalar.
  double value() const { return std::get<double>(value_); }
  /// The value of a device scalar.
  const torch::Tensor& tensor() const { return std::get<torch::Tensor>(value_); }

  friend Scalar operator+(const Scalar& a, const Scalar& b);
  friend Scalar operator-(const Scalar& a, const Scalar& b);
  friend Scalar operator*(const Scalar& a, const Scalar& b);
  friend Scalar operator/(const Scalar& a, const Scalar& b);
  friend Scalar sqrt(const Scalar& a);
  friend Scalar pow(const Scalar& base, const Scalar& exponent);

 private:
  std::variant<double, torch::Tensor> value_;
};

/// One of the variables an optimizer keeps for every trainable weight (Keras's optimizer
/// variables), held over the flat buffer of weights.
struct Slot {
  std::string name;            ///< Keras's name for the list: `momentums`, `velocities`.
  double initial_value = 0.0;  ///< The starting value (Adagrad's initial_accumulator_value).
};

/// The slots in Keras's order: the groups made one after another, each group interleaved over the
/// weights (Adam: a weight's momentum, then its velocity, then the next weight's).
using SlotGroups = std::vector<std::vector<Slot>>;

/// The buffers of one update cut into one 1-D piece per weight (views, in the order of each
/// weight's slice of the flat buffers): the gradients, as backward left them, and the flat
/// buffer they are gathered into when a rule asks for them in one piece.
struct StepParts {
  std::vector<torch::Tensor>& gradients;                 ///< one per weight, in order
  torch::Tensor& flat_gradients;                         ///< the buffer of the weights' layout
  const std::vector<torch::Tensor>& weights;             ///< the flat weights' slices
  const std::vector<std::vector<torch::Tensor>>& slots;  ///< each slot's slices, slots in order
  const std::vector<torch::Tensor>& scratch;             ///< the scratch buffer's slices
  bool gathered = false;                                 ///< whether `flat_gradients` holds them already
};

/// One update of all trainable weights: the flat buffers, the step's learning rate and count,
/// and the primitives the rules are written in, each done with LibTorch's in-place ops taking host
/// scalars (eager) or with kernels reading device scalars (capturable).
class UpdateStep {
 public:
  /// `slots` lists the optimizer's slots (all groups, in order) and `values` their flat buffers;
  /// `variables` lists its variables kept once (`OptimizerImpl::variables`) and `variable_values`
  /// their values (host numbers in eager steps, 0-d device tensors in capturable ones);
  /// `scratch` is a buffer of the weights' size the step may overwrite; `iterations` counts this
  /// update (1 for the first); `step_tensor` keeps the tensor `iterations_tensor()` fills.
  UpdateStep(torch::Tensor& weights, StepParts parts, const std::vector<Slot>& slots,
             std::vector<torch::Tensor>& values, const std::vector<Slot>& variables,
             std::vector<Scalar>& variable_values, torch::Tensor& scratch, torch::Tensor& step_tensor,
             Scalar learning_rate, Scalar iterations);

  /// The flat buffer of all trainable weights (each weight a view of its slice).
  torch::Tensor& weights() { return weights_; }
  /// Their gradients, clipped, in one buffer of the same layout (gathered on the first call). The
  /// buffer is the updater's, gathered afresh every step: a rule may use it as a second scratch
  /// buffer once it no longer needs the gradients.
  torch::Tensor& gradients();
  /// The same gradients, one 1-D tensor per weight, not gathered: for LibTorch's kernels that take
  /// lists, which then skip the copy into one buffer.
  const std::vector<torch::Tensor>& gradient_list() const { return parts_.gradients; }
  /// The weights cut as `gradient_list()`: views of the flat buffer.
  const std::vector<torch::Tensor>& weight_list() const { return parts_.weights; }
  /// The slot called `name` cut as `gradient_list()`.
  const std::vector<torch::Tensor>& slot_list(std::string_view name) const;
  /// The slot called `name` (one of the optimizer's own), over the same layout.
  torch::Tensor& slot(std::string_view name);
  /// A buffer of the weights' size, free for the rule to use.
  torch::Tensor& scratch() { return scratch_; }
  /// The scratch buffer cut as `gradient_list()`: views of it.
  const std::vector<torch::Tensor>& scratch_list() const { return parts_.scratch; }
  /// The variable called `name`, kept once for all weights (Nadam's `u_product`).
  const Scalar& variable(std::string_view name) const;
  /// Sets the variable called `name` to `value`, rounded to the weights' dtype as Keras's
  /// variable of that dtype keeps it (a kernel writing the device scalar when capturable).
  void set_variable(std::string_view name, const Scalar& value);
  /// The learning rate.
  const Scalar& learning_rate() const { return learning_rate_; }
  /// This update's count: 1 for the first (Keras's `iterations + 1`).
  const Scalar& iterations() const { return iterations_; }
  /// Whether the learning rate and count are device scalars (see `Scalar`).
  bool capturable() const { return learning_rate_.on_device(); }
  /// An eager step's count in a 0-d tensor of the weights' dtype and device, for kernels that read
  /// it from a tensor (LibTorch's fused Adam). Kept by the updater, so no step allocates it.
  const torch::Tensor& iterations_tensor();

  /// `x *= s`.
  void scale(const torch::Tensor& x, const Scalar& s);
  /// `x -= s * a`.
  void sub_scaled(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a);
  /// `x += s * a / b`; `b` may be the scratch buffer.
  void add_ratio(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a, const torch::Tensor& b);
  /// `x -= s * a / b`; `b` may be the scratch buffer.
  void sub_ratio(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a, const torch::Tensor& b);
  /// `x -= (s * a + t * c) / b`; `b` may be the scratch buffer.
  void sub_ratios(const torch::Tensor& x, const Scalar& s, const torch::Tensor& a, const Scalar& t,
                  const torch::Tensor& c, const torch::Tensor& b);

 private:
  size_t variable_index(std::string_view name) const;

  torch::Tensor& weights_;
  StepParts parts_;
  const std::vector<Slot>& slots_;
  std::vector<torch::Tensor>& values_;
  const std::vector<Slot>& variables_;
  std::vector<Scalar>& variable_values_;
  torch::Tensor& scratch_;
  torch::Tensor& step_tensor_;
  Scalar learning_rate_;
  Scalar iterations_;
};

/// An optimizer class, as Keras's `Optimizer` subclasses: its names, options, variables and
/// update rule. `Optimizer` holds one; each class registers itself from its own source
/// (`registry::Registrar`).
class OptimizerImpl {
 public:
  virtual ~OptimizerImpl() = default;
  /// A copy (an `Optimizer` is a value).
  virtual std::unique_ptr<OptimizerImpl> clone() const = 0;
  /// Keras's class name: `Adam`.
  virtual std::string class_name() const = 0;
  /// The name compile takes: `adam`.
  virtual std::string name() const = 0;
  virtual const LearningRate& learning_rate() const = 0;
  virtual void set_learning_rate(double learning_rate) = 0;
  virtual std::optional<double> weight_decay() const = 0;
  virtual std::optional<double> clipnorm() const = 0;
  virtual std::optional<double> clipvalue() const = 0;
  virtual std::optional<double> global_clipnorm() const = 0;
  /// The options as Keras's `get_config()` names them (see `Optimizer::get_config`).
  virtual Config get_config() const = 0;
  /// Keras's `build`: the variables kept for every trainable weight.
  virtual SlotGroups slots() const = 0;
  /// The variables kept once for all weights, made after the slots (Nadam's `u_product`). Default: none.
  virtual std::vector<Slot> variables() const { return {}; }
  /// Keras's `update_step`, over all weights at once; the clipping and weight decay are done.
  virtual void update_step(UpdateStep& step) const = 0;
};

/// The part of an `OptimizerImpl` that comes from its options struct (`Options` has the fields
/// every optimizer has: `learning_rate`, `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`)
/// and from the class `Derived`'s `kClassName` and `kName`.
template <typename Derived, typename Options>
class OptimizerWith : public OptimizerImpl {
 public:
  explicit OptimizerWith(Options options) : options_(std::move(options)) {}

  const Options& options() const { return options_; }
  std::unique_ptr<OptimizerImpl> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  std::string class_name() const override { return Derived::kClassName; }
  std::string name() const override { return Derived::kName; }
  const LearningRate& learning_rate() const override { return options_.learning_rate; }
  void set_learning_rate(double learning_rate) override { options_.learning_rate = learning_rate; }
  std::optional<double> weight_decay() const override { return options_.weight_decay; }
  std::optional<double> clipnorm() const override { return options_.clipnorm; }
  std::optional<double> clipvalue() const override { return options_.clipvalue; }
  std::optional<double> global_clipnorm() const override { return options_.global_clipnorm; }

 protected:
  Options options_;
};

// ---- Option checks, with Keras's limits; messages start with the class name. ----

/// Throws unless `learning_rate >= 0` and finite (0 is allowed, as Keras allows it: decay
/// schedules end there); a schedule checked its own options.
void check_learning_rate(std::string_view optimizer, const LearningRate& learning_rate);
/// The `learning_rate` option of a config: a number or a serialized schedule, else `fallback`.
LearningRate read_learning_rate(const ConfigReader& read, const LearningRate& fallback);
/// Throws unless `value` is in [0, 1).
void check_unit_interval(std::string_view optimizer, std::string_view option, double value);
/// Throws for a clipping option that is not positive, or a negative or non-finite weight decay.
void check_common(std::string_view optimizer, std::optional<double> weight_decay, std::optional<double> clipnorm,
                  std::optional<double> clipvalue, std::optional<double> global_clipnorm);

/// `check_common` on an options struct.
template <typename Options>
void check_common(std::string_view optimizer, const Options& options) {
  check_common(optimizer, options.weight_decay, options.clipnorm, options.clipvalue, options.global_clipnorm);
}

// ---- The options every class has, in its config. ----

/// Adds the weight decay (unless the class always has one, which its own config writes) and the
/// clipping options to `config`, each only when set, as numbers.
template <typename Options>
Config with_common(Config config, const Options& options) {
  if constexpr (std::is_same_v<decltype(options.weight_decay), std::optional<double>>) {
    if (options.weight_decay) config["weight_decay"] = *options.weight_decay;
  }
  if (options.clipnorm) config["clipnorm"] = *options.clipnorm;
  if (options.clipvalue) config["clipvalue"] = *options.clipvalue;
  if (options.global_clipnorm) config["global_clipnorm"] = *options.global_clipnorm;
  return config;
}

/// A number option of a config, or none when absent or null.
std::optional<double> optional_number(const ConfigReader& read, std::string_view key);

/// Reads what `with_common` writes into `options`.
template <typename Options>
Options read_common(const ConfigReader& read, Options options) {
  if constexpr (std::is_same_v<decltype(options.weight_decay), std::optional<double>>) {
    options.weight_decay = optional_number(read, "weight_decay");
  }
  options.clipnorm = optional_number(read, "clipnorm");
  options.clipvalue = optional_number(read, "clipvalue");
  options.global_clipnorm = optional_number(read, "global_clipnorm");
  return options;
}

// ---- Adam's family (Adamax, Nadam, Lamb): the options `beta_1`, `beta_2` and `epsilon`. ----

/// Keras's checks of such options: a learning rate >= 0, each beta in [0, 1), the common options.
template <typename Options>
void check_moments(std::string_view optimizer, const Options& options) {
  check_learning_rate(optimizer, options.learning_rate);
  check_unit_interval(optimizer, "beta_1", options.beta_1);
  check_unit_interval(optimizer, "beta_2", options.beta_2);
  check_common(optimizer, options);
}

/// Their config, as Keras's `get_config()` names them.
template <typename Options>
Config moments_config(const Options& options) {
  return with_common(Config{{"learning_rate", options.learning_rate},
                            {"beta_1", options.beta_1},
                            {"beta_2", options.beta_2},
                            {"epsilon", options.epsilon}},
                     options);
}

/// Reads what `moments_config` writes; absent options take their defaults.
template <typename Options>
Options read_moments(const ConfigReader& read) {
  const Options defaults;
  return read_common(read, Options{.learning_rate = read_learning_rate(read, defaults.learning_rate),
                                   .beta_1 = read.number("beta_1", defaults.beta_1),
                                   .beta_2 = read.number("beta_2", defaults.beta_2),
                                   .epsilon = read.number("epsilon", defaults.epsilon)});
}

}  // namespace tkeras::optimizers::detail
