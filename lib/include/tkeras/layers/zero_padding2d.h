// ZeroPadding2D: rows and columns of zeros around images, as Keras's.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The zeros `ZeroPadding2D` adds: rows at the top and bottom, columns at the left and right.
struct Padding2D {
  /// `padding` rows and columns on every side, as Keras's `padding=2`.
  Padding2D(int64_t padding)  // NOLINT: implicit, as Keras takes a number
      : top(padding), bottom(padding), left(padding), right(padding) {}
  /// `height` rows above and below, `width` columns left and right, as Keras's `padding=(h, w)`.
  Padding2D(int64_t height, int64_t width) : top(height), bottom(height), left(width), right(width) {}
  /// Each side apart, as Keras's `padding=((top, bottom), (left, right))`.
  Padding2D(std::array<int64_t, 2> height, std::array<int64_t, 2> width)
      : top(height[0]), bottom(height[1]), left(width[0]), right(width[1]) {}

  int64_t top;     ///< Rows of zeros above.
  int64_t bottom;  ///< Rows of zeros below.
  int64_t left;    ///< Columns of zeros on the left.
  int64_t right;   ///< Columns of zeros on the right.
};

/// Adds rows and columns of zeros around images `[batch, height, width, channels]`, as Keras's
/// `ZeroPadding2D` (channels-last): `[N, H, W, C]` to `[N, top + H + bottom, left + W + right, C]`.
/// No weights.
///
/// Example: `tkeras::layers::ZeroPadding2D({{0, 1}, {0, 1}})`, the padding before a strided
/// convolution in MobileNetV2.
class ZeroPadding2D : public Layer {
 public:
  /// Pads by `padding` (no side negative). Default: 1 on every side, as Keras.
  explicit ZeroPadding2D(Padding2D padding = 1);
  /// A ZeroPadding2D from its `get_config()` or Keras's: `padding` (a number, `[h, w]` or
  /// `[[top, bottom], [left, right]]`), `data_format` (`"channels_last"` only), `name`, `trainable`.
  static std::shared_ptr<ZeroPadding2D> from_config(const Config& config);

  /// The zeros added on each side.
  const Padding2D& padding() const { return padding_; }
  std::string class_name() const override { return "ZeroPadding2D"; }
  /// `padding` as Keras writes it, `[[top, bottom], [left, right]]`, and `data_format`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Pad with zeros.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Padding2D padding_;
};

}  // namespace tkeras::layers
