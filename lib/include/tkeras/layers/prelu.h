// PReLU: the parametric rectified linear unit, with its learned slope `alpha`, as Keras's layer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// PReLU's options, Keras's keyword arguments (less the regularizer and the constraint, which
/// tkeras does not implement: a Keras file with one is refused).
struct PReLUOptions {
  /// How `alpha` starts: `"zeros"` or `"ones"` (Keras's names, any case). Default: `"zeros"`.
  std::string alpha_initializer = "zeros";
  /// The axes (counted with the batch axis, so from 1) along which one `alpha` is shared: `{1, 2}`
  /// gives each channel of an image one slope. Default: none, one slope per input value.
  std::vector<int64_t> shared_axes;
};

/// The parametric rectified linear unit, as Keras's `PReLU` layer: `x` for `x >= 0`, and
/// `alpha * x` below 0, where `alpha` is a trainable weight of the input's shape without the batch
/// axis, with 1 along each shared axis (Keras's `alpha`, of that shape). Passes masks on.
///
/// Example: `tkeras::layers::PReLU({.shared_axes = {1, 2}})` after a Conv2D.
class PReLU : public Layer {
 public:
  /// A PReLU layer. Throws `tkeras::Error` for an initializer other than zeros or ones.
  explicit PReLU(PReLUOptions options = {});
  /// A PReLU layer from its `get_config()`: `alpha_initializer` (a name, or Keras's
  /// `{"class_name": "Zeros", ...}`; Default: zeros), `shared_axes` (an integer, a list or null;
  /// Default: null), `name`, `trainable`.
  static std::shared_ptr<PReLU> from_config(const Config& config);

  /// The options it was made with.
  const PReLUOptions& options() const { return options_; }
  /// The slopes below 0 (undefined before `build`).
  const torch::Tensor& alpha() const { return alpha_; }
  std::string class_name() const override { return "PReLU"; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  /// `alpha_initializer` as Keras serializes it, and `shared_axes` (null when none).
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;

 protected:
  /// Creates `alpha`. Throws `tkeras::Error` for a shared axis outside [1, rank].
  Shape build_weights(const Shape& input_shape) override;

 private:
  PReLUOptions options_;
  torch::Tensor alpha_;
};

}  // namespace tkeras::layers
