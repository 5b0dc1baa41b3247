// Metric: the base of every metric, as Keras's keras.metrics.Metric (state variables, update_state,
// result, reset_state), and Identifier, what compile's metrics list: a name or a metric.
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/core/shape.h"

namespace tkeras::metrics {

/// The base of every metric, as Keras's `keras.metrics.Metric`. A metric keeps its state in
/// variables that it adds in its constructor (`add_variable`); `update_state` adds a batch into
/// them in place, `result` reads them, and `reset_state` sets them back to zero. Variables are
/// float64 and additive: under data parallelism the trainer sums each variable over the processes
/// before `result`, as Keras sums metric variables across replicas.
///
/// A metric of one's own derives from it (and is passed to compile like any other):
/// ```
/// class MeanPrediction : public tkeras::metrics::Metric {
///  public:
///   MeanPrediction() : Metric("mean_prediction") {
///     total_ = add_variable("total");
///     count_ = add_variable("count");
///   }
///   std::string class_name() const override { return "MeanPrediction"; }
///   void update_state(const torch::Tensor& /*y_true*/, const torch::Tensor& y_pred,
///                     const torch::Tensor& /*sample_weight*/) override {
///     variable(total_).add_(y_pred.sum().to(torch::kFloat64));
///     variable(count_).add_(static_cast<double>(y_pred.numel()));
///   }
///   torch::Tensor result() const override { return variable(total_) / variable(count_).clamp_min(1.0); }
///
///  private:
///   size_t total_ = 0;
///   size_t count_ = 0;
/// };
/// ```
class Metric {
 public:
  /// A metric logged as `name`.
  explicit Metric(std::string name);
  /// A copy with variables of its own (as Python's `copy.deepcopy`), holding the same values.
  Metric(const Metric& other);
  /// Copies `other`'s name and values into variables of this metric's own.
  Metric& operator=(const Metric& other);
  Metric(Metric&& other) noexcept = default;             ///< Takes `other`'s variables.
  Metric& operator=(Metric&& other) noexcept = default;  ///< Takes `other`'s variables.
  virtual ~Metric() = default;

  /// Keras's class name (`"Precision"`): what model files name the metric by.
  virtual std::string class_name() const = 0;
  /// The name in the logs (`"precision"`; compile's name when it was given by name).
  const std::string& name() const { return name_; }
  /// Renames the metric.
  void set_name(std::string name) { name_ = std::move(name); }

  /// Adds a batch: the targets `y_true` (as the loss prepared them: class labels for the sparse
  /// losses, else float targets shaped as the outputs), the outputs `y_pred`, and per-sample weights
  /// (`[N]`, or undefined for none).
  virtual void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred,
                            const torch::Tensor& sample_weight) = 0;
  /// Adds a batch without sample weights. (A derived class that overrides `update_state` brings
  /// this one back with `using Metric::update_state;`.)
  void update_state(const torch::Tensor& y_true, const torch::Tensor& y_pred) { update_state(y_true, y_pred, {}); }
  /// The value so far, from the variables: a scalar, or one value per class for a few metrics
  /// (F1Score without an `average`). Keras's divide_no_nan: 0 before any update.
  virtual torch::Tensor result() const = 0;
  /// Sets every variable back to zero, in place (a captured CUDA graph keeps adding into them).
  virtual void reset_state();
  /// The options that make this metric, as Keras's `get_config()`: `name`, `dtype` and the
  /// class's own (what `config_options` returns).
  Config get_config() const;
  /// The class's own options, in Keras's names and order. Default: none.
  virtual Config config_options() const;
  /// Whether the metric reads no more of each row of outputs than its largest entry (the
  /// categorical accuracies), so that it may be given the logits before a softmax. Default: false.
  virtual bool argmax_only() const { return false; }

  /// The variables, in the order added (their current values).
  const std::vector<torch::Tensor>& variables() const { return variables_; }
  /// Their names, in the same order.
  const std::vector<std::string>& variable_names() const { return variable_names_; }
  /// Moves the variables to `device`, keeping their values.
  void to(torch::Device device);
  /// The result with the variables holding `values` instead (the sums over a data-parallel job's
  /// processes: one tensor per variable, of its shape); the variables are kept as they were.
  torch::Tensor result_of(const std::vector<torch::Tensor>& values);

 protected:
  /// Adds a float64 variable of zeros of `shape` (a scalar by default) on `device`, as Keras's
  /// `add_variable`; returns its index for `variable`. A variable added at the first update (whose
  /// shape depends on the data, as Keras's lazily built ones) goes on the data's device.
  size_t add_variable(std::string name, const Shape& shape = {}, torch::Device device = torch::kCPU);
  /// The variable added as `index`.
  torch::Tensor& variable(size_t index) { return variables_.at(index); }
  /// The variable added as `index`.
  const torch::Tensor& variable(size_t index) const { return variables_.at(index); }

 private:
  std::string name_;
  std::vector<torch::Tensor> variables_;
  std::vector<std::string> variable_names_;
};

