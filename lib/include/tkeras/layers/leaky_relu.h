// LeakyReLU: the leaky rectified linear unit as a layer, as Keras's.
#pragma once

#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// LeakyReLU's options, Keras's keyword arguments.
struct LeakyReLUOptions {
  double negative_slope = 0.3;  ///< The slope below 0, >= 0. Default: 0.3 (Keras's).
};

/// The leaky rectified linear unit, as Keras's `LeakyReLU` layer: `x` for `x >= 0`, and
/// `negative_slope * x` below 0. Has no weights; passes masks on.
///
/// Example: `tkeras::layers::LeakyReLU({.negative_slope = 0.1})`.
class LeakyReLU : public Layer {
 public:
  /// A LeakyReLU layer. Throws `tkeras::Error` for a negative `negative_slope`, as Keras does.
  explicit LeakyReLU(LeakyReLUOptions options = {});
  /// A LeakyReLU layer from its `get_config()`: `negative_slope` (Default: 0.3; Keras 2's `alpha`
  /// is read when it is absent), `name`, `trainable`.
  static std::shared_ptr<LeakyReLU> from_config(const Config& config);

  /// The options it was made with.
  const LeakyReLUOptions& options() const { return options_; }
  std::string class_name() const override { return "LeakyReLU"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  LeakyReLUOptions options_;
};

}  // namespace tkeras::layers
