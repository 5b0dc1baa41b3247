// UpSampling1D: each step of a sequence repeated, as Keras's.
#pragma once

#include <cstdint>
#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Repeats each step of sequences `[batch, steps, channels]` `size` times, as Keras's
/// `UpSampling1D`: `[N, T, C]` to `[N, T * size, C]`. No weights.
///
/// Example: `tkeras::layers::UpSampling1D(2)` turns steps `a, b` into `a, a, b, b`.
class UpSampling1D : public Layer {
 public:
  /// Repeats each step `size` times (positive). Default: 2, as Keras.
  explicit UpSampling1D(int64_t size = 2);
  /// An UpSampling1D from its `get_config()` or Keras's: `size` (an integer; default 2), `name`,
  /// `trainable`.
  static std::shared_ptr<UpSampling1D> from_config(const Config& config);

  /// How many times each step is repeated.
  int64_t size() const { return size_; }
  std::string class_name() const override { return "UpSampling1D"; }
  /// `size`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Resize, nearest, over the steps.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t size_;
};

}  // namespace tkeras::layers