/// What compile's `metrics` and `weighted_metrics` list, as the identifiers Keras's
/// `keras.metrics.get` takes: a name (`"accuracy"`, `"auc"`, `"mse"`, a class name such as
/// `"Precision"`), or a metric object (`tkeras::metrics::AUC({.curve = "PR"})`, or a shared
/// pointer to one, to read it after `fit` as in Keras).
class Identifier {
 public:
  /// A metric by name.
  Identifier(const char* name) : name_(name) {}  // NOLINT: implicit, to be listed
  /// A metric by name.
  Identifier(std::string name) : name_(std::move(name)) {}  // NOLINT: implicit, as above
  /// A metric object, shared: the trainer updates it, so that it holds the last results afterwards.
  template <std::derived_from<Metric> M>
  Identifier(std::shared_ptr<M> metric) : metric_(std::move(metric)) {  // NOLINT: implicit, as above
    check();
  }
  /// A metric object, taken over.
  template <std::derived_from<Metric> M>
  Identifier(M metric) : metric_(std::make_shared<M>(std::move(metric))) {}  // NOLINT: implicit, as above

  /// Whether it names a metric rather than holding one.
  bool is_name() const { return metric_ == nullptr; }
  /// The name given, or the metric's name.
  const std::string& name() const;
  /// The metric held; null for a name.
  const std::shared_ptr<Metric>& metric() const { return metric_; }

 private:
  void check() const;
  std::string name_;
  std::shared_ptr<Metric> metric_;
};

/// A metric function: values (`[N]` or `[N, ...]`, one or more per sample) from targets and
/// outputs, as Keras's metric functions.
using MetricFunction = std::function<torch::Tensor(const torch::Tensor& y_true, const torch::Tensor& y_pred)>;

/// Makes a metric of your own again for `load_model`, as Keras's `custom_objects` map a name to a
/// metric function or class: a `MetricFunction` (found under its name; it makes a
/// `MeanMetricWrapper`, as Keras's compile makes of a function), or a callable that takes the
/// metric's saved config (its `get_config`: `name`, `dtype` and the class's own options; or
/// nothing) and returns a `Metric` (found under its class name) or a shared pointer to one. The
/// metric then takes the saved `name`.
///
/// Example: `tkeras::metrics::MetricFactory make_max_error = [] { return MaxError(); };`
class MetricFactory {
 public:
  /// A factory of `MeanMetricWrapper`s of `function`.
  template <typename F>
  requires std::is_invocable_r_v<torch::Tensor, const F&, const torch::Tensor&, const torch::Tensor&> MetricFactory(
      F function)  // NOLINT: implicit, so that custom_objects is a braced list of callables
      : function_(std::move(function)) {}
  /// A factory from a callable taking the metric's config.
  template <typename F>
  requires(std::invocable<const F&, const Config&> &&
           !std::is_invocable_v<const F&, const torch::Tensor&, const torch::Tensor&>)
      MetricFactory(F make)  // NOLINT: implicit, as above
      : make_([make = std::move(make)](const Config& config) { return shared(make(config)); }) {}
  /// A factory from a callable taking nothing.
  template <typename F>
  requires(std::invocable<const F&> && !std::invocable<const F&, const Config&>) MetricFactory(F make)  // NOLINT
      : make_([make = std::move(make)](const Config&) { return shared(make()); }) {}

  /// The metric for a saved `config` (a class's), named as it says.
  std::shared_ptr<Metric> operator()(const Config& config) const;
  /// The `MeanMetricWrapper` of the function, named `name`, of the function saved as
  /// `function_name`; for a class's factory, the class's metric with its default config.
  std::shared_ptr<Metric> wrapping(const std::string& name, const std::string& function_name) const;

 private:
  template <std::derived_from<Metric> M>
  static std::shared_ptr<Metric> shared(std::shared_ptr<M> metric) {
    return metric;
  }
  template <std::derived_from<Metric> M>
  static std::shared_ptr<Metric> shared(M metric) {
    return std::make_shared<M>(std::move(metric));
  }

  MetricFunction function_;
  std::function<std::shared_ptr<Metric>(const Config&)> make_;
};

/// Metric factories by the name a model file keeps the metric under (see `MetricFactory`).
using MetricFactories = std::map<std::string, MetricFactory, std::less<>>;

/// Makes the metric `name` names: a registered name, alias or class name (`"auc"`, `"mse"`,
/// `"Precision"`), named `name` in the logs as Keras's compile names it. `"accuracy"` and `"acc"`
/// depend on the targets and are resolved by compile. Throws `tkeras::Error` for an unknown name.
std::shared_ptr<Metric> get(std::string_view name);
/// Makes a metric from Keras's serialized form: a name, or `{"class_name": ..., "config": ...}`
/// (`"module"`, `"registered_name"` and `"shared_object_id"` allowed). A metric of one's own (a
/// function, Keras's `MeanMetricWrapper` of one, or a class) is made by `custom_objects`, looked
/// up first by its registered name, then by its class or function name, as Keras does. Default:
/// none. Throws `tkeras::Error` naming an unknown class or option.
std::shared_ptr<Metric> deserialize(const Config& config, const MetricFactories& custom_objects = {});
/// Keras's serialized form of `metric`: `{"module": "keras.metrics", "class_name", "config",
/// "registered_name": null}` for tkeras's classes; as Keras serializes a metric of one's own
/// otherwise: a `MeanMetricWrapper` named as its function as that function
/// (`{"module": "builtins", "class_name": "function", "config": name, ...}`), a class of one's own
/// as `{"module": null, "class_name", "config", "registered_name": class name}`.
Config serialize(const Metric& metric);
/// A fresh copy of `metric` (zero variables) made from its config. Throws `tkeras::Error` for a
/// metric of one's own, which has no factory here.
std::shared_ptr<Metric> fresh_copy(const Metric& metric);
/// Every metric name compile takes (besides `accuracy` and `acc`), sorted.
std::vector<std::string> names();

}  // namespace tkeras::metrics
