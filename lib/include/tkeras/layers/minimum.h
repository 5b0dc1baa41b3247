// Minimum: the element-wise minimum of a list of tensors, as Keras's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// The element-wise minimum of its inputs, as Keras's `Minimum`, their shapes broadcast together
/// (see `Merge`). A NaN in any input gives NaN there, as `torch.minimum` in Keras's torch backend. No weights.
///
/// Example:
/// ```
/// tkeras::KerasTensor y = tkeras::layers::Minimum()({a, b});
/// ```
class Minimum : public Merge {
 public:
  /// A Minimum layer. `options`: Default: its name from `minimum`.
  explicit Minimum(MergeOptions options = {});
  /// A Minimum layer from its `get_config()` or Keras's: `name`, `trainable`.
  static std::shared_ptr<Minimum> from_config(const Config& config);

  std::string class_name() const override { return "Minimum"; }

 protected:
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's Min, folded as `merge`.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;
};

}  // namespace tkeras::layers
