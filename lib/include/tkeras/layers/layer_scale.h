// LayerScale: ConvNeXt's learned per-channel scale of a residual branch, as keras.applications'.
#pragma once

#include <memory>
#include <string>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// A learned scale per channel, as the `LayerScale` of Keras's ConvNeXt (keras.applications,
/// "Going deeper with image transformers"): `x * gamma`, with `gamma` of `[projection_dim]`
/// starting at `init_values`. ConvNeXt's `.keras` files name it; tkeras reads and writes it at
/// Keras's place (`keras.src.applications.convnext`).
///
/// Example: `tkeras::layers::LayerScale(1e-6, 96)`.
class LayerScale : public Layer {
 public:
  /// A scale of `projection_dim` channels starting at `init_values`. Throws `tkeras::Error` for a
  /// non-positive `projection_dim`.
  LayerScale(double init_values, int64_t projection_dim);
  /// A LayerScale from its `get_config()`: `init_values`, `projection_dim`, `name`, `trainable`.
  static std::shared_ptr<LayerScale> from_config(const Config& config);

  std::string class_name() const override { return "LayerScale"; }
  /// `LayerScale`: the name Keras registers the class under.
  std::optional<std::string> registered_name() const override { return "LayerScale"; }
  Config get_config() const override;
  Config to_keras(keras_format::Writer& writer, const std::string& path) const override;
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask passes through.
  bool supports_masking() const override { return true; }
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  double init_values_;
  int64_t projection_dim_;
  torch::Tensor gamma_;
};

}  // namespace tkeras::layers
