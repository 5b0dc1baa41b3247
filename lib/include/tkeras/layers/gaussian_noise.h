// GaussianNoise: additive zero-centred Gaussian noise while training.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <ATen/core/Generator.h>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// GaussianNoise's options, Keras's keyword arguments after `stddev`.
struct GaussianNoiseOptions {
  /// The seed of the layer's own generator. Default: none (LibTorch's default generator).
  std::optional<uint64_t> seed;
};

/// Adds noise drawn from N(0, stddev^2) to every input value during `fit`, as Keras's
/// `GaussianNoise`; in `evaluate` and `predict` it passes inputs through (and exports to ONNX as
/// the identity). Draws come from the layer's own generator when it has a `seed` (on the CPU, so
/// that one seed gives the same noise on every device), else from LibTorch's default generator of
/// the inputs' device (which `tkeras::utils::set_random_seed` seeds). No weights; passes masks on.
///
/// Example: `tkeras::layers::GaussianNoise(0.1)`.
class GaussianNoise : public Layer {
 public:
  /// Noise of standard deviation `stddev` in [0, 1] (Keras's bounds). Throws `tkeras::Error`
  /// otherwise.
  explicit GaussianNoise(double stddev, GaussianNoiseOptions options = {});
  /// A GaussianNoise layer from its `get_config()`: `stddev`, `seed` (Default: null), `name`,
  /// `trainable`.
  static std::shared_ptr<GaussianNoise> from_config(const Config& config);

  /// The noise's standard deviation.
  double stddev() const { return stddev_; }
  /// The seed of the layer's own generator, or none.
  std::optional<uint64_t> seed() const { return seed_; }
  std::string class_name() const override { return "GaussianNoise"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  double stddev_;
  std::optional<uint64_t> seed_;
  std::optional<at::Generator> generator_;
};

}  // namespace tkeras::layers
