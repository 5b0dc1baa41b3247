// RepeatVector: a vector repeated into a sequence, as Keras's.
#pragma once

#include <cstdint>
#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Repeats each sample's vector `n` times, as Keras's `RepeatVector`: `[N, features]` to
/// `[N, n, features]`, as an encoder's summary is fed to each step of a decoder. No weights.
class RepeatVector : public Layer {
 public:
  /// Repeats `n` times (positive). No default, as Keras.
  explicit RepeatVector(int64_t n);
  /// A RepeatVector from its `get_config()` or Keras's: `n` (required), `name`, `trainable`.
  static std::shared_ptr<RepeatVector> from_config(const Config& config);

  /// How many times the vector is repeated.
  int64_t n() const { return n_; }
  std::string class_name() const override { return "RepeatVector"; }
  /// `n`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Unsqueeze and Tile.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Throws `tkeras::Error`, as Keras, unless the input is `[batch, features]`.
  Shape build_weights(const Shape& input_shape) override;

 private:
  int64_t n_;
};

}  // namespace tkeras::layers
