// Subtract: the element-wise difference of two tensors, as Keras's.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// The element-wise difference of exactly two inputs, as Keras's `Subtract`: `inputs[0] -
/// inputs[1]`, their shapes broadcast together (see `Merge`). No weights.
///
/// Example:
/// ```
/// tkeras::KerasTensor difference = tkeras::layers::Subtract()({a, b});
/// ```
class Subtract : public Merge {
 public:
  /// A Subtract layer. `options`: Default: its name from `subtract`.
  explicit Subtract(MergeOptions options = {});
  /// A Subtract layer from its `get_config()` or Keras's: `name`, `trainable`.
  static std::shared_ptr<Subtract> from_config(const Config& config);

  std::string class_name() const override { return "Subtract"; }

 protected:
  /// 2, as Keras's.
  std::optional<size_t> input_count() const override { return 2; }
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's Sub.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;
};

}  // namespace tkeras::layers
