// Cropping1D: steps cut from the start and end of sequences, as Keras's.
#pragma once

#include <cstdint>
#include <memory>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The steps `Cropping1D` cuts: `left` from the start of each sequence, `right` from its end.
struct Crop1D {
  /// `cropping` steps at both ends, as Keras's `cropping=2`.
  Crop1D(int64_t cropping)  // NOLINT: implicit, as Keras takes a number
      : left(cropping), right(cropping) {}
  /// `left` steps from the start and `right` from the end, as Keras's `cropping=(left, right)`.
  Crop1D(int64_t left, int64_t right) : left(left), right(right) {}

  int64_t left;   ///< Steps cut from the start.
  int64_t right;  ///< Steps cut from the end.
};

/// Cuts steps from the start and end of sequences `[batch, steps, channels]`, as Keras's
/// `Cropping1D`: `[N, T, C]` to `[N, T - left - right, C]`. No weights.
///
/// Example: `tkeras::layers::Cropping1D({1, 2})`, the first step and the last two dropped.
class Cropping1D : public Layer {
 public:
  /// Cuts `cropping` (neither end negative). Default: 1 step at each end, as Keras.
  explicit Cropping1D(Crop1D cropping = 1);
  /// A Cropping1D from its `get_config()` or Keras's: `cropping` (a number or `[left, right]`;
  /// default `[1, 1]`), `name`, `trainable`.
  static std::shared_ptr<Cropping1D> from_config(const Config& config);

  /// The steps cut at each end.
  const Crop1D& cropping() const { return cropping_; }
  std::string class_name() const override { return "Cropping1D"; }
  /// `cropping` as Keras writes it, `[left, right]`.
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// ONNX's Slice over the steps.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Throws `tkeras::Error`, as Keras, unless at least one step is left.
  Shape build_weights(const Shape& input_shape) override;

 private:
  Crop1D cropping_;
};

}  // namespace tkeras::layers
