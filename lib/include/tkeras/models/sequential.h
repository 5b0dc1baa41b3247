// Sequential: a plain stack of layers, each feeding the next, as Keras's Sequential.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tkeras/layers/input.h"
#include "tkeras/models/model.h"

namespace tkeras {

/// A stack of layers where each layer has one input and one output, as Keras's `Sequential`.
///
/// Shapes are inferred: the input shape comes from a leading `layers::Input`, else from the
/// data at the first `fit`, `evaluate` or `predict`, or from `build(shape)`.
///
/// Example:
/// ```
/// tkeras::Sequential model({
///     tkeras::layers::Input({28, 28}),       // the first layer takes the data's shape
///     tkeras::layers::Flatten(),             // 28x28 -> 784
///     tkeras::layers::Dense(128, "relu"),
///     tkeras::layers::Dense(10, "softmax"),  // one unit per class
/// });
/// ```
class Sequential : public Model {
 public:
  /// An empty model; add layers with `add`.
  Sequential();
  /// A model of `layers` in order. A leading `Input` sets the input shape and builds the
  /// model at once. Throws `tkeras::Error` if a layer cannot take its predecessor's output.
  Sequential(std::initializer_list<layers::AnyLayer> layers);
  /// A model of `layers` in order.
  explicit Sequential(const std::vector<layers::AnyLayer>& layers);

  /// Appends `layer`, as Keras's `model.add`. Passing an `Input` first sets the input shape.
  /// Throws `tkeras::Error` for an `Input` after other layers, or if the model is built and
  /// the layer cannot take the current output shape.
  void add(layers::AnyLayer layer);

  /// The layers, without the Input (as Keras's `model.layers`).
  const std::vector<std::shared_ptr<layers::Layer>>& layers() const { return layers_; }

  std::string class_name() const override { return "Sequential"; }
  void build(const Shape& input_shape) override;
  bool built() const override { return built_; }
  const Shape& input_shape() const override;
  const Shape& output_shape() const override;
  const layers::Layer& output_layer() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training = false) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;
  std::vector<layers::Weight> weights() const override;

 protected:
  void move_weights(torch::Device device) override;
  std::vector<std::shared_ptr<layers::Layer>> summary_layers() const override { return layers_; }

 private:
  std::vector<std::shared_ptr<layers::Layer>> layers_;
  std::optional<Shape> declared_input_shape_;
  bool built_ = false;
  Shape input_shape_;
  Shape output_shape_;
};

}  // namespace tkeras
