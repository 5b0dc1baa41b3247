// Custom objects: factories for the layers a model file cannot rebuild alone, as Keras's custom_objects.
#pragma once

#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "tkeras/core/config.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Makes a layer for `load_model`: a callable that takes the layer's saved config (or nothing)
/// and returns a layer, by value or by pointer. `load_model` then gives the layer its saved name
/// and `trainable` flag, builds it and loads its weights.
///
/// Example:
/// ```
/// tkeras::layers::LayerFactory make_block = [] { return tkeras::layers::TorchModule(MyBlock(16)); };
/// tkeras::layers::LayerFactory make_scale = [](const tkeras::Config&) {
///   return tkeras::layers::Lambda([](const torch::Tensor& x) { return x * 400.0; }, {.name = "scale"});
/// };
/// ```
class LayerFactory {
 public:
  /// A factory from a callable taking the layer's config.
  template <typename F>
  requires std::invocable<const F&, const Config&> LayerFactory(
      F make)  // NOLINT: implicit, so that custom_objects is a braced list of callables
      : make_([make = std::move(make)](const Config& config) { return AnyLayer(make(config)).get(); }) {}
  /// A factory from a callable taking nothing.
  template <typename F>
  requires(std::invocable<const F&> && !std::invocable<const F&, const Config&>)
      LayerFactory(F make)  // NOLINT: implicit, as above
      : make_([make = std::move(make)](const Config&) { return AnyLayer(make()).get(); }) {}

  /// Makes the layer for `config`.
  std::shared_ptr<Layer> operator()(const Config& config) const { return make_(config); }

 private:
  std::function<std::shared_ptr<Layer>(const Config&)> make_;
};

/// Keras's `custom_objects`: layer factories by the name a model file saves the layer under (a
/// `TorchModule`'s module type, a `Lambda`'s name, or a layer class name, which then replaces
/// tkeras's own class of that name).
using CustomObjects = std::map<std::string, LayerFactory, std::less<>>;

}  // namespace tkeras::layers
