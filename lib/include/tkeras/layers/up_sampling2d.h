// UpSampling2D: images enlarged by whole factors, by repeating or interpolating pixels, as Keras's.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/layer.h"
#include "tkeras/layers/size2.h"

namespace tkeras::layers {

/// The options of `UpSampling2D`, as Keras's keyword arguments besides `size`.
struct UpSampling2DOptions {
  /// How the new pixels are made: `"nearest"` (each pixel repeated, as Keras's `ops.repeat`),
  /// `"bilinear"` or `"bicubic"` (Keras's torch-backend `ops.image.resize`: LibTorch's interpolate
  /// with half-pixel centres, corners not aligned). Keras's `"lanczos3"` and `"lanczos5"` are
  /// refused, as by its torch backend. Default: `"nearest"`.
  std::string interpolation = "nearest";
};

/// Enlarges images `[batch, height, width, channels]` by whole factors, as Keras's `UpSampling2D`
/// (channels-last): `[N, H, W, C]` to `[N, H * size.height, W * size.width, C]`. No weights.
///
/// Example: `tkeras::layers::UpSampling2D(2, {.interpolation = "bilinear"})`, the decoder's step of
/// a U-Net.
class UpSampling2D : public Layer {
 public:
  /// Enlarges by `size` (both positive; one number for both). Default: 2 x 2, as Keras.
  explicit UpSampling2D(Size2 size = 2, UpSampling2DOptions options = {});
  /// An UpSampling2D from its `get_config()` or Keras's: `size` (a number or `[height, width]`;
  /// default 2), `interpolation` (default `"nearest"`), `data_format` (`"channels_last"` only),
  /// `name`, `trainable`.
  static std::shared_ptr<UpSampling2D> from_config(const Config& config);

  /// The factors of the height and width.
  const Size2& size() const { return size_; }
  /// The options, the interpolation in lower case.
  const UpSampling2DOptions& options() const { return options_; }
  std::string class_name() const override { return "UpSampling2D"; }
  /// `size` as Keras writes it, `[height, width]`, `data_format` and `interpolation`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Resize: nearest, linear or cubic (coefficient -0.75, as LibTorch's) with half-pixel
  /// centres.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Size2 size_;
  UpSampling2DOptions options_;
};

}  // namespace tkeras::layers
