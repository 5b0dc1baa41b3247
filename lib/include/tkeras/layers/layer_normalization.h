// LayerNormalization: normalises each sample over its feature axes, as Keras's.
#pragma once

#include <memory>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// LayerNormalization's options, Keras's keyword arguments in Keras's order (its initializers are
/// Keras's defaults: `gamma` ones, `beta` zeros).
struct LayerNormalizationOptions {
  /// The axes normalised over, as Keras counts them (with the batch axis; negative from the end):
  /// `{-1}` the features, `{1, 2, 3}` a whole image. Default: {-1}.
  std::vector<int64_t> axis = {-1};
  double epsilon = 1e-3;  ///< Added to the variance. Default: 0.001.
  bool center = true;     ///< Add the trainable offset `beta`. Default: true.
  bool scale = true;      ///< Multiply by the trainable `gamma`. Default: true.
  /// Keras's deprecated `rms_scaling`: divide by the square root of the variance (plus epsilon)
  /// without subtracting the mean, then multiply by `gamma`; no `beta`. Default: false.
  bool rms_scaling = false;
};

/// Normalises each sample over `axis` (the features), as Keras's `LayerNormalization` (Ba et al.,
/// 2016): `(x - mean) / sqrt(variance + epsilon) * gamma + beta`, with the mean and the biased
/// variance of the sample over those axes, the same in `fit` and `predict`. Weights: `gamma` (if
/// `scale` or `rms_scaling`) then `beta` (if `center` and not `rms_scaling`), both of the shape of
/// the normalised axes. The mask of the inputs' time steps passes through, as in Keras.
///
/// Computed as Keras's torch backend computes it: LibTorch's `layer_norm` when the axes are the
/// last ones, else the mean and `E[x^2] - E[x]^2` over the axes (Keras's `moments`).
///
/// Example: `tkeras::layers::LayerNormalization()` in a Transformer block,
/// `LayerNormalization({.epsilon = 1e-6})` in ConvNeXt.
class LayerNormalization : public Layer {
 public:
  /// Throws `tkeras::Error` for no axes, or a negative epsilon.
  explicit LayerNormalization(LayerNormalizationOptions options = {});
  /// A LayerNormalization layer from its `get_config()`: `axis` (a number or a list; Default: -1),
  /// `epsilon` (Default: 0.001), `center` (Default: true), `scale` (Default: true), `rms_scaling`
  /// (Default: false), `name`, `trainable`.
  static std::shared_ptr<LayerNormalization> from_config(const Config& config);

  /// The options it was made with (the axes sorted, as Keras keeps them).
  const LayerNormalizationOptions& options() const { return options_; }
  std::string class_name() const override { return "LayerNormalization"; }
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// The normalisation as ONNX's ReduceMean, Sub, Mul, Sqrt and Div (ONNX's own
  /// LayerNormalization needs opset 17; tkeras exports 14 to 17).
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Throws `tkeras::Error` for an axis outside the input, the batch axis, or an axis twice.
  Shape build_weights(const Shape& input_shape) override;

 private:
  LayerNormalizationOptions options_;
  std::vector<int64_t> axes_;       // the normalised axes, counted from the batch axis (0)
  std::vector<int64_t> broadcast_;  // gamma's and beta's shape as the inputs broadcast them
  bool trailing_ = false;           // whether axes_ are the last axes (LibTorch's layer_norm)
  torch::Tensor gamma_;
  torch::Tensor beta_;
};

}  // namespace tkeras::layers
