// Dot: the dot product of two tensors' samples along an axis of each, as Keras's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tkeras/layers/merge.h"

namespace tkeras::layers {

/// The axes `Dot` multiplies along, counted as Keras counts them, with the batch axis: 1 is the
/// first sample axis, -1 the last. Axis 0, the batch axis, is refused.
struct DotAxes {
  /// The same axis of both inputs, as Keras's `axes=1`.
  DotAxes(int64_t axis)  // NOLINT: implicit, as Keras takes a number
      : first(axis), second(axis), one_number(true) {}
  /// `first_axis` of the first input with `second_axis` of the second, as Keras's `axes=(1, 2)`.
  DotAxes(int64_t first_axis, int64_t second_axis) : first(first_axis), second(second_axis) {}

  int64_t first;            ///< The axis of the first input.
  int64_t second;           ///< The axis of the second input.
  bool one_number = false;  ///< Whether given as one number (so written back as one). Default: false.
};

/// Dot's options, Keras's keyword arguments in Keras's order.
struct DotOptions {
  /// L2-normalizes each input along its dot axis first, as Keras's `normalize=True` (`x /
  /// max(norm(x), 1e-7)`), so that the output is the cosine similarity. Default: false.
  bool normalize = false;
  /// The layer's name. Default: `dot`, `dot_1`...
  std::string name;
};

/// The dot product of the samples of exactly two inputs along one axis of each, as Keras's `Dot`
/// (Keras's `batch_dot`): for each sample, the sum over the dot axis of the two inputs' products.
/// The output's axes are the first input's other sample axes, then the second's: `(None, 3, 5)`
/// and `(None, 10, 3)` with axes `(1, 2)` give `(None, 5, 10)`; two vectors `(None, 4)` with axes
/// 1 give `(None, 1)`. No weights.
///
/// Example:
/// ```
/// tkeras::KerasTensor similarity = tkeras::layers::Dot(1, {.normalize = true})({a, b});  // cosine
/// tkeras::KerasTensor scores = tkeras::layers::Dot({2, 2})({queries, keys});  // (None, steps, steps)
/// ```
class Dot : public Merge {
 public:
  /// Multiplies along `axes`. Throws `tkeras::Error` for axis 0, the batch axis.
  explicit Dot(DotAxes axes, DotOptions options = {});
  /// A Dot layer from its `get_config()` or Keras's: `axes` (a number or `[first, second]`),
  /// `normalize` (Default: false), `name`, `trainable`.
  static std::shared_ptr<Dot> from_config(const Config& config);

  /// The axes, as given.
  const DotAxes& axes() const { return axes_; }
  /// Whether the inputs are L2-normalized along their dot axes first.
  bool normalize() const { return normalize_; }
  std::string class_name() const override { return "Dot"; }
  /// None, as Keras's Dot: a product of sequences ends their masks.
  torch::Tensor merge_mask(const std::vector<torch::Tensor>& /*masks*/) const override { return {}; }
  std::optional<std::string> merge_mask_onnx(io::onnx::GraphBuilder& /*graph*/,
                                             const std::vector<io::onnx::Value>& /*inputs*/) const override {
    return std::nullopt;
  }
  /// `axes` (a number when given as one) and `normalize`, as Keras writes them.
  Config get_config() const override;

 protected:
  /// 2, as Keras's.
  std::optional<size_t> input_count() const override { return 2; }
  /// The first input's shape without its dot axis, then the second's; `{1}` when nothing is left.
  Shape merge_shape(const std::vector<Shape>& input_shapes) const override;
  /// False: each input keeps its rank.
  bool aligns_ranks() const override { return false; }
  torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const override;
  /// ONNX's ReduceSumSquare, Sqrt, Reciprocal, Min and Mul (normalize), Transpose, Reshape and
  /// MatMul.
  std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const override;

 private:
  // The axes for inputs of these ranks (the batch axis counted), non-negative; none when one does
  // not name a sample axis.
  std::optional<std::array<int64_t, 2>> resolved_axes(int64_t first_rank, int64_t second_rank) const;
  std::string axes_text() const;

  DotAxes axes_;
  bool normalize_;
};

}  // namespace tkeras::layers
