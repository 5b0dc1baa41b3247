// Rescaling: inputs * scale + offset, so that normalising pixels can live in the model.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Multiplies inputs by `scale` and adds `offset`, as Keras's `Rescaling`:
/// `Rescaling(1.0 / 255)` turns pixels 0..255 into 0..1 inside the model. Has no weights.
class Rescaling : public Layer {
 public:
  /// `inputs * scale + offset`. `offset`: Default: 0.
  explicit Rescaling(double scale, double offset = 0.0);
  /// A Rescaling layer from its `get_config()`: `scale`, `offset` (Default: 0), `name`,
  /// `trainable`.
  static std::shared_ptr<Rescaling> from_config(const Config& config);

  /// The factor inputs are multiplied by.
  double scale() const { return scale_; }
  /// The value added after scaling.
  double offset() const { return offset_; }
  std::string class_name() const override { return "Rescaling"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  double scale_;
  double offset_;
};

}  // namespace tkeras::layers
