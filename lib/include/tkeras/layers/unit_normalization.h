// UnitNormalization: scales each sample to unit L2 norm over its axes, as Keras's.
#pragma once

#include <memory>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// UnitNormalization's options.
struct UnitNormalizationOptions {
  /// The axes whose L2 norm becomes 1, as Keras counts them (with the batch axis; negative from the
  /// end). Default: {-1}.
  std::vector<int64_t> axis = {-1};
};

/// Divides each sample by its L2 norm over `axis`, as Keras's `UnitNormalization`:
/// `x * min(1 / sqrt(sum(x^2)), 1e12)` (Keras's `normalize` with epsilon 1e-12, so that a zero
/// vector stays zero). No weights. The mask of the inputs' time steps passes through, as in Keras.
///
/// Example: `tkeras::layers::UnitNormalization()` before a cosine similarity.
class UnitNormalization : public Layer {
 public:
  /// Throws `tkeras::Error` for no axes.
  explicit UnitNormalization(UnitNormalizationOptions options = {});
  /// A UnitNormalization layer from its `get_config()`: `axis` (a number or a list; Default: -1),
  /// `name`, `trainable`.
  static std::shared_ptr<UnitNormalization> from_config(const Config& config);

  /// The options it was made with.
  const UnitNormalizationOptions& options() const { return options_; }
  std::string class_name() const override { return "UnitNormalization"; }
  /// True: the mask of the inputs' time steps passes through, as in Keras.
  bool supports_masking() const override { return true; }
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// The scaling as ONNX's ReduceSumSquare, Sqrt, Reciprocal, Min and Mul.
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;

 protected:
  /// Throws `tkeras::Error` for an axis outside the input.
  Shape build_weights(const Shape& input_shape) override;

 private:
  UnitNormalizationOptions options_;
  std::vector<int64_t> axes_;  // the axes, counted from the batch axis (0)
};

}  // namespace tkeras::layers
