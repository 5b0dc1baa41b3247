// Sequential: a plain stack of layers, each feeding the next, as Keras's Sequential.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tkeras/layers/custom_objects.h"
#include "tkeras/layers/input.h"
#include "tkeras/models/model.h"

namespace tkeras {

namespace layers::keras_format {
class Reader;
}

/// A stack of layers where each layer has one input and one output, as Keras's `Sequential`.
///
/// Shapes are inferred: the input shape comes from a leading `layers::Input`, else from the
/// data at the first `fit`, `evaluate` or `predict`, or from `build(shape)`. A layer may be
/// another model: a `Sequential` inside a `Sequential` (a pretrained base under a new head).
/// Models are movable, so a function can build, compile and return one by value.
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
  /// model at once. Throws `tkeras::Error` if a layer cannot take its predecessor's output, or
  /// for two layers of the same name.
  Sequential(std::initializer_list<layers::AnyLayer> layers);
  /// A model of `layers` in order.
  explicit Sequential(const std::vector<layers::AnyLayer>& layers);
  /// Takes `other`'s layers, weights, compile settings and optimizer state.
  Sequential(Sequential&& other) noexcept;
  ~Sequential() override;

  /// A Sequential from its `get_config()` (Keras's `Sequential.from_config`): `name`, `trainable`
  /// and `layers`, each `{"class_name", "config"}` (a leading `InputLayer` declares the input
  /// shape), rebuilt by their own `from_config`, by `custom_objects` (looked up by the entry's
  /// `registered_name`, then its `class_name`), or as a nested Sequential. Nothing is built: call
  /// `build`. Throws `tkeras::Error` naming the layer's position and class for an unknown class or
  /// a bad option.
  static std::shared_ptr<Sequential> from_config(const Config& config,
                                                 const layers::CustomObjects& custom_objects = {});
  /// Reads Keras's Sequential entry: each layer through `reader`, and the InputLayer as tkeras's
  /// first layer takes it (a TextVectorization: token ids where Keras feeds strings).
  static Config from_keras(const Config& entry, layers::keras_format::Reader& reader, const std::string& path,
                           const std::string& where);

  /// Appends `layer`, as Keras's `model.add`. Passing an `Input` first sets the input shape.
  /// Throws `tkeras::Error` for an `Input` after other layers, a name already in the model, or
  /// if the model is built and the layer cannot take the current output shape.
  void add(layers::AnyLayer layer);

  /// The input shape a leading `Input` (or a config's `InputLayer`) declared, known before the
  /// model is built; none when the data will decide it.
  const std::optional<Shape>& declared_input_shape() const { return declared_input_shape_; }

  std::vector<std::shared_ptr<layers::Layer>> layers() const override { return sublayers(); }
  std::string class_name() const override { return "Sequential"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// `name`, `trainable`, and `layers` (an `InputLayer` first once the input shape is known),
  /// each as `{"class_name", "config"}` with a `registered_name` for layers that need a
  /// custom object.
  Config get_config() const override;
  /// Keras's entry (module `keras`), its layers as each writes itself after an `InputLayer`.
  Config to_keras(layers::keras_format::Writer& writer, const std::string& path) const override;
  const layers::Layer& output_layer() const override;
  /// The last layer's activation.
  std::string activation() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;
  /// Calls the layers in turn, each with the mask its predecessor passes on, as Keras's
  /// Sequential: `Embedding(..., {.mask_zero = true})` masks the padding steps for the recurrent
  /// layers after it.
  torch::Tensor call_with_mask(const torch::Tensor& inputs, const torch::Tensor& mask, bool training) override;
  /// True: a model passes on the mask its last layer computes.
  bool supports_masking() const override { return true; }
  /// The mask the last layer passes on. Runs the layers (without gradients); `call_and_mask`
  /// gives the outputs and the mask in one pass.
  torch::Tensor compute_mask(const torch::Tensor& inputs, const torch::Tensor& mask) const override;
  std::pair<torch::Tensor, torch::Tensor> call_and_mask(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                        bool training) override;
  /// Whether the first layer takes integer inputs as they are (`Embedding`).
  bool takes_integer_inputs() const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  std::optional<Shape> declared_input_shape_;
};

}  // namespace tkeras
