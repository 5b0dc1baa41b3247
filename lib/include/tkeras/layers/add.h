// Add: the element-wise sum of a list of tensors, as Keras's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// The element-wise sum of its inputs, as Keras's `Add`: `inputs[0] + inputs[1] + ...`, their
/// shapes broadcast together (see `Merge`). No weights.
///
/// Example:
/// ```
/// x = tkeras::layers::Add()({x, shortcut});  // a residual connection
/// ```
class Add : public Merge {
 public:
  /// An Add layer. `options`: Default: its name from `add`.
  explicit Add(MergeOptions options = {});
  /// An Add layer from its `get_config()` or Keras's: `name`, `trainable`.
  static std::shared_ptr<Add> from_config(const Config& config);

  std::string class_name() const override { return "Add"; }

 protected:
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's Add, folded as `merge`.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;
};

}  // namespace tkeras::layers
