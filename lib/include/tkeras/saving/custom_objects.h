// CustomObjects: what load_model needs to make again the pieces of C++ a model file names but cannot
// hold (layers, losses, metrics of one's own), as Keras's custom_objects.
#pragma once

#include <concepts>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include <torch/types.h>

#include "tkeras/core/config.h"
#include "tkeras/layers/custom_objects.h"
#include "tkeras/losses/loss.h"
#include "tkeras/metrics/metric.h"

namespace tkeras::saving {

/// One of Keras's custom objects: a factory for a layer (`layers::LayerFactory`), a loss
/// (`losses::LossFactory`) or a metric (`metrics::MetricFactory`) of one's own, told apart by what
/// the callable takes and returns. A function of targets and outputs serves as both a loss and a
/// metric, as a Python function does in Keras.
///
/// Example:
/// ```
/// load_model(path, {.custom_objects = {
///     {"MyBlock", [] { return tkeras::layers::TorchModule(MyBlock(16)); }},
///     {"my_loss", [](const torch::Tensor& y, const torch::Tensor& p) { return (y - p).abs().mean(-1); }},
///     {"ScaledError", [](const tkeras::Config& config) { return ScaledError(config.value("scale", 1.0)); }},
///     {"MaxError", [] { return MaxError(); }}}});
/// ```
class CustomObject {
 public:
  /// A layer factory.
  CustomObject(layers::LayerFactory layer) : layer_(std::move(layer)) {}  // NOLINT: implicit, to be listed
  /// A loss factory.
  CustomObject(losses::LossFactory loss) : loss_(std::move(loss)) {}  // NOLINT: implicit, as above
  /// A metric factory.
  CustomObject(metrics::MetricFactory metric) : metric_(std::move(metric)) {}  // NOLINT: implicit, as above
  /// A factory from a callable: a function of targets and outputs (a loss and a metric), or a
  /// callable taking a config (or nothing) that returns a loss, a metric or a layer.
  template <typename F>
  requires(!std::same_as<std::remove_cvref_t<F>, CustomObject> &&
           !std::same_as<std::remove_cvref_t<F>, layers::LayerFactory> &&
           !std::same_as<std::remove_cvref_t<F>, losses::LossFactory> &&
           !std::same_as<std::remove_cvref_t<F>, metrics::MetricFactory> &&
           (std::invocable<const F&> || std::invocable<const F&, const Config&> ||
            std::is_invocable_v<const F&, const torch::Tensor&, const torch::Tensor&>))
      CustomObject(F make) {  // NOLINT: implicit, as above
    if constexpr (std::is_invocable_r_v<torch::Tensor, const F&, const torch::Tensor&, const torch::Tensor&>) {
      loss_.emplace(make);
      metric_.emplace(std::move(make));
    } else if constexpr (kMakes<F, losses::LossFunction> || kMakes<F, losses::Loss>) {
      loss_.emplace(std::move(make));
    } else if constexpr (kMakes<F, metrics::Metric>) {
      metric_.emplace(std::move(make));
    } else {
      layer_.emplace(std::move(make));
    }
  }

  /// The layer factory, if it is one.
  const std::optional<layers::LayerFactory>& layer() const { return layer_; }
  /// The loss factory, if it is one.
  const std::optional<losses::LossFactory>& loss() const { return loss_; }
  /// The metric factory, if it is one.
  const std::optional<metrics::MetricFactory>& metric() const { return metric_; }

 private:
  // What a factory callable returns, taking a config or nothing.
  template <typename F>
  struct Made {
    using type = std::remove_cvref_t<std::invoke_result_t<const F&>>;
  };
  template <typename F>
  requires std::invocable<const F&, const Config&>
  struct Made<F> {
    using type = std::remove_cvref_t<std::invoke_result_t<const F&, const Config&>>;
  };
  template <typename T>
  struct Pointee {
    using type = T;
  };
  template <typename T>
  struct Pointee<std::shared_ptr<T>> {
    using type = T;
  };
  // Whether `F` makes a `Base`, or a shared pointer to one.
  template <typename F, typename Base>
  static constexpr bool kMakes = std::derived_from<typename Pointee<typename Made<F>::type>::type, Base>;

  std::optional<layers::LayerFactory> layer_;
  std::optional<losses::LossFactory> loss_;
  std::optional<metrics::MetricFactory> metric_;
};

/// Keras's `custom_objects`: factories by the name a model file keeps the piece under (a
/// `TorchModule`'s module type, a `Lambda`'s name, a layer, loss or metric class name, a function
/// loss's or metric's name). A layer class name of tkeras's own replaces tkeras's class.
using CustomObjects = std::map<std::string, CustomObject, std::less<>>;

/// The layer factories of `custom_objects`.
layers::CustomObjects layer_factories(const CustomObjects& custom_objects);
/// The loss factories of `custom_objects`.
losses::LossFactories loss_factories(const CustomObjects& custom_objects);
/// The metric factories of `custom_objects`.
metrics::MetricFactories metric_factories(const CustomObjects& custom_objects);

}  // namespace tkeras::saving
