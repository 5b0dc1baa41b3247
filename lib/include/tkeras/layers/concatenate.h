// Concatenate: a list of tensors joined along one axis, as Keras's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// Concatenate's options, Keras's keyword arguments.
struct ConcatenateOptions {
  /// The layer's name. Default: `concatenate`, `concatenate_1`...
  std::string name;
};

/// Its inputs joined along `axis`, as Keras's `Concatenate`: inputs of one rank whose shapes match
/// on every other axis; `(None, 3, 4)` and `(None, 3, 2)` give `(None, 3, 6)`. No weights.
///
/// Example:
/// ```
/// tkeras::KerasTensor features = tkeras::layers::Concatenate()({image_features, meta_features});
/// tkeras::KerasTensor steps = tkeras::layers::Concatenate(1, {.name = "steps"})({first, second});
/// ```
class Concatenate : public Merge {
 public:
  /// Joins along `axis`, counted as Keras counts it, with the batch axis: 1 is the first sample
  /// axis, -1 the last. Default: -1. Throws `tkeras::Error` for axis 0, the batch axis.
  explicit Concatenate(int64_t axis = -1, ConcatenateOptions options = {});
  /// A Concatenate layer from its `get_config()` or Keras's: `axis` (Default: -1), `name`,
  /// `trainable`.
  static std::shared_ptr<Concatenate> from_config(const Config& config);

  /// The axis, as given.
  int64_t axis() const { return axis_; }
  std::string class_name() const override { return "Concatenate"; }
  /// As Keras's `Concatenate.compute_mask`: joined along the time axis, the masks are joined (an
  /// input without one keeps all its steps); along another axis, a step is kept where any input
  /// keeps it (none when an input has no mask, which keeps every step).
  torch::Tensor merge_mask(const std::vector<torch::Tensor>& masks) const override;
  std::optional<std::string> merge_mask_onnx(io::onnx::GraphBuilder& graph,
                                             const std::vector<io::onnx::Value>& inputs) const override;
  /// `axis`, as Keras writes it.
  Config get_config() const override;

 protected:
  /// The inputs' shapes, which must have one rank and match on all axes but `axis`, with their
  /// sizes on `axis` summed.
  Shape merge_shape(const std::vector<Shape>& input_shapes) const override;
  /// False: the inputs have one rank.
  bool aligns_ranks() const override { return false; }
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's Concat.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;

 private:
  int64_t axis_;
};

}  // namespace tkeras::layers
