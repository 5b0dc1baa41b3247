// ZeroPadding1D: steps of zeros before and after sequences, as Keras's.
#pragma once

#include <cstdint>
#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The zeros `ZeroPadding1D` adds: steps before (`left`) and after (`right`) each sequence.
struct Padding1D {
  /// `padding` steps at both ends, as Keras's `padding=2`.
  Padding1D(int64_t padding)  // NOLINT: implicit, as Keras takes a number
      : left(padding), right(padding) {}
  /// `left` steps before and `right` after, as Keras's `padding=(left, right)`.
  Padding1D(int64_t left, int64_t right) : left(left), right(right) {}

  int64_t left;   ///< Steps of zeros before the sequence.
  int64_t right;  ///< Steps of zeros after it.
};

/// Adds steps of zeros at the start and end of sequences `[batch, steps, channels]`, as Keras's
/// `ZeroPadding1D` (channels-last): `[N, T, C]` to `[N, left + T + right, C]`. No weights.
///
/// Example: `tkeras::layers::ZeroPadding1D({2, 0})`, two steps of zeros before each sequence.
class ZeroPadding1D : public Layer {
 public:
  /// Pads by `padding` (neither end negative). Default: 1 step at each end, as Keras.
  explicit ZeroPadding1D(Padding1D padding = 1);
  /// A ZeroPadding1D from its `get_config()` or Keras's: `padding` (a number or `[left, right]`;
  /// default 1), `data_format` (`"channels_last"` only), `name`, `trainable`.
  static std::shared_ptr<ZeroPadding1D> from_config(const Config& config);

  /// The zeros added at each end.
  const Padding1D& padding() const { return padding_; }
  std::string class_name() const override { return "ZeroPadding1D"; }
  /// `padding` as Keras writes it, `[left, right]`, and `data_format`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Pad with zeros.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  Padding1D padding_;
};

}  // namespace tkeras::layers
