// Dropout: zeroes a random fraction of inputs while training, and nothing otherwise.
#pragma once

#include <memory>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Dropout's options beyond the rate, Keras's keyword arguments.
struct DropoutOptions {
  /// The shape of the dropping mask with the batch axis, `-1` for an axis of the input's size (Keras's
  /// None): `{-1, 1, 1, 1}` drops whole samples, as EfficientNet's stochastic depth. Default: none,
  /// each value on its own.
  std::vector<int64_t> noise_shape;
};

/// Sets each input to 0 with probability `rate` during `fit` and scales the rest by
/// 1 / (1 - rate), as Keras's `Dropout`; in `evaluate` and `predict` it passes inputs through.
class Dropout : public Layer {
 public:
  /// Drops a fraction `rate` in [0, 1). Throws `tkeras::Error` otherwise.
  explicit Dropout(double rate, DropoutOptions options = {});
  /// A Dropout layer from its `get_config()`: `rate`, `noise_shape` (Default: null), `name`,
  /// `trainable`.
  static std::shared_ptr<Dropout> from_config(const Config& config);

  /// The fraction dropped.
  double rate() const { return rate_; }
  std::string class_name() const override { return "Dropout"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  double rate_;
  DropoutOptions options_;
};

}  // namespace tkeras::layers
