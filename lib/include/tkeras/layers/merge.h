// Merge: the base of Keras's merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum,
// Concatenate, Dot), which take a list of tensors and return one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// The options of the element-wise merge layers (`Add`, `Subtract`, `Multiply`, `Average`,
/// `Maximum`, `Minimum`), Keras's keyword arguments.
struct MergeOptions {
  /// The layer's name. Default: the class's in snake_case with a counter: `add`, `add_1`...
  std::string name;
};

/// The base of the layers that merge a list of tensors into one, as Keras's `Merge`. They have no
/// weights. Called on symbolic tensors (`layers::Add()({a, b})`), or on data after `build_list` for
/// the list of shapes (`layer.build_list({{4}, {4}})`, then `layer.call_list({x, y}, false)`).
///
/// The element-wise merges take inputs whose shapes broadcast together, as Keras's: each sample
/// axis, counted from the last, of equal sizes or of size 1; an input of lower rank gets axes of
/// size 1 after the batch axis first (`(None, 4)` with `(None, 3, 4)` gives `(None, 3, 4)`). As in
/// Keras 3, a list of one tensor is merged too (it passes through).
class Merge : public Layer {
 public:
  /// True: a merge layer takes a list of tensors.
  bool takes_list() const final { return true; }
  /// True, as Keras's merge layers: the inputs' masks pass on, combined by `merge_mask`.
  bool supports_masking() const override { return true; }
  /// The merge and its mask, as Keras's `Merge.compute_mask`: the element-wise merges keep a step
  /// where any input's mask keeps it, and pass no mask when an input has none.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> call_node(const Node& node,
                                                                 const std::vector<torch::Tensor>& inputs,
                                                                 const std::vector<torch::Tensor>& masks,
                                                                 bool training) override;
  /// Throws `tkeras::Error`: a merge layer takes a list of tensors (`call_list`).
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  /// The merge of `inputs`, as many as the layer takes (throws `tkeras::Error` otherwise).
  torch::Tensor call_list(const std::vector<torch::Tensor>& inputs, bool training) override;
  /// The merge as ONNX operators on `inputs`; the output's mask is `merge_mask`'s, as ONNX
  /// operators on the inputs' float masks.
  io::onnx::Value to_onnx_list(io::onnx::GraphBuilder& graph,
                               const std::vector<io::onnx::Value>& inputs) const override;

  /// The shape of an element-wise result of samples of shapes `a` and `b` (without the batch
  /// axis), as Keras's `_compute_elemwise_op_output_shape`: aligned at their last axes, where each
  /// pair of sizes is equal or one of them is 1. None when they do not broadcast.
  static std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);

 protected:
  /// A merge layer named `name`, or from `base_name` when empty (`add`, `add_1`...).
  Merge(std::string_view base_name, std::string name);

  /// Throws `tkeras::Error`: a merge layer is built for a list of shapes.
  Shape build_weights(const Shape& input_shape) final;
  /// Checks the number of inputs, then returns `merge_shape`.
  Shape build_list_weights(const std::vector<Shape>& input_shapes) final;

  /// The mask of the output from the inputs' masks (`[batch, steps]` bools; undefined: none).
  /// Default: Keras's element-wise rule: none when an input has none, else where any keeps a step.
  virtual torch::Tensor merge_mask(const std::vector<torch::Tensor>& masks) const;
  /// `merge_mask` as ONNX operators on the inputs' float masks; none when the output has none.
  virtual std::optional<std::string> merge_mask_onnx(io::onnx::GraphBuilder& graph,
                                                     const std::vector<io::onnx::Value>& inputs) const;

  /// The number of inputs the layer takes. Default: none: one or more, as Keras 3's merges.
  virtual std::optional<size_t> input_count() const { return std::nullopt; }
  /// The output shape for inputs of `input_shapes` (their number checked), all without the batch
  /// axis. Default: the shapes broadcast together; throws `tkeras::Error` naming the layer and
  /// the shapes when they do not.
  virtual Shape merge_shape(const std::vector<Shape>& input_shapes) const;
  /// Whether `call_list` and `to_onnx_list` give inputs of lower rank axes of size 1 after the
  /// batch axis before `merge`, as Keras's element-wise merges. Default: true.
  virtual bool aligns_ranks() const { return true; }
  /// The merge of `inputs` (their number checked, their ranks aligned when `aligns_ranks`).
  virtual torch::Tensor merge(const std::vector<torch::Tensor>& inputs) const = 0;
  /// The merge as ONNX operators added to `graph` on `inputs` (as `merge` gets them); returns the
  /// name of its output.
  virtual std::string merge_onnx(io::onnx::GraphBuilder& graph, const std::vector<io::onnx::Value>& inputs) const = 0;

  /// `inputs` folded from the first with the binary ONNX operator `type` (`Add`, `Max`...).
  std::string fold_onnx(io::onnx::GraphBuilder& graph, const std::string& type,
                        const std::vector<io::onnx::Value>& inputs) const;
  /// The layer as messages name it: `Add "add"`.
  std::string label() const;
  /// Shapes without the batch axis as messages print a list of them: `[(None, 4), (None, 5)]`.
  static std::string format_shapes(const std::vector<Shape>& shapes);

 private:
  std::string expected_list() const;
};

}  // namespace tkeras::layers
