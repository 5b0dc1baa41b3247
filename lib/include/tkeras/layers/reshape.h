// Reshape: gives each sample a new shape with the same number of values.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Reshapes each sample to `target_shape` (without the batch axis), as Keras's `Reshape`; one
/// size may be -1, inferred from the others. Has no weights.
///
/// Example: `tkeras::layers::Reshape({28, 28, 1})` adds a channel axis to 28x28 images.
class Reshape : public Layer {
 public:
  /// Throws `tkeras::Error` for sizes below -1, 0, or more than one -1.
  explicit Reshape(Shape target_shape);
  /// A Reshape layer from its `get_config()`: `target_shape`, `name`, `trainable`.
  static std::shared_ptr<Reshape> from_config(const Config& config);

  /// The shape it was asked for, without the batch axis (may hold one -1).
  const Shape& target_shape() const { return target_shape_; }
  std::string class_name() const override { return "Reshape"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Shape target_shape_;
  Shape resolved_shape_;
};

}  // namespace tkeras::layers
