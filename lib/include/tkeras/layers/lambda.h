// Lambda: a C++ callable as a layer, as Keras's Lambda.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Lambda's options, Keras's keyword arguments.
struct LambdaOptions {
  /// The layer's name. Default: `lambda`, `lambda_1`... Saving a model needs it to be stable,
  /// since `load_model` looks the function up by it in `custom_objects`.
  std::string name;
  /// The output shape without the batch axis, as Keras's `output_shape`. Default: none, found by
  /// a dry run of the function on a batch of zeros when the layer is built.
  std::optional<Shape> output_shape;
};

/// A C++ callable as a layer, as Keras's `Lambda`: for small steps that need no weights, such
/// as adding an axis or scaling outputs (the time-series course's `Lambda(lambda x: x * 400)`).
/// Its output shape comes from a dry run on the meta device (no memory, no compute), or on a
/// batch of zeros on the CPU when the function cannot run there.
///
/// Model files cannot hold C++ code: `load_model` needs a factory for it in `custom_objects`,
/// under the layer's name.
///
/// Example:
/// ```
/// tkeras::layers::Lambda([](const torch::Tensor& x) { return x.unsqueeze(-1); }, {.name = "add_axis"});
/// tkeras::layers::Lambda([](const torch::Tensor& x) { return x * 400.0; }, {.name = "scale"});
/// ```
class Lambda : public Layer {
 public:
  /// The function: a batch in, a batch out.
  using Function = std::function<torch::Tensor(const torch::Tensor&)>;

  /// A layer that applies `function`. Throws `tkeras::Error` for an empty function.
  explicit Lambda(Function function, LambdaOptions options = {});

  std::string class_name() const override { return "Lambda"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// The layer's name: the key of the factory `load_model`'s `custom_objects` needs.
  std::optional<std::string> registered_name() const override { return name(); }
  /// `name`, `trainable`, and `output_shape` when given.
  Config get_config() const override;
  /// Throws `tkeras::Error`: a `.keras` file cannot hold the C++ code the layer runs.
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Function function_;
  std::optional<Shape> output_shape_option_;
};

}  // namespace tkeras::layers
