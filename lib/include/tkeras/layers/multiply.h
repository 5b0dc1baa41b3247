// Multiply: the element-wise product of a list of tensors, as Keras's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// The element-wise product of its inputs, as Keras's `Multiply`: `inputs[0] * inputs[1] * ...`,
/// their shapes broadcast together (see `Merge`). No weights.
///
/// Example:
/// ```
/// tkeras::KerasTensor gated = tkeras::layers::Multiply()({x, gate});
/// ```
class Multiply : public Merge {
 public:
  /// A Multiply layer. `options`: Default: its name from `multiply`.
  explicit Multiply(MergeOptions options = {});
  /// A Multiply layer from its `get_config()` or Keras's: `name`, `trainable`.
  static std::shared_ptr<Multiply> from_config(const Config& config);

  std::string class_name() const override { return "Multiply"; }

 protected:
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's Mul, folded as `merge`.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;
};

}  // namespace tkeras::layers
