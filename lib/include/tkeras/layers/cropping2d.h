// Cropping2D: rows and columns cut from the edges of images, as Keras's.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The rows and columns `Cropping2D` cuts: rows at the top and bottom, columns at the left and right.
struct Crop2D {
  /// `cropping` rows and columns on every side, as Keras's `cropping=2`.
  Crop2D(int64_t cropping)  // NOLINT: implicit, as Keras takes a number
      : top(cropping), bottom(cropping), left(cropping), right(cropping) {}
  /// `height` rows at the top and bottom, `width` columns at the left and right, as Keras's
  /// `cropping=(symmetric_height_crop, symmetric_width_crop)`.
  Crop2D(int64_t height, int64_t width) : top(height), bottom(height), left(width), right(width) {}
  /// Each side apart, as Keras's `cropping=((top, bottom), (left, right))`.
  Crop2D(std::array<int64_t, 2> height, std::array<int64_t, 2> width)
      : top(height[0]), bottom(height[1]), left(width[0]), right(width[1]) {}

  int64_t top;     ///< Rows cut at the top.
  int64_t bottom;  ///< Rows cut at the bottom.
  int64_t left;    ///< Columns cut at the left.
  int64_t right;   ///< Columns cut at the right.
};

/// Cuts rows and columns from the edges of images `[batch, height, width, channels]`, as Keras's
/// `Cropping2D` (channels-last): `[N, H, W, C]` to `[N, H - top - bottom, W - left - right, C]`.
/// No weights.
///
/// Example: `tkeras::layers::Cropping2D({{2, 2}, {4, 4}})`, as Keras's docstring.
class Cropping2D : public Layer {
 public:
  /// Cuts `cropping` (no side negative). Default: nothing on any side, as Keras's
  /// `((0, 0), (0, 0))`.
  explicit Cropping2D(Crop2D cropping = 0);
  /// A Cropping2D from its `get_config()` or Keras's: `cropping` (a number, `[height, width]` or
  /// `[[top, bottom], [left, right]]`; default none), `data_format` (`"channels_last"` only), `name`,
  /// `trainable`.
  static std::shared_ptr<Cropping2D> from_config(const Config& config);

  /// The rows and columns cut on each side.
  const Crop2D& cropping() const { return cropping_; }
  std::string class_name() const override { return "Cropping2D"; }
  /// `cropping` as Keras writes it, `[[top, bottom], [left, right]]`, and `data_format`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Slice over the height and width.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Throws `tkeras::Error`, as Keras, unless at least one row and one column are left.
  Shape build_weights(const Shape& input_shape) override;

 private:
  Crop2D cropping_;
};

}  // namespace tkeras::layers
