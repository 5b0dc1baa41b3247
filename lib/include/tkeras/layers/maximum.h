// Maximum: the element-wise maximum of a list of tensors, as Keras's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// The element-wise maximum of its inputs, as Keras's `Maximum`, their shapes broadcast together
/// (see `Merge`). A NaN in any input gives NaN there, as `torch.maximum` in Keras's torch backend. No weights.
///
/// Example:
/// ```
/// tkeras::KerasTensor y = tkeras::layers::Maximum()({a, b});
/// ```
class Maximum : public Merge {
 public:
  /// A Maximum layer. `options`: Default: its name from `maximum`.
  explicit Maximum(MergeOptions options = {});
  /// A Maximum layer from its `get_config()` or Keras's: `name`, `trainable`.
  static std::shared_ptr<Maximum> from_config(const Config& config);

  std::string class_name() const override { return "Maximum"; }

 protected:
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's Max, folded as `merge`.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;
};

}  // namespace tkeras::layers
