// Flatten: turns each sample into a vector, e.g. a 28x28 image into 784 values.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Flattens every axis but the batch axis, as Keras's `Flatten`: `[N, 28, 28]` becomes
/// `[N, 784]`. Has no weights.
class Flatten : public Layer {
 public:
  Flatten();
  /// A Flatten layer from its `get_config()`: `name`, `trainable`.
  static std::shared_ptr<Flatten> from_config(const Config& config);

  std::string class_name() const override { return "Flatten"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;
};

}  // namespace tkeras::layers
