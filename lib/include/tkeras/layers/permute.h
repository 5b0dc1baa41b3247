// Permute: the axes of each sample reordered, as Keras's.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// Reorders the axes of each sample, as Keras's `Permute`: `dims` counts the axes after the batch
/// from 1, so `Permute({2, 1})` turns `[N, steps, features]` into `[N, features, steps]`. The batch
/// axis stays first. No weights.
class Permute : public Layer {
 public:
  /// Reorders the axes as `dims`: 1-based, each of 1..dims.size() once (else throws
  /// `tkeras::Error`, as Keras). No default, as Keras.
  explicit Permute(std::vector<int64_t> dims);
  /// A Permute from its `get_config()` or Keras's: `dims` (required), `name`, `trainable`.
  static std::shared_ptr<Permute> from_config(const Config& config);

  /// The new order of the axes, 1-based.
  const std::vector<int64_t>& dims() const { return dims_; }
  std::string class_name() const override { return "Permute"; }
  /// `dims`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Transpose.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Throws `tkeras::Error`, as Keras, unless the input has one axis per entry of `dims`.
  Shape build_weights(const Shape& input_shape) override;

 private:
  std::vector<int64_t> dims_;
};

}  // namespace tkeras::layers
