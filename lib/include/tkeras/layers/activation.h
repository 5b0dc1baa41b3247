// Activation: a layer that applies one activation function by name.
#pragma once

#include <memory>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Applies an activation to its input, as Keras's `Activation("softmax")`. Has no weights.
/// Throws `tkeras::Error` listing the valid names when `name` is unknown.
class Activation : public Layer {
 public:
  /// An activation layer for `name` (see `tkeras::activations::names()`).
  explicit Activation(std::string_view name);
  /// An Activation layer from its `get_config()`: `activation`, `name`, `trainable`.
  static std::shared_ptr<Activation> from_config(const Config& config);

  std::string class_name() const override { return "Activation"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  std::string activation() const override { return activation_name_; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  std::string activation_name_;
  activations::Function function_;
};

}  // namespace tkeras::layers
