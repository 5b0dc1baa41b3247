// CenterCrop: the central part of each image, as Keras's preprocessing layer.
#pragma once

#include <cstdint>
#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Crops images `[batch, height, width, channels]` to their central `height` x `width`, as
/// Keras's `CenterCrop` (the crop starts at half the difference, rounded down); an image smaller
/// than that in either dimension is cropped to the target's aspect ratio and resized instead
/// (bilinear), as Keras's smart_resize. Outputs are float32. No weights.
class CenterCrop : public Layer {
 public:
  /// Crops to `height` x `width` (positive).
  CenterCrop(int64_t height, int64_t width);
  /// A CenterCrop from its `get_config()`: `height`, `width`, `name`, `trainable`.
  static std::shared_ptr<CenterCrop> from_config(const Config& config);

  std::string class_name() const override { return "CenterCrop"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t height_, width_;
};

}  // namespace tkeras::layers
