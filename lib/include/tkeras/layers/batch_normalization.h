// BatchNormalization: normalises each channel with batch statistics, keeping moving averages.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// BatchNormalization's options, with Keras's defaults and Keras's meaning of `momentum`
/// (the weight of the old moving average; LibTorch's momentum is 1 minus this).
struct BatchNormalizationOptions {
  double momentum = 0.99;  ///< moving = moving * momentum + batch * (1 - momentum). Default: 0.99.
  double epsilon = 1e-3;   ///< Added to the variance. Default: 0.001.
  /// The axis normalised, as Keras counts it (with the batch axis): the last one, as -1 or by its
  /// index (Keras's applications write `axis=3` for images). Default: -1.
  int64_t axis = -1;
  bool center = true;  ///< Whether it adds the learned offset `beta`. Default: true.
  bool scale = true;   ///< Whether it multiplies by the learned `gamma` (InceptionV3's has none). Default: true.
};

/// Normalises the last axis (the channels), as Keras's `BatchNormalization`: during `fit`
/// with the batch's mean and (biased) variance, updating `moving_mean` and `moving_variance`;
/// in `evaluate` and `predict` with the moving averages. Weights: `gamma` (unless `scale` is
/// false), `beta` (unless `center` is false) (trainable:
/// the module's parameters), `moving_mean`, `moving_variance` (not trainable: its buffers).
/// Frozen (`set_trainable(false)`), it normalises with the moving averages in `fit` too and
/// leaves them alone, as in Keras 3.
///
/// Computed with LibTorch's ops rather than `torch::nn::BatchNorm`, whose moving variance uses
/// the unbiased batch variance where Keras uses the biased one.
class BatchNormalization : public Layer {
 public:
  /// Throws `tkeras::Error` for a momentum outside [0, 1] or a non-positive epsilon.
  explicit BatchNormalization(BatchNormalizationOptions options = {});
  /// A BatchNormalization layer from its `get_config()`: `momentum` (Default: 0.99), `epsilon`
  /// (Default: 0.001), `center` (Default: true), `scale` (Default: true), `name`, `trainable`.
  static std::shared_ptr<BatchNormalization> from_config(const Config& config);

  /// The options it was made with.
  const BatchNormalizationOptions& options() const { return options_; }
  std::string class_name() const override { return "BatchNormalization"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  // (x - mean) / sqrt(variance + epsilon), times gamma and plus beta where it has them.
  torch::Tensor normalized(const torch::Tensor& inputs, const torch::Tensor& mean, const torch::Tensor& variance) const;

  BatchNormalizationOptions options_;
  torch::Tensor gamma_;
  torch::Tensor beta_;
  torch::Tensor moving_mean_;
  torch::Tensor moving_variance_;
};

}  // namespace tkeras::layers
