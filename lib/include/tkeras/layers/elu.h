// ELU: the exponential linear unit as a layer, as Keras's.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// ELU's options, Keras's keyword arguments.
struct ELUOptions {
  double alpha = 1.0;  ///< The scale of the negative part. Default: 1.
};

/// The exponential linear unit, as Keras's `ELU` layer: `x` for `x > 0`, and
/// `alpha * (exp(x) - 1)` otherwise. Has no weights; passes masks on.
///
/// Example: `tkeras::layers::ELU({.alpha = 0.5})`.
class ELU : public Layer {
 public:
  /// An ELU layer. Keras checks nothing; neither does tkeras.
  explicit ELU(ELUOptions options = {});
  /// An ELU layer from its `get_config()`: `alpha` (Default: 1), `name`, `trainable`.
  static std::shared_ptr<ELU> from_config(const Config& config);

  /// The options it was made with.
  const ELUOptions& options() const { return options_; }
  std::string class_name() const override { return "ELU"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  ELUOptions options_;
};

}  // namespace tkeras::layers
