// EinsumDense: a dense layer of any rank written as an einsum equation, as Keras's EinsumDense.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tkeras/layers/activations.h"
#include "tkeras/layers/layer.h"

namespace tkeras::layers {

/// EinsumDense's options, Keras's keyword arguments in Keras's order.
struct EinsumDenseOptions {
  std::string activation;  ///< Activation name. Default: none (linear).
  /// The output axes (letters of the equation's output) that have a bias. Default: none, no bias.
  std::string bias_axes;
};

/// A dense layer whose kernel is contracted with its inputs by an einsum `equation`, as Keras's
/// `EinsumDense` (MultiHeadAttention's projections): `"ab,bc->ac"` is Dense, `"abc,cde->abde"`
/// projects each step to heads. The equation is `in,kernel->out`, with `...` allowed at the
/// start or the end of `in` and `out`, as Keras allows. The kernel's shape follows from the
/// equation, the input shape and `output_shape` (the output's shape without the batch axis; `-1`
/// for a size taken from the input, Keras's `None`). It is initialised Glorot-uniform with
/// Keras's fans; the bias starts at zero.
///
/// Example: `tkeras::layers::EinsumDense("abc,cd->abd", {-1, 64}, {.bias_axes = "d"})`.
class EinsumDense : public Layer {
 public:
  /// A layer of `equation` and `output_shape`. Throws `tkeras::Error` for an equation not of
  /// Keras's forms or an unknown activation.
  EinsumDense(std::string equation, std::vector<int64_t> output_shape, EinsumDenseOptions options = {});
  /// An EinsumDense layer from its `get_config()`: `equation`, `output_shape` (an int or a list
  /// with nulls), `activation` (Default: linear), `bias_axes` (Default: null), `name`, `trainable`.
  static std::shared_ptr<EinsumDense> from_config(const Config& config);

  /// The einsum equation.
  const std::string& equation() const { return equation_; }
  /// The options it was made with.
  const EinsumDenseOptions& options() const { return options_; }
  std::string class_name() const override { return "EinsumDense"; }
  std::string activation() const override { return options_.activation.empty() ? "linear" : options_.activation; }
  io::onnx::Value to_onnx(io::onnx::GraphBuilder& graph, const io::onnx::Value& inputs) const override;
  Config get_config() const override;
  torch::Tensor call(const torch::Tensor& inputs, bool training) override;
  torch::Tensor call_without_activation(const torch::Tensor& inputs, bool training) override;

 protected:
  Shape build_weights(const Shape& input_shape) override;

 private:
  std::string equation_;
  std::vector<int64_t> output_shape_;
  EinsumDenseOptions options_;
  activations::Function activation_;
  torch::Tensor kernel_;
  torch::Tensor bias_;
};

}  // namespace tkeras::layers
