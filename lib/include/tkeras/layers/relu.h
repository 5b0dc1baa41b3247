// ReLU: the rectified linear unit as a layer, with Keras's cap, leak and threshold.
#pragma once

#include <memory>
#include <optional>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// ReLU's options, Keras's keyword arguments in Keras's order.
struct ReLUOptions {
  /// The largest value it returns (`6` makes MobileNet's ReLU6). Default: none, no cap.
  std::optional<double> max_value;
  double negative_slope = 0.0;  ///< Slope below the threshold (a leak). Default: 0.
  double threshold = 0.0;       ///< Values at or below it are damped. Default: 0.
};

/// The rectified linear unit, as Keras's `ReLU` layer: `x` above `threshold` (capped at
/// `max_value`), and `negative_slope * (x - threshold)` below it. Has no weights.
///
/// Example: `tkeras::layers::ReLU({.max_value = 6.0})`, MobileNetV2's activation.
class ReLU : public Layer {
 public:
  /// A ReLU layer. Throws `tkeras::Error` for a negative `max_value`, `negative_slope` or
  /// `threshold`, as Keras does.
  explicit ReLU(ReLUOptions options = {});
  /// A ReLU layer from its `get_config()`: `max_value` (Default: none), `negative_slope`
  /// (Default: 0), `threshold` (Default: 0), `name`, `trainable`.
  static std::shared_ptr<ReLU> from_config(const Config& config);

  /// The options it was made with.
  const ReLUOptions& options() const { return options_; }
  std::string class_name() const override { return "ReLU"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  ReLUOptions options_;
};

}  // namespace tkeras::layers
