// Average: the element-wise mean of a list of tensors, as Keras's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// The element-wise mean of its inputs, as Keras's `Average`: `(inputs[0] + inputs[1] + ...) / n`,
/// their shapes broadcast together (see `Merge`). No weights.
///
/// Example:
/// ```
/// tkeras::KerasTensor ensemble = tkeras::layers::Average()({first(x), second(x), third(x)});
/// ```
class Average : public Merge {
 public:
  /// An Average layer. `options`: Default: its name from `average`.
  explicit Average(MergeOptions options = {});
  /// An Average layer from its `get_config()` or Keras's: `name`, `trainable`.
  static std::shared_ptr<Average> from_config(const Config& config);

  std::string class_name() const override { return "Average"; }

 protected:
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's Add, folded, then Div by the number of inputs.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;
};

}  // namespace tkeras::layers
