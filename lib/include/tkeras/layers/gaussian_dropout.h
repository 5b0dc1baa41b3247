// GaussianDropout: multiplicative one-centred Gaussian noise while training.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <ATen/core/Generator.h>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// GaussianDropout's options, Keras's keyword arguments after `rate`.
struct GaussianDropoutOptions {
  /// The seed of the layer's own generator. Default: none (LibTorch's default generator).
  std::optional<uint64_t> seed;
};

/// Multiplies every input value by noise drawn from N(1, rate / (1 - rate)) during `fit`, as
/// Keras's `GaussianDropout` (the noise has Dropout's mean and variance at that `rate`); in
/// `evaluate` and `predict` it passes inputs through (and exports to ONNX as the identity). Draws
/// come from the layer's own generator when it has a `seed` (on the CPU, so that one seed gives
/// the same noise on every device), else from LibTorch's default generator of the inputs' device
/// (which `tkeras::utils::set_random_seed` seeds). No weights; passes masks on.
///
/// Example: `tkeras::layers::GaussianDropout(0.2)`.
class GaussianDropout : public Layer {
 public:
  /// Noise for a drop `rate` in [0, 1], as Keras takes. Throws `tkeras::Error` otherwise. (At
  /// rate 1 the noise's deviation is infinite: training then throws, as Keras's division by zero.)
  explicit GaussianDropout(double rate, GaussianDropoutOptions options = {});
  /// A GaussianDropout layer from its `get_config()`: `rate`, `seed` (Default: null), `name`,
  /// `trainable`.
  static std::shared_ptr<GaussianDropout> from_config(const Config& config);

  /// The drop rate.
  double rate() const { return rate_; }
  /// The seed of the layer's own generator, or none.
  std::optional<uint64_t> seed() const { return seed_; }
  std::string class_name() const override { return "GaussianDropout"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  /// In training, the inputs times the noise; throws `tkeras::Error` at rate 1. Otherwise the inputs.
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  double rate_;
  std::optional<uint64_t> seed_;
  std::optional<at::Generator> generator_;
};

}  // namespace tkeras::layers
