// Resizing: resizes images to a fixed size inside the model, as Keras's preprocessing layer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The options of `Resizing`, Keras's, in Keras's order.
struct ResizingOptions {
  /// "bilinear", "nearest" or "bicubic", as Keras's torch backend (LibTorch's interpolate, corners
  /// not aligned). Default: "bilinear".
  std::string interpolation = "bilinear";
  /// Crop to the target's aspect ratio first (the largest centred box). Default: false.
  bool crop_to_aspect_ratio = false;
  /// Pad to the target's aspect ratio first, with `fill_value`. Default: false.
  bool pad_to_aspect_ratio = false;
  /// How padding is filled: only "constant", as Keras's. Default: "constant".
  std::string fill_mode = "constant";
  /// The value of the padding. Default: 0.
  double fill_value = 0.0;
  /// Antialias when shrinking (bilinear and bicubic). Default: false.
  bool antialias = false;
};

/// Resizes images `[batch, height, width, channels]` to `height` x `width`, as Keras's `Resizing`,
/// in `fit`, `evaluate` and `predict` alike (float32 outputs). No weights.
class Resizing : public Layer {
 public:
  /// Resizes to `height` x `width` (positive).
  Resizing(int64_t height, int64_t width, ResizingOptions options = {});
  /// A Resizing from its `get_config()`: `height`, `width`, `interpolation`,
  /// `crop_to_aspect_ratio`, `pad_to_aspect_ratio`, `fill_mode`, `fill_value`, `antialias`, `name`,
  /// `trainable`.
  static std::shared_ptr<Resizing> from_config(const Config& config);

  std::string class_name() const override { return "Resizing"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t height_, width_;
  ResizingOptions options_;
};

}  // namespace tkeras::layers
